package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.AgencyRow
import org.nightround.app.state.DirectoryState
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.InfoCard
import org.nightround.app.ui.components.PlainField
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SmallButton

/**
 * The leaflet the women asked for: what each agency does, where, when, and a
 * button that opens the dialler with its number (she can hand the phone over
 * or copy it down; nothing is dialled without pressing call).
 */
@Composable
fun DirectoryScreen(state: DirectoryState, onDial: (String) -> Boolean, onBack: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    var dialProblem by remember { mutableStateOf<String?>(null) }
    LaunchedEffect(state) { state.load() }
    ScreenFrame(title = "Leaflet", onQuickExit = onQuickExit, onBack = onBack) {
        item { ProblemText(ui.problem ?: dialProblem) }
        item { PlainField(ui.query, state::query, "Search: name or what they help with") }
        items(ui.shown, key = { it.id }) { agency ->
            AgencyCard(agency) { number ->
                dialProblem = if (onDial(number)) null else "This phone has no dialler. The number is $number."
            }
        }
    }
}

@Composable
private fun AgencyCard(a: AgencyRow, dial: (String) -> Unit) {
    InfoCard {
        Text(a.name, style = MaterialTheme.typography.titleMedium)
        BodyText(a.offers)
        BodyText(a.address, color = MaterialTheme.colorScheme.onSurfaceVariant)
        BodyText(a.openingTimes, color = MaterialTheme.colorScheme.onSurfaceVariant)
        if (a.exampleDetails) BodyText("Example details, to be replaced by the real ones.", color = MaterialTheme.colorScheme.tertiary)
        a.dialNumber?.let { number ->
            SmallButton(
                text = "Call ${a.phone}",
                description = "Call ${a.name} on ${a.phone}. Opens the dialler.",
                onClick = { dial(number) },
                modifier = Modifier.padding(top = 8.dp),
            )
        }
    }
}
