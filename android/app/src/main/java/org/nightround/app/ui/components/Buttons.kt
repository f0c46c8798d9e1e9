package org.nightround.app.ui.components

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import org.nightround.app.ui.theme.Dimens

/** How loud a button is: the main action, a quiet one, or one that erases. */
enum class Tone { Primary, Quiet, Danger }

/** A full-width primary action, 72dp tall: the thing the screen is for. */
@Composable
fun BigButton(
    text: String,
    onClick: () -> Unit,
    modifier: Modifier = Modifier,
    enabled: Boolean = true,
    tone: Tone = Tone.Primary,
    description: String = text,
) {
    val colors = when (tone) {
        Tone.Primary -> ButtonDefaults.buttonColors()
        Tone.Quiet -> ButtonDefaults.filledTonalButtonColors()
        Tone.Danger -> ButtonDefaults.buttonColors(
            containerColor = MaterialTheme.colorScheme.errorContainer,
            contentColor = MaterialTheme.colorScheme.onErrorContainer,
        )
    }
    Button(
        onClick = onClick,
        enabled = enabled,
        colors = colors,
        shape = MaterialTheme.shapes.large,
        modifier = modifier
            .fillMaxWidth()
            .heightIn(min = Dimens.BigTouch)
            .semantics { contentDescription = description },
    ) {
        Text(text, style = MaterialTheme.typography.titleMedium, textAlign = TextAlign.Center)
    }
}

/** A secondary action, at least 56dp. */
@Composable
fun SmallButton(
    text: String,
    onClick: () -> Unit,
    modifier: Modifier = Modifier,
    enabled: Boolean = true,
    description: String = text,
) {
    FilledTonalButton(
        onClick = onClick,
        enabled = enabled,
        modifier = modifier
            .heightIn(min = Dimens.Touch)
            .semantics { contentDescription = description },
    ) {
        Text(text, style = MaterialTheme.typography.labelLarge, textAlign = TextAlign.Center)
    }
}

/** Always visible on every screen: lock and leave, in one tap. */
@Composable
fun QuickExitButton(onExit: () -> Unit, modifier: Modifier = Modifier) {
    OutlinedButton(
        onClick = onExit,
        modifier = modifier
            .heightIn(min = Dimens.Touch)
            .padding(start = 8.dp)
            .semantics { contentDescription = "Quick exit. Locks the app and goes to the home screen." },
    ) {
        Text("Exit", style = MaterialTheme.typography.labelLarge)
    }
}
