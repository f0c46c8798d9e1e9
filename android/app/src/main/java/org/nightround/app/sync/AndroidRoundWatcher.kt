package org.nightround.app.sync

import android.content.Context
import org.nightround.app.state.RoundReminder
import org.nightround.app.state.RoundWatcher

/**
 * Keeps the phone in step with her round, as RoundState reports it: while a
 * round is open, the live channel ([RoundLiveService]) runs and the next
 * check-in reminder is set; when it ends, both stop.
 */
class AndroidRoundWatcher(context: Context) : RoundWatcher {
    private val context = context.applicationContext

    override fun roundOpen(reminder: RoundReminder) {
        RoundLiveService.start(context)
        CheckInReminder.schedule(context, reminder)
    }

    override fun roundClosed() {
        RoundLiveService.stop(context)
        CheckInReminder.cancel(context)
    }
}
