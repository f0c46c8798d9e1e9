package org.nightround.app.sync

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit
import org.nightround.app.state.SyncScheduler

/**
 * Sync scheduling on WorkManager.
 *
 * - After each record: an expedited one-off, unique as [SYNC_SOON] with
 *   [ExistingWorkPolicy.KEEP]. A run drains the whole outbox when it starts
 *   and loops while changes arrive mid-run, so a second request while one is
 *   queued or running adds nothing; REPLACE would cancel a sync in flight.
 * - Always: a periodic job, unique as [SYNC_PERIODIC] with
 *   [ExistingPeriodicWorkPolicy.UPDATE], so an app update can change its
 *   constraints without resetting its schedule.
 *
 * Both wait for a connected network and back off exponentially when offline.
 */
class WorkManagerSync(private val context: Context) : SyncScheduler {
    private val network = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

    override fun syncSoon() {
        val request = OneTimeWorkRequestBuilder<SyncWorker>()
            .setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
            .setConstraints(network)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, BACKOFF_SECONDS, TimeUnit.SECONDS)
            .build()
        WorkManager.getInstance(context).enqueueUniqueWork(SYNC_SOON, ExistingWorkPolicy.KEEP, request)
    }

    fun schedulePeriodic() {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(PERIOD_MINUTES, TimeUnit.MINUTES)
            .setConstraints(network)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, BACKOFF_SECONDS, TimeUnit.SECONDS)
            .build()
        WorkManager.getInstance(context).enqueueUniquePeriodicWork(SYNC_PERIODIC, ExistingPeriodicWorkPolicy.UPDATE, request)
    }

    private companion object {
        const val SYNC_SOON = "nightround-sync-soon"
        const val SYNC_PERIODIC = "nightround-sync-periodic"
        const val PERIOD_MINUTES = 30L
        const val BACKOFF_SECONDS = 30L
    }
}
