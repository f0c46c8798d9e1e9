package org.nightround.app.sync

import android.app.AlarmManager
import android.app.PendingIntent
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.os.Build
import java.time.Instant
import org.nightround.app.state.RoundReminder

private const val EXTRA_ROUND = "org.nightround.app.ROUND_ID"
private const val EXTRA_REMIND_AT = "org.nightround.app.REMIND_AT_MILLIS"
private const val EXTRA_MINUTES = "org.nightround.app.CHECK_IN_MINUTES"

/**
 * The check-in reminder: an alarm at the core's `RoundView.remindAt` (a few
 * minutes before the check-in is due) that posts "Time to check in" with a
 * "Check in" action.
 *
 * On Android 12+ (with a screen lock set) the action checks in by itself,
 * behind the device's screen lock and without the app PIN: see
 * [CheckInActionReceiver]. Older phones, and phones with no screen lock, get
 * an action that opens the app on the round screen (PIN, then "I'm OK").
 *
 * The alarm's intent carries the round's id, its check-in interval and how
 * long before a check-in the core reminds (a [RoundReminder]: a random id and
 * timings, nothing about anyone), so that the action, which cannot read the
 * round while the vault is locked, can set the next reminder.
 *
 * Exact alarms where the phone allows them (SCHEDULE_EXACT_ALARM, which
 * Android 14+ leaves off until she turns it on); otherwise an inexact
 * while-idle alarm, which Android may deliver some minutes late. Rescheduled
 * after each start and check-in (RoundState tells [AndroidRoundWatcher], the
 * notification's check-in [CheckInActionReceiver]), cancelled when the round
 * ends. Alarms do not survive a reboot; the next time she opens the round
 * screen schedules it again.
 */
object CheckInReminder {
    private const val REQUEST = 4301

    fun schedule(context: Context, reminder: RoundReminder) {
        val alarms = context.getSystemService(AlarmManager::class.java) ?: return
        val whenMillis = maxOf(reminder.remindAt.toEpochMilli(), System.currentTimeMillis() + 1_000L)
        val intent = Intent(context, CheckInReminderReceiver::class.java).putReminder(reminder)
        val pending = PendingIntent.getBroadcast(
            context,
            REQUEST,
            intent,
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
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
        // Intents match without their extras, so this finds the alarm whatever round it carries.
        val pending = PendingIntent.getBroadcast(
            context,
            REQUEST,
            Intent(context, CheckInReminderReceiver::class.java),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_NO_CREATE,
        )
        if (pending != null) context.getSystemService(AlarmManager::class.java)?.cancel(pending)
        RoundNotifications.cancelReminder(context)
    }

    /** The round an alarm or action intent carries; null if it carries none (an alarm set by an older version). */
    fun reminderFrom(intent: Intent?): RoundReminder? {
        val roundId = intent?.getStringExtra(EXTRA_ROUND)?.takeIf { it.isNotBlank() } ?: return null
        val minutes = intent.getIntExtra(EXTRA_MINUTES, 0).takeIf { it > 0 } ?: return null
        return RoundReminder(
            roundId = roundId,
            remindAt = Instant.ofEpochMilli(intent.getLongExtra(EXTRA_REMIND_AT, System.currentTimeMillis())),
            checkInMinutes = minutes,
        )
    }
}

/** Puts [r] in an alarm's or action's extras: a random id and timings, nothing about anyone. */
internal fun Intent.putReminder(r: RoundReminder): Intent = this
    .putExtra(EXTRA_ROUND, r.roundId)
    .putExtra(EXTRA_REMIND_AT, r.remindAt.toEpochMilli())
    .putExtra(EXTRA_MINUTES, r.checkInMinutes)

/** Fired by [CheckInReminder]'s alarm; not exported (the alarm's intent is explicit). */
class CheckInReminderReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        RoundNotifications.reminder(context, CheckInReminder.reminderFrom(intent))
    }
}
