package org.nightround.app.ui.screens

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.ConcernState
import org.nightround.app.state.Labels
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.ChoiceChip
import org.nightround.app.ui.components.PlainField
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SwitchRow
import uniffi.nightround_core.ConcernCategory
import uniffi.nightround_core.Severity

/**
 * The "ugly mug" report: what happened, the man and his vehicle, where, and
 * whether every team phone gets it as an alert. Passing it to the police is
 * her decision and a separate switch, off by default.
 */
@Composable
fun ConcernScreen(state: ConcernState, onDone: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }
    LaunchedEffect(ui.saved) { if (ui.saved) onDone() }

    ScreenFrame(
        title = "Safety concern",
        onQuickExit = onQuickExit,
        onBack = onDone,
        bottom = {
            ProblemText(ui.problem)
            BigButton(
                text = when {
                    ui.saving -> "Saving…"
                    ui.shareAsTeamAlert -> "Save and share as team alert"
                    else -> "Save"
                },
                onClick = state::save,
                enabled = ui.canSave,
            )
        },
    ) {
        item { BodyText("An ugly mug report: a man, or a vehicle, that put her or others in danger.") }
        item { SectionTitle("What happened") }
        item {
            ChipRow {
                ConcernCategory.entries.forEach { c ->
                    ChoiceChip(Labels.concern(c), ui.category == c, { state.category(c) })
                }
            }
        }
        item {
            PlainField(
                value = ui.description,
                onValueChange = state::description,
                label = "Description of the man and what he did",
                singleLine = false,
                minLines = 3,
            )
        }
        item { SectionTitle("Vehicle, if any") }
        item { PlainField(ui.vehicleColour, state::vehicleColour, "Colour") }
        item { PlainField(ui.vehicleMake, state::vehicleMake, "Make or model") }
        item {
            PlainField(
                value = ui.partialRegistration,
                onValueChange = state::partialRegistration,
                label = "Any part of the registration",
                capitalization = KeyboardCapitalization.Characters,
            )
        }
        item { SectionTitle("Where") }
        item {
            ChipRow {
                ui.areas.forEach { a -> ChoiceChip(a.name, ui.areaId == a.id, { state.area(a.id) }, description = "Area: ${a.name}") }
            }
        }
        item { SectionTitle("How serious") }
        item {
            ChipRow {
                Severity.entries.forEach { s -> ChoiceChip(Labels.severity(s), ui.severity == s, { state.severity(s) }) }
            }
        }
        item { SectionTitle("Team alert") }
        item { SwitchRow("Share as a team alert on every phone", ui.shareAsTeamAlert, state::shareAsTeamAlert) }
        if (ui.shareAsTeamAlert) {
            item {
                ChipRow {
                    ui.alertDayChoices.forEach { d ->
                        ChoiceChip(Labels.plural(d, "day"), ui.alertDays == d, { state.alertDays(d) }, description = "Alert for ${Labels.plural(d, "day")}")
                    }
                }
            }
        }
        item { SectionTitle("Her choices") }
        item { SwitchRow("She agrees this may be passed to the police", ui.policeConsent, state::policeConsent) }
        ui.reportedBy?.let { person ->
            item { BodyText("Reported by ${person.alias}.") }
            item { SwitchRow("Keep her name off this report", ui.keepAnonymous, state::keepAnonymous) }
        }
    }
}
