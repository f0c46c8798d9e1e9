package org.nightround.app.state

import uniffi.nightround_core.ReferralStatus

/**
 * Which status a referral may move to next, as the core says
 * (`nextStatuses`, from `ReferralStatus::can_move_to`), so the screen offers
 * only moves the core will accept and cannot drift from its rule.
 */
object ReferralSteps {
    fun next(from: ReferralStatus): List<ReferralStatus> = uniffi.nightround_ffi.nextStatuses(from)
}
