package org.nightround.app.ui.screens

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.PersonEditState
import org.nightround.app.state.PersonField
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.PlainField
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SwitchRow

/**
 * Her profile, as she describes herself: what she is known as, a
 * description, her key worker, and whether she prefers a female worker.
 * Saved, it goes back to her page; the team sees it after the next sync.
 */
@Composable
fun PersonEditScreen(state: PersonEditState, onDone: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }
    LaunchedEffect(ui.saved) { if (ui.saved) onDone() }
    val problemAt = { f: PersonField -> ui.problem.takeIf { ui.problemField == f } }

    ScreenFrame(
        title = "Edit profile",
        onQuickExit = onQuickExit,
        onBack = onDone,
        bottom = {
            ProblemText(ui.problem.takeIf { ui.problemField == null })
            BigButton(if (ui.saving) "Saving…" else "Save", state::save, enabled = ui.canSave, description = "Save her profile")
        },
    ) {
        item { PlainField(ui.alias, state::alias, "Known as", problem = problemAt(PersonField.ALIAS)) }
        item {
            PlainField(
                ui.description,
                state::description,
                "How she describes herself",
                singleLine = false,
                minLines = 2,
                problem = problemAt(PersonField.DESCRIPTION),
            )
        }
        item {
            PlainField(
                ui.birthYear,
                state::birthYear,
                "Year of birth (if she said)",
                keyboardType = KeyboardType.Number,
                problem = problemAt(PersonField.BIRTH_YEAR),
            )
        }
        item { PlainField(ui.keyWorker, state::keyWorker, "Key worker", imeAction = ImeAction.Done, problem = problemAt(PersonField.KEY_WORKER)) }
        item { SwitchRow("Prefers a female worker", ui.prefersFemaleWorker, state::prefersFemaleWorker) }
        item { SwitchRow("Registered with outreach", ui.registeredWithOutreach, state::registeredWithOutreach) }
        if (ui.loading) item { BodyText("Opening…") }
    }
}
