package org.nightround.app.sync

import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.ServiceInfo
import android.os.Build
import android.os.IBinder
import androidx.core.app.ServiceCompat
import androidx.core.content.ContextCompat
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import org.nightround.app.NightroundApp
import uniffi.nightround_core.SafetyAlertKind
import uniffi.nightround_ffi.NightroundException
import uniffi.nightround_ffi.NightroundVault

/**
 * The live channel while her round is open: a foreground service (type
 * dataSync, with the low-key "Round open" notification) that loops
 * `vault.listen(25)` on a background coroutine. The core long-polls the
 * server, and syncs itself when a help call, a missed round or a team alert
 * arrives; this service then raises the loud, anonymous "Safety alert"
 * notification.
 *
 * It works while the vault is locked (the app locks whenever it is in the
 * background): listening and the sync's push need only the sync credential.
 * Reading *who* needs help needs the PIN, so a locked phone alerts on
 * anything urgent heard; an unlocked one alerts only on help calls and
 * missed rounds it has not shown yet.
 *
 * Started and stopped by [AndroidRoundWatcher]. No signal: it waits a few
 * seconds (doubling up to a minute) and listens again. A server without the
 * live channel: ordinary sync once a minute. A vault that is gone, or a
 * phone not enrolled: it stops. Android 15+ limits dataSync services to 6
 * hours a day; [onTimeout] stops it quietly and the reminders carry on.
 */
class RoundLiveService : Service() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private var loop: Job? = null
    private var shown: Set<String>? = null

    override fun onBind(intent: Intent?): IBinder? = null

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        val type = if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC else 0
        ServiceCompat.startForeground(this, RoundNotifications.ID_ROUND, RoundNotifications.roundOpen(this), type)
        if (loop?.isActive != true) loop = scope.launch { listenLoop() }
        return START_STICKY
    }

    override fun onTimeout(startId: Int, fgsType: Int) {
        stopSelf()
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    private suspend fun listenLoop() {
        val graph = (application as NightroundApp).graph
        var backoff = MIN_BACKOFF_MILLIS
        while (scope.isActive) {
            val vault = graph.session.vaultOrNull() ?: break
            try {
                // As SyncRunner does: apply the idle timeout first, so listening
                // never keeps an idle session open.
                vault.isLocked()
                val report = vault.listen(LISTEN_SECONDS)
                backoff = MIN_BACKOFF_MILLIS
                // Locked (her phone in her pocket), the core still listens with the
                // keystore-only credentials but cannot read what it heard: ring, and
                // she unlocks to see it. Each alert rings once (the core moves on).
                if (report.heard > 0uL) {
                    if (report.whileLocked) RoundNotifications.safetyAlert(this) else alertIfNew(vault)
                }
                if (report.liveUnavailable) delay(NO_LIVE_CHANNEL_MILLIS)
            } catch (e: CancellationException) {
                throw e
            } catch (e: NightroundException) {
                when (e) {
                    is NightroundException.NotEnrolled,
                    is NightroundException.NoVault,
                    is NightroundException.Revoked,
                    is NightroundException.Shredded,
                    -> break
                    else -> {
                        // Offline, server trouble, locked mid-call: wait a bit, listen again.
                        delay(backoff)
                        backoff = minOf(backoff * 2, MAX_BACKOFF_MILLIS)
                    }
                }
            } catch (_: IllegalStateException) {
                break // the vault object was destroyed (sign out, erase)
            } catch (_: Exception) {
                delay(backoff)
                backoff = minOf(backoff * 2, MAX_BACKOFF_MILLIS)
            }
        }
        stopSelf()
    }

    /** Locked: anything urgent is worth the alert. Unlocked: only help calls and missed rounds not alerted yet. */
    private fun alertIfNew(vault: NightroundVault) {
        val alerts = try {
            if (vault.isLocked()) null else vault.safetyAlerts()
        } catch (_: NightroundException) {
            null
        }
        if (alerts == null) {
            RoundNotifications.safetyAlert(this)
            return
        }
        val urgent = alerts.filter { it.kind != SafetyAlertKind.HEARD_FROM_AGAIN }.map { it.recordId }.toSet()
        val before = shown
        shown = (before ?: emptySet()) + urgent
        if ((urgent - (before ?: emptySet())).isNotEmpty()) RoundNotifications.safetyAlert(this)
    }

    companion object {
        private val LISTEN_SECONDS = 25u
        private const val MIN_BACKOFF_MILLIS = 5_000L
        private const val MAX_BACKOFF_MILLIS = 60_000L
        private const val NO_LIVE_CHANNEL_MILLIS = 60_000L

        /** Called from the round screen, in the foreground (Android 12+ refuses background starts). */
        fun start(context: Context) {
            try {
                ContextCompat.startForegroundService(context, Intent(context, RoundLiveService::class.java))
            } catch (_: IllegalStateException) {
                // ForegroundServiceStartNotAllowedException: the app went to the
                // background before the call returned; the next load starts it.
            }
        }

        fun stop(context: Context) {
            context.stopService(Intent(context, RoundLiveService::class.java))
        }
    }
}
