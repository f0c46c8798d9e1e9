package org.nightround.app.sync

import android.app.KeyguardManager
import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.os.Build
import kotlin.concurrent.thread
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.nightround.app.NightroundApp
import org.nightround.app.state.AppSession
import org.nightround.app.state.RoundReminder
import uniffi.nightround_core.LockedCheckIn
import uniffi.nightround_ffi.NightroundException

/**
 * The reminder's "Check in" action on Android 12+: "I am all right" in one
 * tap, without the app PIN, behind the device's own screen lock (ADR 0004).
 *
 * The action is built with setAuthenticationRequired(true)
 * ([RoundNotifications.reminder]), so Android asks for the phone's screen
 * lock before it sends this broadcast: a snatched phone cannot be made to say
 * she is fine. Not exported; only the notification's PendingIntent (explicit,
 * FLAG_IMMUTABLE) reaches it.
 *
 * On a worker thread (goAsync): takes the app's vault as the sync worker
 * does (opened locked by [AppSession.start], never unlocked here), calls the
 * core's `checkInWhileLocked`, which seals the check-in to the server with the
 * keystore-only delivery package, then asks for the expedited sync that sends
 * it when there is signal (a locked sync pushes the sealed copies), replaces
 * the reminder with a quiet "Checked in", and sets the next reminder from the
 * interval the alarm carried (the round itself cannot be read while locked).
 *
 * Anything else (no delivery package: never enrolled, or the round was
 * started by an older app; no vault; a phone without a screen lock; any
 * error) replaces the reminder with "Not checked in yet", which opens the app
 * on the round screen: PIN, then "I'm OK". Android 12+ does not let a
 * notification action's receiver open an activity itself (no notification
 * trampolines), so she is given the notification to tap, loudly, because a
 * check-in that silently failed is worse than none.
 */
class CheckInActionReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val app = context.applicationContext as NightroundApp
        val round = CheckInReminder.reminderFrom(intent)
        if (round == null || !oneTapPossible(app)) {
            RoundNotifications.notCheckedIn(app)
            return
        }
        val pending = goAsync()
        thread(name = "nightround-check-in") {
            try {
                val made = checkIn(app, round)
                if (made == null) {
                    RoundNotifications.notCheckedIn(app)
                } else {
                    app.graph.sync.syncSoon()
                    RoundNotifications.checkedIn(app)
                    CheckInReminder.schedule(app, round.copy(remindAt = made.remindAt))
                }
            } catch (_: Throwable) {
                RoundNotifications.notCheckedIn(app)
            } finally {
                pending.finish()
            }
        }
    }

    /** The check-in and the next reminder, or null when this phone cannot make it without the PIN. */
    private fun checkIn(app: NightroundApp, round: RoundReminder): LockedCheckIn? {
        // Belt and braces: the action required the screen lock, so the device
        // is unlocked now (the keystore's keys need that too).
        val keyguard = app.getSystemService(KeyguardManager::class.java) ?: return null
        if (keyguard.isDeviceLocked) return null
        val session = app.graph.session
        val vault = runBlocking {
            // A cold start: NightroundApp.onCreate is still opening the vault (locked).
            withTimeoutOrNull(OPEN_WAIT_MILLIS) { session.gate.first { it != AppSession.Gate.Starting } }
            session.vaultOrNull()
        } ?: return null
        return try {
            vault.checkInWhileLocked(round.roundId, round.checkInMinutes.toUInt())
        } catch (_: NightroundException) {
            null // Locked: no delivery package (enrol again, or the round began on an older app)
        } catch (_: IllegalStateException) {
            null // the vault was closed under us (sign out, erase)
        }
    }

    companion object {
        private const val REQUEST = 4302
        private const val OPEN_WAIT_MILLIS = 5_000L

        /**
         * Whether the reminder may offer the one-tap check-in: Android 12+
         * (setAuthenticationRequired) and a screen lock to require. Without
         * either, anyone holding the phone could tap it.
         */
        fun oneTapPossible(context: Context): Boolean =
            Build.VERSION.SDK_INT >= Build.VERSION_CODES.S &&
                context.getSystemService(KeyguardManager::class.java)?.isDeviceSecure == true

        /** The action's intent: explicit, immutable, carrying the round's id and timings only. */
        fun pendingIntent(context: Context, round: RoundReminder): PendingIntent =
            PendingIntent.getBroadcast(
                context,
                REQUEST,
                Intent(context, CheckInActionReceiver::class.java).putReminder(round),
                PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
            )
    }
}
