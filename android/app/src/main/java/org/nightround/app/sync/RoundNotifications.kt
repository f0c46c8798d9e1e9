package org.nightround.app.sync

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import org.nightround.app.MainActivity
import org.nightround.app.R
import org.nightround.app.state.RoundReminder

/**
 * The round's notifications. None names anyone or says where: the ongoing
 * one says "Round open", the reminder "Time to check in" (then "Checked in"
 * or "Not checked in yet" after its one-tap action), a safety alert
 * "Safety alert — open Nightround"; who and where are only shown inside the
 * app, behind the PIN. All are VISIBILITY_SECRET, as every notification of
 * this app is: a high-importance alert still sounds and vibrates on a locked
 * phone, but nothing appears on the lock screen itself.
 */
object RoundNotifications {
    const val CHANNEL_ROUND = "round"
    const val CHANNEL_REMINDER = "check_in_reminder"
    const val CHANNEL_SAFETY = "safety_alert"

    const val ID_ROUND = 4201
    const val ID_REMINDER = 4202
    const val ID_SAFETY = 4203

    /** Which screen a notification's tap opens, once she has entered her PIN. */
    const val EXTRA_OPEN = "org.nightround.app.OPEN"
    const val OPEN_ROUND = "round"
    const val OPEN_ALERTS = "alerts"

    private const val CHECKED_IN_SHOWN_MILLIS = 10 * 60_000L

    fun ensureChannels(context: Context) {
        val manager = context.getSystemService(NotificationManager::class.java)
        val round = NotificationChannel(CHANNEL_ROUND, context.getString(R.string.round_channel_name), NotificationManager.IMPORTANCE_LOW).apply {
            description = context.getString(R.string.round_channel_description)
            lockscreenVisibility = Notification.VISIBILITY_SECRET
            setShowBadge(false)
            enableVibration(false)
            setSound(null, null)
        }
        val reminder = NotificationChannel(CHANNEL_REMINDER, context.getString(R.string.reminder_channel_name), NotificationManager.IMPORTANCE_HIGH).apply {
            description = context.getString(R.string.reminder_channel_description)
            lockscreenVisibility = Notification.VISIBILITY_SECRET
            setShowBadge(false)
            enableVibration(true)
        }
        val safety = NotificationChannel(CHANNEL_SAFETY, context.getString(R.string.safety_channel_name), NotificationManager.IMPORTANCE_HIGH).apply {
            description = context.getString(R.string.safety_channel_description)
            lockscreenVisibility = Notification.VISIBILITY_SECRET
            setShowBadge(true)
            enableVibration(true)
            vibrationPattern = longArrayOf(0, 600, 250, 600, 250, 600)
        }
        manager.createNotificationChannels(listOf(round, reminder, safety))
    }

    /** Opens the app at [screen] (after the PIN: the vault is locked whenever the app is in the background). */
    fun openApp(context: Context, screen: String, requestCode: Int): PendingIntent {
        val intent = Intent(context, MainActivity::class.java)
            .putExtra(EXTRA_OPEN, screen)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_SINGLE_TOP)
        return PendingIntent.getActivity(context, requestCode, intent, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
    }

    /** The persistent, low-key notification of [RoundLiveService]. */
    fun roundOpen(context: Context): Notification =
        NotificationCompat.Builder(context, CHANNEL_ROUND)
            .setSmallIcon(R.drawable.ic_stat_update)
            .setContentTitle(context.getString(R.string.round_notification_title))
            .setContentIntent(openApp(context, OPEN_ROUND, ID_ROUND))
            .setVisibility(NotificationCompat.VISIBILITY_SECRET)
            .setPriority(NotificationCompat.PRIORITY_LOW)
            .setCategory(NotificationCompat.CATEGORY_SERVICE)
            .setOngoing(true)
            .setSilent(true)
            .setLocalOnly(true)
            .setForegroundServiceBehavior(NotificationCompat.FOREGROUND_SERVICE_IMMEDIATE)
            .build()

    /**
     * "Time to check in", with a "Check in" action. With a [round] to check in
     * on, Android 12+ and a screen lock, the action checks in by itself
     * ([CheckInActionReceiver]); otherwise it opens the round screen.
     */
    fun reminder(context: Context, round: RoundReminder?) {
        val open = openApp(context, OPEN_ROUND, ID_REMINDER)
        val label = context.getString(R.string.reminder_action_check_in)
        val oneTap = round != null && CheckInActionReceiver.oneTapPossible(context)
        val action = if (oneTap && round != null && Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            // ADR 0004: the check-in is made without the app PIN, so the action
            // must require the device's screen lock: a snatched phone cannot be
            // made to say she is fine. setAuthenticationRequired exists from
            // Android 12 (API 31); below it an action would run on a locked
            // phone unauthenticated, so older phones keep opening the app.
            NotificationCompat.Action.Builder(0, label, CheckInActionReceiver.pendingIntent(context, round))
                .setAuthenticationRequired(true)
                .build()
        } else {
            NotificationCompat.Action.Builder(0, label, open).build()
        }
        val text = if (oneTap) R.string.reminder_notification_text_one_tap else R.string.reminder_notification_text
        val notification = NotificationCompat.Builder(context, CHANNEL_REMINDER)
            .setSmallIcon(R.drawable.ic_stat_update)
            .setContentTitle(context.getString(R.string.reminder_notification_title))
            .setContentText(context.getString(text))
            .setContentIntent(open)
            .addAction(action)
            .setVisibility(NotificationCompat.VISIBILITY_SECRET)
            .setPriority(NotificationCompat.PRIORITY_HIGH)
            .setCategory(NotificationCompat.CATEGORY_REMINDER)
            .setAutoCancel(true)
            .setLocalOnly(true)
            .build()
        post(context, ID_REMINDER, notification)
    }

    /**
     * Replaces the reminder after the one-tap check-in: quiet, and it says
     * only "Checked in". Gone by itself after a while.
     */
    fun checkedIn(context: Context) {
        val notification = NotificationCompat.Builder(context, CHANNEL_REMINDER)
            .setSmallIcon(R.drawable.ic_stat_update)
            .setContentTitle(context.getString(R.string.checked_in_notification_title))
            .setContentText(context.getString(R.string.checked_in_notification_text))
            .setContentIntent(openApp(context, OPEN_ROUND, ID_REMINDER))
            .setVisibility(NotificationCompat.VISIBILITY_SECRET)
            .setPriority(NotificationCompat.PRIORITY_LOW)
            .setCategory(NotificationCompat.CATEGORY_STATUS)
            .setSilent(true)
            .setAutoCancel(true)
            .setTimeoutAfter(CHECKED_IN_SHOWN_MILLIS)
            .setLocalOnly(true)
            .build()
        post(context, ID_REMINDER, notification)
    }

    /**
     * Replaces the reminder when the one-tap check-in could not be made:
     * loud, since she must not believe she checked in; tapping it (or its
     * action) opens the round screen, after the PIN.
     */
    fun notCheckedIn(context: Context) {
        val open = openApp(context, OPEN_ROUND, ID_REMINDER)
        val notification = NotificationCompat.Builder(context, CHANNEL_REMINDER)
            .setSmallIcon(R.drawable.ic_stat_update)
            .setContentTitle(context.getString(R.string.not_checked_in_notification_title))
            .setContentText(context.getString(R.string.reminder_notification_text))
            .setContentIntent(open)
            .addAction(0, context.getString(R.string.not_checked_in_action_open), open)
            .setVisibility(NotificationCompat.VISIBILITY_SECRET)
            .setPriority(NotificationCompat.PRIORITY_HIGH)
            .setCategory(NotificationCompat.CATEGORY_REMINDER)
            .setAutoCancel(true)
            .setLocalOnly(true)
            .build()
        post(context, ID_REMINDER, notification)
    }

    fun cancelReminder(context: Context) = NotificationManagerCompat.from(context).cancel(ID_REMINDER)

    /** A colleague needs help or has gone quiet: loud, and says nothing of who or where. */
    fun safetyAlert(context: Context) {
        val notification = NotificationCompat.Builder(context, CHANNEL_SAFETY)
            .setSmallIcon(R.drawable.ic_stat_update)
            .setContentTitle(context.getString(R.string.safety_notification_title))
            .setContentText(context.getString(R.string.safety_notification_text))
            .setContentIntent(openApp(context, OPEN_ALERTS, ID_SAFETY))
            .setVisibility(NotificationCompat.VISIBILITY_SECRET)
            .setPriority(NotificationCompat.PRIORITY_HIGH)
            .setCategory(NotificationCompat.CATEGORY_ALARM)
            .setAutoCancel(true)
            .setLocalOnly(true)
            .build()
        post(context, ID_SAFETY, notification)
    }

    private fun post(context: Context, id: Int, notification: Notification) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU &&
            ContextCompat.checkSelfPermission(context, android.Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) {
            return
        }
        NotificationManagerCompat.from(context).notify(id, notification)
    }
}
