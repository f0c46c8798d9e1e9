package org.nightround.app.ui.components

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.selection.toggleable
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.semantics.stateDescription
import androidx.compose.ui.unit.dp
import org.nightround.app.ui.theme.Dimens

/** A row of chips that wraps; chips are 56dp tall. */
@Composable
fun ChipRow(modifier: Modifier = Modifier, content: @Composable () -> Unit) {
    FlowRow(
        modifier = modifier.fillMaxWidth(),
        horizontalArrangement = Arrangement.spacedBy(8.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) { content() }
}

/** One choice among several, or one of several toggles. */
@Composable
fun ChoiceChip(label: String, selected: Boolean, onClick: () -> Unit, description: String = label) {
    FilterChip(
        selected = selected,
        onClick = onClick,
        label = { Text(label, style = MaterialTheme.typography.labelLarge) },
        modifier = Modifier
            .heightIn(min = Dimens.Touch)
            .semantics {
                contentDescription = description
                stateDescription = if (selected) "Chosen" else "Not chosen"
            },
    )
}

/**
 * A supply as a chip: tap the chip to add one; a minus appears once there is
 * at least one. Both are 56dp and say what they do.
 */
@Composable
fun SupplyChip(name: String, quantity: Int, onMore: () -> Unit, onLess: () -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        FilterChip(
            selected = quantity > 0,
            onClick = onMore,
            label = {
                Text(if (quantity > 0) "$name  ×$quantity" else "+ $name", style = MaterialTheme.typography.labelLarge)
            },
            modifier = Modifier
                .heightIn(min = Dimens.Touch)
                .semantics {
                    contentDescription = "$name, $quantity handed out. Tap to add one."
                },
        )
        if (quantity > 0) {
            FilledTonalButton(
                onClick = onLess,
                modifier = Modifier
                    .padding(start = 4.dp)
                    .heightIn(min = Dimens.Touch)
                    .widthIn(min = Dimens.Touch)
                    .semantics { contentDescription = "One fewer $name" },
            ) { Text("−", style = MaterialTheme.typography.titleMedium) }
        }
    }
}

/** A yes/no line with a switch; the whole row is the touch target. */
@Composable
fun SwitchRow(label: String, checked: Boolean, onChange: (Boolean) -> Unit, modifier: Modifier = Modifier) {
    Row(
        modifier = modifier
            .fillMaxWidth()
            .heightIn(min = Dimens.Touch)
            .toggleable(value = checked, onValueChange = onChange, role = Role.Switch)
            .semantics { contentDescription = label },
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Text(label, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f).padding(end = 12.dp))
        Switch(checked = checked, onCheckedChange = null)
    }
}

/** A tick-box line; the whole row is the touch target. */
@Composable
fun CheckRow(
    checked: Boolean,
    onChange: (Boolean) -> Unit,
    description: String,
    modifier: Modifier = Modifier,
    content: @Composable () -> Unit,
) {
    Row(
        modifier = modifier
            .fillMaxWidth()
            .heightIn(min = Dimens.Touch)
            .toggleable(value = checked, onValueChange = onChange, role = Role.Checkbox)
            .semantics { contentDescription = description },
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Checkbox(checked = checked, onCheckedChange = null)
        Row(modifier = Modifier.weight(1f).padding(start = 8.dp)) { content() }
    }
}
