package org.nightround.app.lifecycle

import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import org.nightround.app.state.AppSession

/**
 * Locks the vault whenever the whole app goes to the background (the
 * process-wide ON_STOP from ProcessLifecycleOwner): another app opened, the
 * home button, the screen turned off. Coming back always needs the PIN, or
 * the biometric shortcut within the session.
 */
class BackgroundLock(private val session: AppSession) : DefaultLifecycleObserver {
    override fun onStop(owner: LifecycleOwner) {
        session.lockNow()
    }
}
