package org.nightround.app.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.launch
import org.nightround.app.AppGraph
import org.nightround.app.state.AppSession
import org.nightround.app.state.EnrolState
import org.nightround.app.state.KeptChangesState
import org.nightround.app.state.UnlockState
import org.nightround.app.ui.components.quickExitGesture
import org.nightround.app.ui.screens.BrokenScreen
import org.nightround.app.ui.screens.EnrolScreen
import org.nightround.app.ui.screens.UnlockScreen

/**
 * The gate in front of everything: enrol, PIN, or the unlocked app. Nothing
 * behind the PIN is composed while the vault is locked, so no record is in
 * the UI tree then. The two-finger double tap for quick exit works on every
 * screen, including this one.
 */
@Composable
fun AppRoot(graph: AppGraph, actions: AppActions) {
    val gate by graph.session.gate.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    Box(
        Modifier
            .fillMaxSize()
            .background(MaterialTheme.colorScheme.background)
            .quickExitGesture(actions.quickExit),
    ) {
        when (val g = gate) {
            AppSession.Gate.Starting -> Unit
            is AppSession.Gate.Enrol -> {
                val state = rememberHolder(g) { s ->
                    EnrolState(graph.session, graph.home, graph.sync, s, graph.deviceName, notice = g.why)
                }
                val kept = rememberHolder(g) { s -> KeptChangesState(graph.home, s) }
                EnrolScreen(state, kept, onQuickExit = actions.quickExit)
            }
            AppSession.Gate.Locked -> {
                val state = rememberHolder(g) { s -> UnlockState(graph.session, graph.pinKeeper, graph.sync, s) }
                UnlockScreen(state, actions)
            }
            AppSession.Gate.Open -> UnlockedApp(graph, actions)
            is AppSession.Gate.Broken -> BrokenScreen(
                words = g.words,
                onRetry = { scope.launch { graph.session.start() } },
                onQuickExit = actions.quickExit,
            )
        }
    }
}
