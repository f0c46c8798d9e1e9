package org.nightround.app.sync

import android.app.AlarmManager
import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.os.Build
import java.time.Instant

/**
 * The check-in reminder: an alarm at the core's `RoundView.remindAt` (a few
 * minutes before the check-in is due) that posts "Time to check in" with a
 * "Check in" action.
 *
 * The action opens the app on the round screen; it cannot check in by itself.
 * The vault locks whenever the app is in the background and a check-in needs
 * the session keys, so from the notification it is the PIN (or the biometric
 * shortcut) and then one tap on "I'm OK". A check-in straight from the
 * notification would need a core change (a credential usable while locked).
 *
 * Exact alarms where the phone allows them (SCHEDULE_EXACT_ALARM, which
 * Android 14+ leaves off until she turns it on); otherwise an inexact
 * while-idle alarm, which Android may deliver some minutes late. Rescheduled
 * after each start and check-in (RoundState tells [AndroidRoundWatcher]),
 * cancelled when the round ends. Alarms do not survive a reboot; the next
 * time she opens the round screen schedules it again.
 */
object CheckInReminder {
    private const val REQUEST = 4301

    fun schedule(context: Context, at: Instant) {
        val alarms = context.getSystemService(AlarmManager::class.java) ?: return
        val whenMillis = maxOf(at.toEpochMilli(), System.currentTimeMillis() + 1_000L)
        val pending = pendingIntent(context)
        val exactAllowed = Build.VERSION.SDK_INT < Build.VERSION_CODES.S || alarms.canScheduleExactAlarms()
        try {
            if (exactAllowed) {
                alarms.setExactAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, whenMillis, pending)
            } else {
                alarms.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, whenMillis, pending)
            }
        } catch (_: SecurityException) {
            // The exact-alarm permission was withdrawn between the check and the call.
            alarms.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, whenMillis, pending)
        }
    }

    fun cancel(context: Context) {
        context.getSystemService(AlarmManager::class.java)?.cancel(pendingIntent(context))
        RoundNotifications.cancelReminder(context)
    }

    private fun pendingIntent(context: Context): PendingIntent =
        PendingIntent.getBroadcast(
            context,
            REQUEST,
            Intent(context, CheckInReminderReceiver::class.java),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
}

/** Fired by [CheckInReminder]'s alarm; not exported (the alarm's intent is explicit). */
class CheckInReminderReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        RoundNotifications.reminder(context)
    }
}
