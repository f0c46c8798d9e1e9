package org.nightround.app.ui.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.AlertRow
import org.nightround.app.state.AlertsState
import org.nightround.app.state.SafetyAlertRow
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.Formats
import org.nightround.app.ui.components.InfoCard
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.theme.Signals

/**
 * Colleagues' help calls and missed rounds on top (hers as buddy first and
 * loudest), then team alerts in force: the area she is working in first.
 */
@Composable
fun AlertsScreen(state: AlertsState, onBack: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }
    ScreenFrame(title = "Team alerts", onQuickExit = onQuickExit, onBack = onBack) {
        item { ProblemText(ui.problem) }
        if (ui.safety.isNotEmpty()) {
            item { SectionTitle("Colleagues") }
            items(ui.safety, key = { it.id + it.kind.name }) { SafetyAlertCard(it) }
        }
        if (!ui.loading && ui.here.isEmpty() && ui.elsewhere.isEmpty()) item { BodyText("No team alerts in force.") }
        if (ui.here.isNotEmpty()) {
            item { SectionTitle("Here: ${ui.hereName ?: "your area"}") }
            items(ui.here, key = { it.id }) { AlertCard(it) }
        }
        if (ui.elsewhere.isNotEmpty()) {
            item { SectionTitle(if (ui.here.isEmpty()) "All areas" else "Other areas") }
            items(ui.elsewhere, key = { it.id }) { AlertCard(it) }
        }
    }
}

@Composable
private fun AlertCard(a: AlertRow) {
    InfoCard(Modifier.semantics(mergeDescendants = true) {}) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Box(Modifier.size(14.dp).background(Signals.severity(a.severity), CircleShape))
            Text("${a.severityWords}: ${a.what}", style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(start = 8.dp))
        }
        BodyText("${a.area}, ${Formats.dayTime(a.at)}", color = MaterialTheme.colorScheme.onSurfaceVariant)
        BodyText(a.description)
        a.vehicle?.let { BodyText("Vehicle: $it") }
        a.until?.let { BodyText("Alert until ${Formats.day(it)}", color = MaterialTheme.colorScheme.onSurfaceVariant) }
    }
}

/**
 * A colleague's help call or missed round. Where she is this worker's buddy,
 * the card is red and large and is announced at once.
 */
@Composable
internal fun SafetyAlertCard(a: SafetyAlertRow) {
    val said = listOfNotNull(a.headline, a.detail.ifEmpty { null }, a.acknowledged).joinToString(". ")
    InfoCard(
        Modifier.semantics(mergeDescendants = true) {
            contentDescription = said
            if (a.loud) liveRegion = LiveRegionMode.Assertive
        },
    ) {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Box(Modifier.size(if (a.loud) 20.dp else 14.dp).background(if (a.acknowledged == null) Signals.Red else Signals.Amber, CircleShape))
            Text(
                a.headline,
                style = if (a.loud) MaterialTheme.typography.titleLarge else MaterialTheme.typography.titleMedium,
                fontWeight = if (a.loud) FontWeight.Bold else null,
                color = if (a.loud) Signals.Red else MaterialTheme.colorScheme.onSurface,
                modifier = Modifier.padding(start = 8.dp),
            )
        }
        if (a.detail.isNotEmpty()) BodyText(a.detail, color = MaterialTheme.colorScheme.onSurfaceVariant)
        BodyText(a.acknowledged ?: "Nobody has acknowledged it yet.", color = MaterialTheme.colorScheme.onSurfaceVariant)
    }
}
