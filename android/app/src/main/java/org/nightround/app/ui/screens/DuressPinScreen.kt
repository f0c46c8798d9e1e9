package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.DuressPinState
import org.nightround.app.state.DuressStep
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.ConfirmDialog
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.PinPad
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SmallButton

/**
 * The duress PIN: a second PIN for when someone makes her open the app. It
 * opens an empty app that works, erases the records on this phone, and the
 * next sync tells her supervisor quietly.
 */
@Composable
fun DuressPinScreen(state: DuressPinState, onBack: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }

    if (ui.confirmClear) {
        ConfirmDialog(
            title = "Remove the duress PIN?",
            text = "Only your own PIN will open the app.",
            confirmLabel = "Remove",
            onConfirm = state::confirmClear,
            onDismiss = state::cancelClear,
        )
    }

    val step = ui.step
    if (step != null) {
        ScreenFrame(
            title = if (step == DuressStep.CHOOSE) "Choose a duress PIN" else "The duress PIN again",
            onQuickExit = onQuickExit,
            onBack = state::cancel,
            bottom = {
                ProblemText(ui.problem)
                PinPad(
                    entered = ui.pinEntered,
                    minDigits = ui.minDigits,
                    maxDigits = ui.maxDigits,
                    onDigit = state::press,
                    onDelete = state::delete,
                    onSubmit = state::continuePin,
                    submitLabel = if (step == DuressStep.CHOOSE) "Next" else "Set",
                    enabled = !ui.busy,
                )
            },
        ) {
            item { BodyText("At least ${ui.minDigits} digits, and not your own PIN.") }
            if (ui.busy) item { BodyText("Setting…") }
        }
        return
    }

    ScreenFrame(
        title = "Duress PIN",
        onQuickExit = onQuickExit,
        onBack = onBack,
        bottom = {
            ProblemText(ui.problem)
            NoticeText(ui.message)
            if (ui.isSet) {
                SmallButton("Remove the duress PIN", state::askClear, Modifier.fillMaxWidth())
            }
            BigButton(
                text = if (ui.isSet) "Change the duress PIN" else "Set a duress PIN",
                onClick = state::start,
                enabled = !ui.loading && !ui.busy,
            )
        },
    ) {
        item {
            BodyText(
                "If someone makes you open the app, type the duress PIN instead of your PIN. " +
                    "The app opens empty and works as usual, the records on this phone are erased, " +
                    "and the next sync tells your supervisor quietly. Changes not yet sent still reach the server.",
            )
        }
        item { BodyText(if (ui.isSet) "A duress PIN is set." else "No duress PIN is set.") }
    }
}
