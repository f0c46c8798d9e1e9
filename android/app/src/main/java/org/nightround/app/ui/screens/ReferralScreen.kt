package org.nightround.app.ui.screens

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.Labels
import org.nightround.app.state.ReferralState
import org.nightround.app.state.ReferralStep
import org.nightround.app.state.ReferralUi
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.CheckRow
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.ChoiceChip
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.PlainField
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SmallButton
import uniffi.nightround_core.ConsentMethod
import uniffi.nightround_core.Urgency

/**
 * The universal referral form. Each agency she agrees to is ticked on its
 * own; the whole referral is read back to her, and saved only when she says
 * yes.
 */
@Composable
fun ReferralScreen(state: ReferralState, onDone: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }
    when (ui.step) {
        ReferralStep.FORM -> ReferralForm(ui, state, onDone, onQuickExit)
        ReferralStep.READ_BACK -> ReadBack(ui, state, onDone, onQuickExit)
    }
}

@Composable
private fun ReferralForm(ui: ReferralUi, state: ReferralState, onDone: () -> Unit, onQuickExit: () -> Unit) {
    ScreenFrame(
        title = "Referral",
        onQuickExit = onQuickExit,
        onBack = onDone,
        bottom = {
            ProblemText(ui.problem)
            BigButton("Read it back to her", state::review, enabled = ui.canReview, description = "Read the referral back to her before saving")
        },
    ) {
        item { SectionTitle("For") }
        val person = ui.person
        if (person != null) {
            item { Text(person.alias, style = MaterialTheme.typography.titleLarge) }
        } else {
            item {
                PlainField(ui.query, state::query, "Name she gives", capitalization = KeyboardCapitalization.Words)
            }
            items(ui.suggestions, key = { it.id }) { p ->
                SmallButton(p.alias, { state.choose(p) }, Modifier.fillMaxWidth(), description = "Refer ${p.alias}")
            }
        }
        item { SectionTitle("Agencies she agrees to") }
        item { BodyText("Tick each agency only if she agrees to it.") }
        items(ui.agencies, key = { it.id }) { a ->
            CheckRow(
                checked = a.ticked,
                onChange = { state.tick(a.id) },
                description = "${a.name}. ${a.offers}. ${if (a.ticked) "She agrees" else "Not chosen"}",
            ) {
                Column {
                    Text(a.name, style = MaterialTheme.typography.titleMedium)
                    Text(a.offers, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
                    Text(a.responds, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
                }
            }
        }
        item { SectionTitle("How urgent") }
        item {
            ChipRow {
                Urgency.entries.forEach { u -> ChoiceChip(Labels.urgency(u), ui.urgency == u, { state.urgency(u) }, description = "Urgency ${Labels.urgency(u)}") }
            }
        }
        item { SectionTitle("What she needs") }
        item {
            PlainField(ui.needs, state::needs, "In her words, as far as possible", singleLine = false, minLines = 3)
        }
        item { SectionTitle("What they may be told") }
        item {
            ChipRow {
                ui.categories.forEach { t -> ChoiceChip(t.label, t.category in ui.covers, { state.cover(t.category) }) }
            }
        }
        item { SectionTitle("How she agreed") }
        item {
            ChipRow {
                ConsentMethod.entries.forEach { m -> ChoiceChip(Labels.consentMethod(m), ui.method == m, { state.method(m) }) }
            }
        }
    }
}

@Composable
private fun ReadBack(ui: ReferralUi, state: ReferralState, onDone: () -> Unit, onQuickExit: () -> Unit) {
    val saved = ui.savedCount
    ScreenFrame(
        title = "Read it back to her",
        onQuickExit = onQuickExit,
        onBack = if (saved == null) state::backToForm else onDone,
        bottom = {
            ProblemText(ui.problem)
            if (saved != null) {
                NoticeText("Saved: ${Labels.plural(saved, "referral")}. Each agency will be contacted.")
                BigButton("Done", onDone)
            } else {
                BigButton(if (ui.saving) "Saving…" else "She agrees. Save", state::confirm, enabled = !ui.saving)
                SmallButton("Change something", state::backToForm, Modifier.fillMaxWidth())
            }
        },
    ) {
        items(ui.readBack) { line -> Text(line, style = MaterialTheme.typography.titleMedium) }
    }
}
