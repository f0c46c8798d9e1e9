package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.Labels
import org.nightround.app.state.PinChangeStep
import org.nightround.app.state.SettingsState
import org.nightround.app.state.SettingsUi
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.ChoiceChip
import org.nightround.app.ui.components.ConfirmDialog
import org.nightround.app.ui.components.InfoCard
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.PinPad
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SmallButton
import org.nightround.app.ui.components.Tone

/** Lock timeout, PIN change, the duress PIN, and sign out (which erases this phone's records). */
@Composable
fun SettingsScreen(state: SettingsState, onLock: () -> Unit, onDuressPin: () -> Unit, onBack: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }

    ui.confirmSignOut?.let { waiting ->
        ConfirmDialog(
            title = "Sign out and erase?",
            text = buildString {
                append("All records on this phone will be erased for good. ")
                if (waiting > 0) append("${Labels.plural(waiting.toInt(), "change")} haven't reached the server yet and will be lost. ")
                append("To use this phone again you'll need a new enrolment code.")
            },
            confirmLabel = "Erase and sign out",
            onConfirm = state::confirmSignOut,
            onDismiss = state::cancelSignOut,
        )
    }

    if (ui.pinStep != null) {
        PinChange(ui, state, onQuickExit)
        return
    }

    ScreenFrame(
        title = "Settings",
        onQuickExit = onQuickExit,
        onBack = onBack,
        bottom = {
            ProblemText(ui.problem)
            NoticeText(ui.message)
            SmallButton("Lock now", onLock, Modifier.fillMaxWidth(), description = "Lock the app now")
            BigButton("Sign out", state::askSignOut, tone = Tone.Danger, enabled = !ui.busy, description = "Sign out. Erases the records on this phone after you confirm.")
        },
    ) {
        item {
            InfoCard {
                BodyText(ui.workerName)
                BodyText("${ui.role}, ${ui.organisation}")
                if (ui.coreVersion.isNotEmpty()) BodyText("Nightround core ${ui.coreVersion}")
            }
        }
        item { SectionTitle("Lock after") }
        item {
            ChipRow {
                ui.lockChoices.forEach { seconds ->
                    val words = if (seconds % 60 == 0) Labels.plural(seconds / 60, "minute") else Labels.plural(seconds, "second")
                    ChoiceChip(words, ui.lockTimeoutSeconds == seconds, { state.lockTimeout(seconds) }, description = "Lock after $words without use")
                }
            }
        }
        item { BodyText("The app also locks whenever you leave it.") }
        item { SectionTitle("PIN") }
        item { SmallButton("Change PIN", state::startPinChange, Modifier.fillMaxWidth()) }
        item {
            SmallButton(
                "Duress PIN",
                onDuressPin,
                Modifier.fillMaxWidth(),
                description = "Duress PIN: a second PIN that opens an empty app and erases the records",
            )
        }
    }
}

@Composable
private fun PinChange(ui: SettingsUi, state: SettingsState, onQuickExit: () -> Unit) {
    val title = when (ui.pinStep) {
        PinChangeStep.CURRENT -> "Your current PIN"
        PinChangeStep.NEW -> "Your new PIN"
        PinChangeStep.CONFIRM, null -> "The new PIN again"
    }
    ScreenFrame(
        title = title,
        onQuickExit = onQuickExit,
        onBack = state::cancelPinChange,
        bottom = {
            ProblemText(ui.problem)
            PinPad(
                entered = ui.pinEntered,
                minDigits = ui.minDigits,
                maxDigits = 12,
                onDigit = state::pinPress,
                onDelete = state::pinDelete,
                onSubmit = state::pinContinue,
                submitLabel = if (ui.pinStep == PinChangeStep.CONFIRM) "Change" else "Next",
                enabled = !ui.busy,
            )
        },
    ) {
        item { BodyText("At least ${ui.minDigits} digits.") }
        if (ui.busy) item { BodyText("Changing…") }
    }
}
