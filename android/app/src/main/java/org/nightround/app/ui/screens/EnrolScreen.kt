package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.EnrolState
import org.nightround.app.state.EnrolStep
import org.nightround.app.state.KeptChangesState
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.PinPad
import org.nightround.app.ui.components.PlainField
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SmallButton
import org.nightround.app.ui.scan.QrScanner

/**
 * Enrolment: the server address and one-time code from her supervisor, a
 * name for this phone, then a PIN chosen twice. The PIN is never sent
 * anywhere; it only protects the records on this phone.
 *
 * The details come from the supervisor's QR code ([QrScanner]) or are typed.
 * Changes a wipe for wrong PINs kept for the server are sent first
 * ([KeptChangesState]).
 */
@Composable
fun EnrolScreen(state: EnrolState, kept: KeptChangesState, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    val keptUi by kept.ui.collectAsStateWithLifecycle()
    LaunchedEffect(kept) { kept.send() }
    if (ui.scanning) {
        ScreenFrame(
            title = "Scan the enrolment code",
            onQuickExit = onQuickExit,
            onBack = { state.stopScan() },
            bottom = {
                ProblemText(ui.scanProblem)
                BigButton("Type the code instead", { state.stopScan() }, description = "Close the camera and type the code")
            },
        ) {
            item { BodyText("Point the camera at the QR code on your supervisor's screen.") }
            item {
                QrScanner(
                    onText = state::scanned,
                    onUnavailable = { why -> state.stopScan(why) },
                    modifier = Modifier.fillMaxWidth().aspectRatio(1f),
                )
            }
        }
        return
    }
    when (ui.step) {
        EnrolStep.DETAILS -> ScreenFrame(
            title = "Enrol this phone",
            onQuickExit = onQuickExit,
            bottom = {
                ProblemText(ui.problem)
                BigButton(
                    text = if (ui.busy) "Enrolling…" else "Enrol",
                    onClick = state::submitDetails,
                    enabled = ui.canSubmitDetails,
                    description = "Enrol this phone with the server",
                )
            },
        ) {
            ui.notice?.let { item { NoticeText(it) } }
            keptUi.words?.let { words ->
                item { NoticeText(words) }
                if (keptUi.canRetry) item { SmallButton("Send them now", kept::send, Modifier.fillMaxWidth()) }
            }
            item { BodyText("Your supervisor gives you the server address and a one-time code, or shows them as a QR code.") }
            item {
                SmallButton(
                    "Scan the QR code",
                    state::startScan,
                    Modifier.fillMaxWidth(),
                    description = "Scan the enrolment QR code with the camera",
                )
            }
            ui.scanProblem?.let { item { ProblemText(it) } }
            if (ui.fromQrCode) item { BodyText("Read from the QR code.") }
            item {
                PlainField(
                    value = ui.serverUrl,
                    onValueChange = state::serverUrl,
                    label = "Server address",
                    keyboardType = KeyboardType.Uri,
                    capitalization = KeyboardCapitalization.None,
                )
            }
            item {
                PlainField(
                    value = ui.code,
                    onValueChange = state::code,
                    label = "Enrolment code",
                    capitalization = KeyboardCapitalization.Characters,
                )
            }
            item {
                PlainField(
                    value = ui.deviceName,
                    onValueChange = state::deviceName,
                    label = "Name for this phone",
                    supporting = "So your supervisor can tell your phones apart.",
                    imeAction = ImeAction.Done,
                )
            }
        }
        EnrolStep.CHOOSE_PIN, EnrolStep.CONFIRM_PIN -> ScreenFrame(
            title = if (ui.step == EnrolStep.CHOOSE_PIN) "Choose a PIN" else "Type the PIN again",
            onQuickExit = onQuickExit,
            bottom = {
                ProblemText(ui.problem)
                PinPad(
                    entered = ui.pinEntered,
                    minDigits = ui.minDigits,
                    maxDigits = ui.maxDigits,
                    onDigit = state::press,
                    onDelete = state::delete,
                    onSubmit = state::continuePin,
                    submitLabel = if (ui.step == EnrolStep.CHOOSE_PIN) "Next" else "Done",
                    enabled = !ui.busy,
                )
            },
        ) {
            ui.workerName?.let { name ->
                item { BodyText("Welcome, $name" + (ui.organisation?.let { " ($it)" } ?: "") + ".") }
            }
            item {
                BodyText(
                    "At least ${ui.minDigits} digits. It opens the records on this phone only. " +
                        "After 10 PINs that don't match, the records on this phone are erased.",
                )
            }
            if (ui.busy) item { BodyText("Setting up…") }
        }
        EnrolStep.SAVING -> ScreenFrame(
            title = "Almost done",
            onQuickExit = onQuickExit,
            bottom = {
                ProblemText(ui.problem)
                BigButton(if (ui.busy) "Trying…" else "Try again", state::retrySaving, enabled = !ui.busy)
            },
        ) {
            item { BodyText("Your records are set up. The phone couldn't finish saving its connection to the server.") }
        }
    }
}
