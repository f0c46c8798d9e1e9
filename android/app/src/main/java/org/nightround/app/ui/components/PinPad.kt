package org.nightround.app.ui.components

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.nightround.app.ui.theme.Dimens

/**
 * A large, fixed-layout PIN pad. It shows dots, never digits, and the screen
 * reader hears how many digits are entered, not which.
 */
@Composable
fun PinPad(
    entered: Int,
    minDigits: Int,
    maxDigits: Int,
    onDigit: (Int) -> Unit,
    onDelete: () -> Unit,
    onSubmit: () -> Unit,
    submitLabel: String,
    enabled: Boolean = true,
    modifier: Modifier = Modifier,
) {
    Column(modifier = modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        Row(
            modifier = Modifier
                .fillMaxWidth()
                .height(28.dp)
                .semantics {
                    contentDescription = if (entered == 1) "1 digit entered" else "$entered digits entered"
                    liveRegion = LiveRegionMode.Polite
                },
            horizontalArrangement = Arrangement.Center,
            verticalAlignment = Alignment.CenterVertically,
        ) {
            val shown = maxOf(minDigits, entered).coerceAtMost(maxDigits)
            repeat(shown) { i ->
                Box(
                    Modifier
                        .padding(horizontal = 6.dp)
                        .size(14.dp)
                        .background(
                            if (i < entered) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.outlineVariant,
                            CircleShape,
                        ),
                )
            }
        }
        listOf(listOf(1, 2, 3), listOf(4, 5, 6), listOf(7, 8, 9)).forEach { row ->
            Row(horizontalArrangement = Arrangement.spacedBy(10.dp)) {
                row.forEach { d -> Key(d.toString(), "$d", enabled, Modifier.weight(1f)) { onDigit(d) } }
            }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(10.dp)) {
            Key("Delete", "Delete the last digit", enabled && entered > 0, Modifier.weight(1f), onDelete)
            Key("0", "0", enabled, Modifier.weight(1f)) { onDigit(0) }
            Key(submitLabel, submitLabel, enabled && entered >= minDigits, Modifier.weight(1f), onSubmit)
        }
    }
}

@Composable
private fun Key(label: String, description: String, enabled: Boolean, modifier: Modifier, onClick: () -> Unit) {
    FilledTonalButton(
        onClick = onClick,
        enabled = enabled,
        shape = MaterialTheme.shapes.large,
        modifier = modifier
            .height(Dimens.BigTouch)
            .semantics { contentDescription = description },
    ) {
        Text(label, style = if (label.length == 1) MaterialTheme.typography.headlineSmall else MaterialTheme.typography.labelLarge)
    }
}
