package org.nightround.app

import android.app.Application
import androidx.lifecycle.ProcessLifecycleOwner
import kotlinx.coroutines.launch
import org.nightround.app.lifecycle.BackgroundLock
import org.nightround.app.sync.RoundNotifications
import org.nightround.app.sync.SyncNotifications

/**
 * Starts the app's process-wide pieces: the core's TLS hook, the lock on
 * going to the background, the periodic sync, and opening the vault (locked).
 */
class NightroundApp : Application() {
    /** Lazy and thread-safe: WorkManager may start a worker before onCreate finishes. */
    val graph: AppGraph by lazy { AppGraph(this) }

    override fun onCreate() {
        super.onCreate()
        SyncNotifications.ensureChannel(this)
        RoundNotifications.ensureChannels(this)
        ProcessLifecycleOwner.get().lifecycle.addObserver(BackgroundLock(graph.session))
        graph.sync.schedulePeriodic()
        graph.appScope.launch { graph.session.start() }
    }
}
