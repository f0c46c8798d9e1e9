package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.Labels
import org.nightround.app.state.Navigator
import org.nightround.app.state.QuickContactState
import org.nightround.app.state.QuickContactUi
import org.nightround.app.state.Screen
import org.nightround.app.state.Who
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.ChoiceChip
import org.nightround.app.ui.components.ConfirmDialog
import org.nightround.app.ui.components.PlainField
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SmallButton
import org.nightround.app.ui.components.SupplyChip
import org.nightround.app.ui.components.SwitchRow
import uniffi.nightround_core.WellbeingFlag

/**
 * A contact in seconds: who (or anonymous), where (already filled in with
 * the last area), what was handed out; save. Everything else is behind
 * "More", one tap away.
 */
@Composable
fun QuickContactScreen(state: QuickContactState, nav: Navigator, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }
    LaunchedEffect(ui.saved) {
        val saved = ui.saved ?: return@LaunchedEffect
        val personId = saved.personId
        if (saved.referNext && personId != null) nav.replace(Screen.Referral(personId)) else nav.back()
    }

    if (ui.safeguardingPrompt) {
        ConfirmDialog(
            title = "She may be under 18",
            text = "Follow your safeguarding procedure now. Saving records that you have seen this and acted on it.",
            confirmLabel = "I have acted on it. Save",
            onConfirm = state::acknowledgeSafeguarding,
            onDismiss = state::dismissSafeguarding,
            dismissLabel = "Go back",
        )
    }

    ScreenFrame(
        title = "New contact",
        onQuickExit = onQuickExit,
        onBack = { nav.back() },
        bottom = {
            ProblemText(ui.problem)
            BigButton(if (ui.saving) "Saving…" else "Save contact", state::save, enabled = ui.canSave)
        },
    ) {
        item { SectionTitle("Who") }
        item { WhoPicker(ui, state) }
        item { SectionTitle("Where") }
        item {
            ChipRow {
                ui.areas.forEach { area ->
                    ChoiceChip(area.name, ui.areaId == area.id, { state.area(area.id) }, description = "Area: ${area.name}")
                }
            }
        }
        item { SectionTitle("Handed out") }
        item {
            ChipRow {
                ui.supplies.forEach { s -> SupplyChip(s.name, s.quantity, { state.more(s.itemId) }, { state.less(s.itemId) }) }
            }
        }
        item {
            SmallButton(
                text = if (ui.showMore) "Fewer details" else "More: how she is, a note, a referral",
                onClick = state::toggleMore,
                modifier = Modifier.fillMaxWidth(),
            )
        }
        if (ui.showMore) {
            item { SectionTitle("How she is") }
            item {
                ChipRow {
                    WellbeingFlag.entries.forEach { flag ->
                        ChoiceChip(Labels.wellbeing(flag), flag in ui.wellbeing, { state.toggle(flag) })
                    }
                }
            }
            item {
                PlainField(
                    value = ui.note,
                    onValueChange = state::note,
                    label = "Note",
                    singleLine = false,
                    minLines = 3,
                    supporting = "${ui.note.length} of ${ui.noteLimit}. Short, and in words she could read.",
                    problem = ui.noteProblem,
                )
            }
            if (ui.canRefer) {
                item { SwitchRow("Make a referral after saving", ui.referAfterSaving, state::referAfterSaving) }
            }
        }
    }
}

@Composable
private fun WhoPicker(ui: QuickContactUi, state: QuickContactState) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        when (val who = ui.who) {
            is Who.Known -> Chosen(who.alias, state::chooseAnonymous)
            is Who.New -> Chosen("${who.alias} (new to this phone)", state::chooseAnonymous)
            Who.Anonymous -> {
                PlainField(
                    value = ui.query,
                    onValueChange = state::query,
                    label = "Name she gives",
                    description = "Name she gives. Leave it empty for an anonymous contact.",
                    capitalization = KeyboardCapitalization.Words,
                )
                ui.suggestions.forEach { person ->
                    SmallButton(
                        text = person.alias + (person.hint?.let { " · $it" } ?: ""),
                        description = "Choose ${person.alias}",
                        onClick = { state.choose(person) },
                        modifier = Modifier.fillMaxWidth(),
                    )
                }
                val typed = ui.query.trim()
                if (typed.isNotEmpty() && ui.suggestions.none { it.alias.equals(typed, ignoreCase = true) }) {
                    SmallButton("Add “$typed” as someone new", state::chooseNew, Modifier.fillMaxWidth())
                }
                ChoiceChip("Anonymous", typed.isEmpty(), state::chooseAnonymous, description = "Anonymous contact")
            }
        }
    }
}

@Composable
private fun Chosen(label: String, onChange: () -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.fillMaxWidth()) {
        Text("With $label", style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
        SmallButton("Change", onChange, description = "Change who the contact was with")
    }
}
