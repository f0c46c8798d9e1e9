package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.ContactRow
import org.nightround.app.state.Navigator
import org.nightround.app.state.Screen
import org.nightround.app.state.TonightState
import org.nightround.app.state.TonightUi
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.Formats
import org.nightround.app.ui.components.InfoCard
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SmallButton
import org.nightround.app.ui.theme.Dimens

/** Tonight's round at a glance, and one large button for a new contact. */
@Composable
fun TonightScreen(state: TonightState, nav: Navigator, onQuickExit: () -> Unit, onLock: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.refresh() }

    ScreenFrame(
        title = "Tonight",
        onQuickExit = onQuickExit,
        bottom = {
            Row(horizontalArrangement = Arrangement.spacedBy(Dimens.Gap)) {
                SmallButton(
                    text = "Safety concern",
                    description = "Report a safety concern or an ugly mug",
                    onClick = { nav.go(Screen.Concern()) },
                    modifier = Modifier.weight(1f),
                )
                SmallButton(
                    text = "Referral",
                    description = "Make a referral",
                    onClick = { nav.go(Screen.Referral()) },
                    modifier = Modifier.weight(1f),
                )
            }
            BigButton("New contact", { nav.go(Screen.QuickContact()) }, description = "Record a new contact")
        },
    ) {
        item { ProblemText(ui.problem) }
        item { Summary(ui) }
        item {
            ChipRow {
                SmallButton(
                    text = "My round",
                    description = "Lone-worker round: check in, need help, start or end your round",
                    onClick = { nav.go(Screen.Round) },
                )
                SmallButton(
                    text = if (ui.activeAlerts > 0) "Alerts (${ui.activeAlerts})" else "Alerts",
                    description = "Team alerts, ${ui.activeAlerts} in force",
                    onClick = { nav.go(Screen.Alerts) },
                )
                SmallButton("Leaflet", { nav.go(Screen.Directory) }, description = "The agency leaflet: who helps with what")
                SmallButton(
                    "Supplies only",
                    { nav.go(Screen.Restock) },
                    description = "Supplies without a contact: topped up the drop box, left some with a hostel",
                )
                SmallButton(
                    text = if (ui.waitingToSync > 0) "Sync (${ui.waitingToSync} waiting)" else "Sync",
                    description = "Sync, ${ui.waitingToSync} changes waiting",
                    onClick = { nav.go(Screen.Sync) },
                )
                SmallButton("Settings", { nav.go(Screen.Settings) })
                SmallButton("Lock", onLock, description = "Lock the app now")
            }
        }
        item { SectionTitle("Contacts tonight") }
        if (!ui.loading && ui.contacts.isEmpty()) item { BodyText("No contacts yet tonight.") }
        items(ui.contacts, key = { it.id }) { contact ->
            ContactCard(contact, onOpen = contact.personId?.let { id -> { nav.go(Screen.Person(id)) } })
        }
    }
}

@Composable
private fun Summary(ui: TonightUi) {
    val n = ui.numbers ?: return
    val since = ui.roundStartedAt?.let { "since ${Formats.time(it)}" } ?: ""
    val said = buildString {
        append("${n.contacts} contacts with ${n.peopleSeen} people")
        if (n.anonymous > 0) append(", ${n.anonymous} anonymous")
        if (n.firstContacts > 0) append(", ${n.firstContacts} met for the first time")
        if (n.safeguardingFlags > 0) append(", ${n.safeguardingFlags} safeguarding")
        if (n.concerns > 0) append(", ${n.concerns} safety concerns")
        append(".")
    }
    InfoCard(Modifier.semantics(mergeDescendants = true) { contentDescription = "Round $since: $said" }) {
        Text("${ui.workerName}, $since", style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
        Text(said, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 4.dp))
        if (n.supplies.isNotEmpty()) {
            Text(
                "Handed out: " + n.supplies.joinToString(", ") { "${it.quantity} ${it.name}" },
                style = MaterialTheme.typography.bodyLarge,
                modifier = Modifier.padding(top = 8.dp),
            )
        }
    }
}

@Composable
private fun ContactCard(contact: ContactRow, onOpen: (() -> Unit)?) {
    val said = buildString {
        append("${Formats.time(contact.at)}, ${contact.who}, ${contact.area}")
        if (contact.flags.isNotEmpty()) append(". ${contact.flags.joinToString(", ")}")
        if (contact.supplies.isNotEmpty()) append(". ${contact.supplies}")
        if (contact.hasNote) append(". Has a note")
    }
    val body: @Composable () -> Unit = {
        Column(Modifier.padding(Dimens.Edge), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text("${Formats.time(contact.at)} · ${contact.who}", style = MaterialTheme.typography.titleMedium)
            Text(contact.area, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
            if (contact.flags.isNotEmpty()) Text(contact.flags.joinToString(" · "), style = MaterialTheme.typography.bodyMedium)
            if (contact.supplies.isNotEmpty()) Text(contact.supplies, style = MaterialTheme.typography.bodyMedium)
        }
    }
    val modifier = Modifier
        .fillMaxWidth()
        .heightIn(min = Dimens.Touch)
        .semantics(mergeDescendants = true) { contentDescription = said + if (onOpen != null) ". Open her page" else "" }
    val colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.surfaceContainer)
    if (onOpen != null) Card(onClick = onOpen, modifier = modifier, colors = colors) { body() } else Card(modifier = modifier, colors = colors) { body() }
}
