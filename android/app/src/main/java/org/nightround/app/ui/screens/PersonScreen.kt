package org.nightround.app.ui.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
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
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.state.ConsentRow
import org.nightround.app.state.Labels
import org.nightround.app.state.Navigator
import org.nightround.app.state.PersonState
import org.nightround.app.state.ReferralRow
import org.nightround.app.state.Screen
import org.nightround.app.state.TimelineRow
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.ConfirmDialog
import org.nightround.app.ui.components.Formats
import org.nightround.app.ui.components.InfoCard
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SmallButton
import org.nightround.app.ui.theme.Signals
import uniffi.nightround_core.ConsentState

/** Her page: what she has told us, her open referrals, her consents agency by agency, and the timeline. */
@Composable
fun PersonScreen(state: PersonState, nav: Navigator, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }

    ui.confirmWithdraw?.let { consent ->
        ConfirmDialog(
            title = "Withdraw consent for ${consent.agency}?",
            text = "Nothing more about her goes to ${consent.agency}, and no new referral to them can be made until she agrees again.",
            confirmLabel = "She withdraws it",
            onConfirm = state::confirmWithdraw,
            onDismiss = state::cancelWithdraw,
        )
    }

    val header = ui.header
    ScreenFrame(
        title = header?.alias ?: "Her page",
        onQuickExit = onQuickExit,
        onBack = { nav.back() },
        bottom = {
            if (header != null) {
                ChipRow {
                    SmallButton("New contact", { nav.go(Screen.QuickContact(header.id)) }, description = "New contact with ${header.alias}")
                    SmallButton("Edit profile", { nav.go(Screen.EditPerson(header.id)) }, description = "Edit ${header.alias}'s profile")
                    SmallButton("Referral", { nav.go(Screen.Referral(header.id)) }, description = "Make a referral for ${header.alias}")
                    SmallButton(
                        text = "Safety concern",
                        description = "Record a safety concern ${header.alias} reported",
                        onClick = { nav.go(Screen.Concern(header.id)) },
                    )
                }
            }
        },
    ) {
        item { ProblemText(ui.problem) }
        ui.notice?.let { item { NoticeText(it) } }
        header?.let { h ->
            item {
                InfoCard(Modifier.semantics(mergeDescendants = true) {}) {
                    Text(h.alias, style = MaterialTheme.typography.titleLarge)
                    h.description?.let { BodyText(it) }
                    h.keyWorker?.let { BodyText("Key worker: $it") }
                    if (h.prefersFemaleWorker) BodyText("Prefers to see a female worker")
                    BodyText(if (h.registeredWithOutreach) "Registered with outreach" else "Not registered with outreach yet")
                }
            }
        }
        if (ui.referrals.isNotEmpty()) {
            item { SectionTitle("Open referrals") }
            items(ui.referrals, key = { it.id }) { ReferralCard(it, state) }
        }
        if (ui.consents.isNotEmpty()) {
            item { SectionTitle("Consents") }
            items(ui.consents, key = { it.id }) { ConsentCard(it) { state.askWithdraw(it.id) } }
        }
        item { SectionTitle("Timeline") }
        if (!ui.loading && ui.timeline.isEmpty()) item { BodyText("Nothing recorded yet.") }
        items(ui.timeline, key = { it.key }) { TimelineCard(it) }
        if (ui.timelineTotal > ui.timeline.size) {
            item {
                SmallButton(
                    "Show older",
                    state::showOlder,
                    description = "Show older entries: ${ui.timeline.size} of ${ui.timelineTotal} shown",
                )
            }
        }
    }
}

@Composable
private fun ReferralCard(r: ReferralRow, state: PersonState) {
    InfoCard {
        Row(verticalAlignment = Alignment.CenterVertically) {
            Box(Modifier.size(14.dp).background(Signals.urgency(r.urgency), CircleShape))
            Text("${r.agency} · ${Labels.urgency(r.urgency)}", style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(start = 8.dp))
        }
        BodyText(r.status)
        BodyText(
            (if (r.overdue) "Past its response time: due " else "Response due ") + Formats.dayTime(r.dueAt),
            color = if (r.overdue) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
        )
        BodyText(r.needs, color = MaterialTheme.colorScheme.onSurfaceVariant)
        if (r.nextSteps.isNotEmpty()) {
            ChipRow(Modifier.padding(top = 8.dp)) {
                r.nextSteps.forEach { (status, words) ->
                    SmallButton(words, { state.moveReferral(r.id, status) }, description = "Mark the ${r.agency} referral as: $words")
                }
            }
        }
    }
}

@Composable
private fun ConsentCard(c: ConsentRow, onWithdraw: () -> Unit) {
    InfoCard {
        Text(c.agency, style = MaterialTheme.typography.titleMedium)
        BodyText(
            c.stateWords,
            color = if (c.state == ConsentState.VALID) MaterialTheme.colorScheme.secondary else MaterialTheme.colorScheme.tertiary,
        )
        BodyText("Covers: " + c.covers.joinToString("; "))
        BodyText("${c.method}, ${Formats.day(c.givenAt)}. Check with her again by ${Formats.day(c.reviewAt)}.")
        if (c.state != ConsentState.WITHDRAWN) {
            SmallButton("She withdraws this consent", onWithdraw, Modifier.padding(top = 8.dp), description = "She withdraws her consent for ${c.agency}")
        }
    }
}

@Composable
private fun TimelineCard(t: TimelineRow) {
    InfoCard(Modifier.semantics(mergeDescendants = true) {}) {
        Column(verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Text(Formats.dayTime(t.at), style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
            Text(t.title, style = MaterialTheme.typography.titleMedium)
            t.detail?.let { BodyText(it) }
        }
    }
}
