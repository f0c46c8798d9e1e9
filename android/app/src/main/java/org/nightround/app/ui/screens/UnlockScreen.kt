package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.UnlockState
import org.nightround.app.ui.AppActions
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.PinPad
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SmallButton

/**
 * The PIN screen. The biometric button appears only when she has typed her
 * PIN earlier in this session (see BiometricPinKeeper): it re-enters that PIN
 * for her, it never replaces it.
 */
@Composable
fun UnlockScreen(state: UnlockState, actions: AppActions) {
    val ui by state.ui.collectAsStateWithLifecycle()
    var biometricProblem by remember { mutableStateOf<String?>(null) }
    LaunchedEffect(state) { state.refreshBiometric() }

    ScreenFrame(
        title = "Nightround",
        onQuickExit = actions.quickExit,
        bottom = {
            ProblemText(ui.problem ?: biometricProblem)
            PinPad(
                entered = ui.entered,
                minDigits = ui.minDigits,
                maxDigits = ui.maxDigits,
                onDigit = { biometricProblem = null; state.press(it) },
                onDelete = state::delete,
                onSubmit = state::submit,
                submitLabel = "Unlock",
                enabled = !ui.busy,
            )
            if (ui.biometricOffered) {
                SmallButton(
                    text = "Use fingerprint or face",
                    description = "Unlock with fingerprint or face instead of typing the PIN again",
                    enabled = !ui.busy,
                    modifier = Modifier.fillMaxWidth(),
                    onClick = {
                        biometricProblem = null
                        actions.biometricUnlock(state::unlockWithSessionPin) { biometricProblem = it }
                    },
                )
            }
        },
    ) {
        item { BodyText("Enter your PIN.") }
        if (ui.busy) item { BodyText("Opening…") }
    }
}
