package org.nightround.app.ui.screens

import androidx.compose.runtime.Composable
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame

/** The vault is there but cannot be opened; the words say why and what to do. */
@Composable
fun BrokenScreen(words: String, onRetry: () -> Unit, onQuickExit: () -> Unit) {
    ScreenFrame(
        title = "Nightround",
        onQuickExit = onQuickExit,
        bottom = { BigButton("Try again", onRetry) },
    ) {
        item { ProblemText(words) }
    }
}
