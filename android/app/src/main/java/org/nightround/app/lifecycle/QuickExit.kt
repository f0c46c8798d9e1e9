package org.nightround.app.lifecycle

import android.app.Activity
import android.content.Intent
import org.nightround.app.state.AppSession

/**
 * Quick exit: for the moment someone else is looking at the phone. Locks the
 * vault, forgets the biometric shortcut, shows the home screen, and removes
 * the task from the app switcher (which in any case shows a blank screen,
 * because every window is FLAG_SECURE).
 */
object QuickExit {
    fun leave(activity: Activity, session: AppSession) {
        session.quickExit()
        activity.startActivity(
            Intent(Intent.ACTION_MAIN).addCategory(Intent.CATEGORY_HOME).addFlags(Intent.FLAG_ACTIVITY_NEW_TASK),
        )
        activity.moveTaskToBack(true)
        activity.finishAndRemoveTask()
    }
}
