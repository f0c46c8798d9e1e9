package org.nightround.app.ui

import androidx.activity.compose.BackHandler
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.remember
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.nightround.app.AppGraph
import org.nightround.app.state.AlertsState
import org.nightround.app.state.ConcernState
import org.nightround.app.state.DirectoryState
import org.nightround.app.state.DuressPinState
import org.nightround.app.state.Navigator
import org.nightround.app.state.PersonEditState
import org.nightround.app.state.PersonState
import org.nightround.app.state.QuickContactState
import org.nightround.app.state.ReferralState
import org.nightround.app.state.RestockState
import org.nightround.app.state.RoundState
import org.nightround.app.state.Screen
import org.nightround.app.state.SettingsState
import org.nightround.app.state.SyncState
import org.nightround.app.state.TonightState
import org.nightround.app.ui.screens.AlertsScreen
import org.nightround.app.ui.screens.ConcernScreen
import org.nightround.app.ui.screens.DirectoryScreen
import org.nightround.app.ui.screens.DuressPinScreen
import org.nightround.app.ui.screens.PersonEditScreen
import org.nightround.app.ui.screens.PersonScreen
import org.nightround.app.ui.screens.QuickContactScreen
import org.nightround.app.ui.screens.ReferralScreen
import org.nightround.app.ui.screens.RestockScreen
import org.nightround.app.ui.screens.RoundScreen
import org.nightround.app.ui.screens.SettingsScreen
import org.nightround.app.ui.screens.SyncScreen
import org.nightround.app.ui.screens.TonightScreen

/**
 * The screens behind the PIN. A fresh [Navigator] per unlock: after a lock
 * she starts again at "Tonight", and the screen she was on (perhaps a
 * woman's page) is not what the next person to unlock sees first.
 */
@Composable
fun UnlockedApp(graph: AppGraph, actions: AppActions) {
    val nav = remember { Navigator() }
    val stack by nav.stack.collectAsStateWithLifecycle()
    val leaseExpired by graph.session.leaseExpired.collectAsStateWithLifecycle()
    LaunchedEffect(leaseExpired) { if (leaseExpired) nav.go(Screen.Sync) }
    val openNext by graph.openNext.collectAsStateWithLifecycle()
    LaunchedEffect(openNext) {
        openNext?.let { nav.go(it) }
        graph.openNext.value = null
    }
    BackHandler(enabled = stack.size > 1) { nav.back() }

    val back: () -> Unit = { nav.back() }
    val exit = actions.quickExit
    val screen = stack.last()
    key(screen) {
        when (screen) {
            Screen.Tonight -> TonightScreen(
                state = rememberHolder(screen) { TonightState(graph.guard, it) },
                nav = nav,
                onQuickExit = exit,
                onLock = { graph.session.lockNow() },
            )
            is Screen.QuickContact -> QuickContactScreen(
                state = rememberHolder(screen) { QuickContactState(graph.guard, graph.sync, it, screen.personId) },
                nav = nav,
                onQuickExit = exit,
            )
            is Screen.Person -> PersonScreen(
                state = rememberHolder(screen) { PersonState(graph.guard, graph.sync, it, screen.id) },
                nav = nav,
                onQuickExit = exit,
            )
            is Screen.EditPerson -> PersonEditScreen(
                state = rememberHolder(screen) { PersonEditState(graph.guard, graph.sync, it, screen.id) },
                onDone = back,
                onQuickExit = exit,
            )
            Screen.Restock -> RestockScreen(
                state = rememberHolder(screen) { RestockState(graph.guard, graph.sync, it) },
                onDone = back,
                onQuickExit = exit,
            )
            is Screen.Concern -> ConcernScreen(
                state = rememberHolder(screen) { ConcernState(graph.guard, graph.sync, it, screen.reportedBy) },
                onDone = back,
                onQuickExit = exit,
            )
            is Screen.Referral -> ReferralScreen(
                state = rememberHolder(screen) { ReferralState(graph.guard, graph.sync, it, screen.personId) },
                onDone = back,
                onQuickExit = exit,
            )
            Screen.Alerts -> AlertsScreen(
                state = rememberHolder(screen) { AlertsState(graph.guard, it) },
                onBack = back,
                onQuickExit = exit,
            )
            Screen.Round -> RoundScreen(
                state = rememberHolder(screen) {
                    RoundState(graph.guard, graph.sync, graph::syncNow, graph.roundWatcher, it)
                },
                onBack = back,
                onQuickExit = exit,
            )
            Screen.Directory -> DirectoryScreen(
                state = rememberHolder(screen) { DirectoryState(graph.guard, it) },
                onDial = actions.dial,
                onBack = back,
                onQuickExit = exit,
            )
            Screen.Sync -> SyncScreen(
                state = rememberHolder(screen) { SyncState(graph.guard, graph.syncRunner, it) },
                onBack = back,
                onQuickExit = exit,
            )
            Screen.Settings -> SettingsScreen(
                state = rememberHolder(screen) { SettingsState(graph.session, graph.guard, it, graph::coreVersion) },
                onLock = { graph.session.lockNow() },
                onDuressPin = { nav.go(Screen.DuressPin) },
                onBack = back,
                onQuickExit = exit,
            )
            Screen.DuressPin -> DuressPinScreen(
                state = rememberHolder(screen) { DuressPinState(graph.guard, it) },
                onBack = back,
                onQuickExit = exit,
            )
        }
    }
}
