package org.nightround.app.state

import java.time.Instant
import java.time.LocalTime
import java.time.ZoneId

/**
 * When "tonight" began. Rounds run in the evening and cross midnight, so the
 * round is everything since the most recent local noon: at 01:30 the round
 * still includes 22:00 yesterday.
 */
object RoundClock {
    private val ROUND_DAY_STARTS: LocalTime = LocalTime.NOON

    fun roundStart(now: Instant, zone: ZoneId): Instant {
        val local = now.atZone(zone)
        val today = local.toLocalDate().atTime(ROUND_DAY_STARTS).atZone(zone)
        return if (local.isBefore(today)) today.minusDays(1).toInstant() else today.toInstant()
    }
}
