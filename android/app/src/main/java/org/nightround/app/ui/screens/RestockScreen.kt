package org.nightround.app.ui.screens

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.RestockState
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.ChoiceChip
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SmallButton
import org.nightround.app.ui.components.SupplyChip

/**
 * Supplies without a contact: topping up the hidden drop box, leaving some
 * with a hostel. Where, why, how many; nobody is named.
 */
@Composable
fun RestockScreen(state: RestockState, onDone: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }

    ScreenFrame(
        title = "Supplies only",
        onQuickExit = onQuickExit,
        onBack = onDone,
        bottom = {
            ProblemText(ui.problem)
            NoticeText(ui.saved)
            if (ui.saved != null) {
                BigButton("Done", onDone, description = "Back to tonight")
            } else {
                BigButton(
                    text = if (ui.saving) "Saving…" else "Save",
                    onClick = state::save,
                    enabled = ui.canSave,
                    description = "Save ${ui.total} items given out without a contact",
                )
            }
        },
    ) {
        item { SectionTitle("Why") }
        item {
            ChipRow {
                ui.purposes.forEach { (p, words) ->
                    ChoiceChip(words, ui.purpose == p, { state.purpose(p) })
                }
            }
        }
        item { SectionTitle("Where") }
        item {
            ChipRow {
                ui.areas.forEach { a -> ChoiceChip(a.name, ui.areaId == a.id, { state.area(a.id) }, description = "Area: ${a.name}") }
            }
        }
        item { SectionTitle("How many") }
        item {
            ChipRow {
                ui.supplies.forEach { s ->
                    SupplyChip(s.name, s.quantity, onMore = { state.more(s.itemId) }, onLess = { state.less(s.itemId) })
                }
            }
        }
        ui.supplies.firstOrNull { it.itemId == "condoms" }?.let { condoms ->
            item { SmallButton("+10 condoms", { state.moreBy(condoms.itemId, 10) }, description = "Add ten condoms") }
        }
        if (!ui.loading && ui.supplies.isEmpty()) item { BodyText("The supplies list hasn't arrived from the server yet.") }
    }
}
