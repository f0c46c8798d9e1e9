package org.nightround.app.sync

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.ForegroundInfo
import androidx.work.WorkerParameters
import org.nightround.app.NightroundApp
import org.nightround.app.state.SyncRunner

/**
 * Runs one sync through the app's [SyncRunner] (off the main thread, one at a
 * time). A revoked phone is handled by the runner: the vault is already
 * erased by the core and the session shows the enrol screen.
 *
 * A run while the vault is locked still sends the outbox, by the copies
 * sealed to the server (and the check-ins the reminder's action sealed while
 * locked); what others sent waits for the next unlocked sync.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val graph = (applicationContext as NightroundApp).graph
        return when (graph.syncRunner.syncUntilQuiet()) {
            is SyncRunner.Result.Synced,
            is SyncRunner.Result.NotNow,
            is SyncRunner.Result.Erased,
            -> Result.success()
            is SyncRunner.Result.Offline,
            is SyncRunner.Result.Refused,
            -> if (runAttemptCount < MAX_ATTEMPTS) Result.retry() else Result.failure()
        }
    }

    override suspend fun getForegroundInfo(): ForegroundInfo = SyncNotifications.foregroundInfo(applicationContext)

    private companion object {
        const val MAX_ATTEMPTS = 8
    }
}
