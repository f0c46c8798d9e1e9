package org.nightround.app.state

import uniffi.nightround_core.ReferralStatus

/**
 * Which status a referral may move to next, mirroring the core's rule
 * (core/src/domain/referral.rs, ReferralStatus::can_move_to) so the screen
 * offers only moves the core will accept.
 */
object ReferralSteps {
    fun next(from: ReferralStatus): List<ReferralStatus> = when (from) {
        ReferralStatus.DRAFT -> listOf(ReferralStatus.QUEUED, ReferralStatus.CLOSED)
        ReferralStatus.QUEUED -> listOf(
            ReferralStatus.SENT,
            ReferralStatus.ACKNOWLEDGED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.DECLINED,
            ReferralStatus.CLOSED,
        )
        ReferralStatus.SENT -> listOf(ReferralStatus.ACKNOWLEDGED, ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.CLOSED)
        ReferralStatus.ACKNOWLEDGED -> listOf(ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.CLOSED)
        ReferralStatus.ACCEPTED, ReferralStatus.DECLINED -> listOf(ReferralStatus.CLOSED)
        ReferralStatus.CLOSED -> emptyList()
    }
}
