package org.nightround.app.ui.screens

import android.Manifest
import android.content.pm.PackageManager
import android.os.Build
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.delay
import org.nightround.app.state.Labels
import org.nightround.app.state.OpenRound
import org.nightround.app.state.RoundState
import org.nightround.app.state.RoundUi
import org.nightround.app.ui.components.BigButton
import org.nightround.app.ui.components.BodyText
import org.nightround.app.ui.components.ChipRow
import org.nightround.app.ui.components.ChoiceChip
import org.nightround.app.ui.components.ConfirmDialog
import org.nightround.app.ui.components.Formats
import org.nightround.app.ui.components.InfoCard
import org.nightround.app.ui.components.NoticeText
import org.nightround.app.ui.components.ProblemText
import org.nightround.app.ui.components.ScreenFrame
import org.nightround.app.ui.components.SectionTitle
import org.nightround.app.ui.components.SmallButton
import org.nightround.app.ui.theme.Dimens
import org.nightround.app.ui.theme.Signals

/**
 * The lone-worker round. No round open: when she expects to finish, how
 * often she checks in, and who is told first if she goes quiet. A round
 * open: when the next check-in is due, in large type; one huge "I'm OK";
 * "Need help now", red, asked twice so a pocket or a shaking hand cannot
 * send it; and "End round".
 */
@Composable
fun RoundScreen(state: RoundState, onBack: () -> Unit, onQuickExit: () -> Unit) {
    val ui by state.ui.collectAsStateWithLifecycle()
    LaunchedEffect(state) { state.load() }
    // The countdown moves on by itself; the vault is asked again only when she acts.
    LaunchedEffect(state) {
        while (true) {
            delay(TICK_MILLIS)
            state.tick()
        }
    }

    if (ui.confirmEnd) {
        ConfirmDialog(
            title = "End your round?",
            text = "Check-ins stop and nobody will be told if you go quiet.",
            confirmLabel = "End round",
            onConfirm = state::end,
            onDismiss = state::cancelEnd,
        )
    }

    val open = ui.open
    if (open == null) StartForm(ui, state, onBack, onQuickExit) else OpenRoundView(open, ui, state, onBack, onQuickExit)
}

@Composable
private fun StartForm(ui: RoundUi, state: RoundState, onBack: () -> Unit, onQuickExit: () -> Unit) {
    val context = LocalContext.current
    // Reminders and colleagues' alerts are notifications: ask once, start either way.
    val askNotifications = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { state.start() }
    val start: () -> Unit = {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU &&
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) {
            askNotifications.launch(Manifest.permission.POST_NOTIFICATIONS)
        } else {
            state.start()
        }
    }
    ScreenFrame(
        title = "Start a round",
        onQuickExit = onQuickExit,
        onBack = onBack,
        bottom = {
            ProblemText(ui.problem)
            NoticeText(ui.message)
            BigButton(
                "Start round",
                start,
                enabled = ui.canStart,
                description = "Start round. Check in every ${Labels.plural(ui.checkInMinutes, "minute")}" +
                    (ui.endAt?.let { ", until ${Formats.time(it)}" } ?: ""),
            )
        },
    ) {
        item { SectionTitle("I expect to finish at") }
        item {
            Stepper(
                value = ui.endAt?.let(Formats::time) ?: "…",
                onLess = state::earlierEnd,
                onMore = state::laterEnd,
                lessDescription = "Finish 15 minutes earlier",
                moreDescription = "Finish 15 minutes later",
                valueDescription = "Expected to finish at ${ui.endAt?.let(Formats::time) ?: "not set"}",
            )
        }
        item { SectionTitle("Check in every") }
        item {
            Stepper(
                value = Labels.plural(ui.checkInMinutes, "minute"),
                onLess = state::fewerMinutes,
                onMore = state::moreMinutes,
                lessDescription = "Check in more often",
                moreDescription = "Check in less often",
                valueDescription = "Check in every ${Labels.plural(ui.checkInMinutes, "minute")}",
            )
        }
        item { SectionTitle("Buddy (told first if you go quiet)") }
        item {
            ChipRow {
                ChoiceChip("No buddy", ui.buddyId == null, { state.buddy(null) }, description = "No buddy: the team is told")
                ui.buddies.forEach { b ->
                    ChoiceChip(b.name, ui.buddyId == b.workerId, { state.buddy(b.workerId) }, description = "${b.name}, ${b.role}, as your buddy")
                }
            }
        }
        if (!ui.loading && ui.buddies.isEmpty()) {
            item { BodyText("No team list on this phone yet. It arrives with the next sync.", color = MaterialTheme.colorScheme.onSurfaceVariant) }
        }
        safetyItems(ui)
    }
}

@Composable
private fun OpenRoundView(open: OpenRound, ui: RoundUi, state: RoundState, onBack: () -> Unit, onQuickExit: () -> Unit) {
    ScreenFrame(
        title = "My round",
        onQuickExit = onQuickExit,
        onBack = onBack,
        bottom = {
            ProblemText(ui.problem)
            NoticeText(ui.message)
            HelpButton(onClick = state::needHelp, enabled = !ui.sendingHelp)
            Button(
                onClick = state::checkIn,
                enabled = ui.canCheckIn,
                shape = MaterialTheme.shapes.large,
                modifier = Modifier
                    .fillMaxWidth()
                    .heightIn(min = CHECK_IN_HEIGHT)
                    .semantics { contentDescription = "I'm OK. Check in now." },
            ) {
                Text("I'm OK — check in", style = MaterialTheme.typography.headlineSmall, textAlign = TextAlign.Center)
            }
        },
    ) {
        item {
            InfoCard(
                Modifier.semantics(mergeDescendants = true) {
                    liveRegion = LiveRegionMode.Polite
                    contentDescription = open.dueWords + ", at ${Formats.time(open.nextCheckInDue)}"
                },
            ) {
                Text(
                    open.dueWords,
                    style = MaterialTheme.typography.displaySmall,
                    fontWeight = FontWeight.SemiBold,
                    color = if (open.overdue) Signals.Red else MaterialTheme.colorScheme.onSurface,
                )
                Text(
                    "Next check-in due ${Formats.time(open.nextCheckInDue)}",
                    style = MaterialTheme.typography.titleMedium,
                    modifier = Modifier.padding(top = 8.dp),
                )
            }
        }
        if (open.raisedAsMissed) {
            item { ProblemText("Your team has been told you missed a check-in. Check in now to let them know you're all right.") }
        }
        if (open.pastExpectedEnd) {
            item { ProblemText("You're past the time you expected to finish (${Formats.time(open.expectedEnd)}). End the round when you're done.") }
        }
        if (open.unsent > 0) {
            item {
                BodyText(
                    "${Labels.plural(open.unsent, "check-in")} not sent yet: no signal. Kept on this phone; they go the moment there is.",
                    color = Signals.Amber,
                )
            }
        }
        item {
            InfoCard(Modifier.semantics(mergeDescendants = true) {}) {
                BodyText("Started ${Formats.time(open.startedAt)}, finishing about ${Formats.time(open.expectedEnd)}")
                BodyText("Checking in every ${Labels.plural(open.checkInMinutes, "minute")}")
                BodyText(open.buddyName?.let { "Buddy: $it" } ?: "No buddy: the team is told")
                open.areaName?.let { BodyText("Last area: $it") }
                BodyText(
                    open.lastCheckInAt?.let { "Last check-in ${Formats.time(it)} (${Labels.plural(open.checkIns, "check-in")} so far)" }
                        ?: "No check-ins yet",
                    color = MaterialTheme.colorScheme.onSurfaceVariant,
                )
            }
        }
        safetyItems(ui)
        item {
            SmallButton(
                "End round",
                state::askEnd,
                Modifier.fillMaxWidth(),
                enabled = !ui.busy,
                description = "End your round. Asks you to confirm.",
            )
        }
    }
}

/** The red button. One press only opens the "Send a help call?" question. */
@Composable
private fun HelpButton(onClick: () -> Unit, enabled: Boolean) {
    Button(
        onClick = onClick,
        enabled = enabled,
        colors = ButtonDefaults.buttonColors(containerColor = HELP_RED, contentColor = Color.White),
        shape = MaterialTheme.shapes.large,
        modifier = Modifier
            .fillMaxWidth()
            .heightIn(min = Dimens.BigTouch)
            .semantics { contentDescription = "Need help now. Asks you to confirm before anyone is told." },
    ) {
        Text("Need help now", style = MaterialTheme.typography.titleLarge, fontWeight = FontWeight.Bold)
    }
}

@Composable
private fun Stepper(
    value: String,
    onLess: () -> Unit,
    onMore: () -> Unit,
    lessDescription: String,
    moreDescription: String,
    valueDescription: String,
) {
    Row(
        modifier = Modifier.fillMaxWidth(),
        horizontalArrangement = Arrangement.spacedBy(Dimens.Gap),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        SmallButton("−", onLess, Modifier.heightIn(min = Dimens.BigTouch), description = lessDescription)
        Text(
            value,
            style = MaterialTheme.typography.headlineMedium,
            textAlign = TextAlign.Center,
            modifier = Modifier
                .weight(1f)
                .semantics { contentDescription = valueDescription },
        )
        SmallButton("+", onMore, Modifier.heightIn(min = Dimens.BigTouch), description = moreDescription)
    }
}

/** Colleagues' help calls and missed rounds, also on this screen: she may be someone's buddy. */
private fun androidx.compose.foundation.lazy.LazyListScope.safetyItems(ui: RoundUi) {
    if (ui.safety.isEmpty()) return
    item { SectionTitle("Colleagues") }
    items(ui.safety, key = { it.id + it.kind.name }) { SafetyAlertCard(it) }
}

private val CHECK_IN_HEIGHT = 120.dp
private val HELP_RED = Color(0xFFB3261E)
private const val TICK_MILLIS = 15_000L
