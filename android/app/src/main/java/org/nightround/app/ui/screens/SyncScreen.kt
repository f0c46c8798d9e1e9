package org.nightround.app.ui.screens

import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.Labels
import org.nightround.app.state.SyncState
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.Formats
import org.nightround.app.ui.components.InfoCard
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle

/** What is waiting, when it last went, and the last problem, in plain words. */
@Composable
fun SyncScreen(state: SyncState, onBack: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }
    ScreenFrame(
        title = "Sync",
        onQuickExit = onQuickExit,
        onBack = onBack,
        bottom = {
            NoticeText(ui.lastRun)
            BigButton(if (ui.syncing) "Syncing…" else "Sync now", state::syncNow, enabled = !ui.syncing && ui.enrolled)
        },
    ) {
        item { ProblemText(ui.problem) }
        if (ui.leaseExpired) {
            item { ProblemText("This phone hasn't synced for too long, so the records are closed until it does. Connect and sync now.") }
        }
        item {
            InfoCard {
                if (!ui.loading && !ui.enrolled) BodyText("This phone isn't enrolled with a server.")
                BodyText(
                    if (ui.waiting == 0L) "Nothing waiting to be sent." else "Waiting to be sent: ${Labels.plural(ui.waiting.toInt(), "change")}.",
                )
                BodyText(ui.lastSuccess?.let { "Last sent: ${Formats.dayTime(it)}." } ?: "Not sent to the server yet.")
                ui.leaseExpires?.let { BodyText("Sync before ${Formats.dayTime(it)} to keep the records open.") }
            }
        }
        ui.lastProblem?.let { words ->
            item { SectionTitle("Last problem") }
            item { BodyText(words, color = MaterialTheme.colorScheme.error) }
        }
        if (ui.heldBack > 0) {
            item { SectionTitle("Held back (${ui.heldBack})") }
            item { BodyText("The server didn't accept these. They are kept on this phone; your supervisor can help.") }
            items(ui.heldBackReasons) { BodyText(it) }
        }
    }
}
