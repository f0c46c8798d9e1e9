package org.nightround.app.state

import java.time.Instant
import java.time.ZoneId

/**
 * When "tonight" began: asked of the core (the most recent local noon, so a
 * round that crosses midnight is one round), so Android, iOS and the
 * dashboard agree.
 */
object RoundClock {
    fun roundStart(now: Instant, zone: ZoneId): Instant {
        val offsetMinutes = zone.rules.getOffset(now).totalSeconds / 60
        return uniffi.nightround_ffi.roundStart(now, offsetMinutes)
    }
}
