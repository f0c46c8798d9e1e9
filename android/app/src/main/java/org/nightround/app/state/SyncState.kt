package org.nightround.app.state

import java.time.Clock
import java.time.Instant
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The sync screen: counts, times and the last problem, all from the core. */
data class SyncUi(
    val loading: Boolean = true,
    val enrolled: Boolean = false,
    val waiting: Long = 0,
    val heldBack: Long = 0,
    val heldBackReasons: List<String> = emptyList(),
    val lastSuccess: Instant? = null,
    val lastProblem: String? = null,
    val leaseExpires: Instant? = null,
    val leaseExpired: Boolean = false,
    val syncing: Boolean = false,
    val lastRun: String? = null,
    val problem: String? = null,
)

/**
 * What is waiting to reach the server, when it last got there, and the last
 * problem in plain words; "sync now" runs through the same [SyncRunner] as
 * the background job, so the two never run at once.
 */
class SyncState(
    private val guard: VaultGuard,
    private val runner: SyncRunner,
    private val scope: CoroutineScope,
    private val clock: Clock = Clock.systemUTC(),
) {
    private val _ui = MutableStateFlow(SyncUi())
    val ui: StateFlow<SyncUi> = _ui.asStateFlow()

    fun load() {
        scope.launch { readStatus() }
    }

    fun syncNow() {
        if (_ui.value.syncing) return
        _ui.update { it.copy(syncing = true, lastRun = null, problem = null) }
        scope.launch {
            val words = when (val r = runner.syncUntilQuiet()) {
                is SyncRunner.Result.Synced -> summary(r)
                is SyncRunner.Result.NotNow -> r.words
                is SyncRunner.Result.Offline -> r.words
                is SyncRunner.Result.Refused -> r.words
                is SyncRunner.Result.Erased -> r.words
            }
            _ui.update { it.copy(syncing = false, lastRun = words) }
            readStatus()
        }
    }

    private suspend fun readStatus() {
        val r = guard.call { vault -> vault.syncStatus() to vault.quarantineReasons() }
        when (r) {
            is Outcome.Done -> {
                val (s, reasons) = r.value
                _ui.update {
                    it.copy(
                        loading = false,
                        enrolled = s.enrolled,
                        waiting = s.pending.toLong(),
                        heldBack = s.quarantined.toLong(),
                        heldBackReasons = reasons,
                        lastSuccess = s.lastSuccess,
                        lastProblem = s.lastError?.let(Problems::sentence),
                        leaseExpires = s.leaseExpires,
                        leaseExpired = s.leaseExpires?.isBefore(clock.instant()) == true,
                    )
                }
            }
            is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
        }
    }

    private fun summary(r: SyncRunner.Result.Synced): String {
        val parts = mutableListOf<String>()
        parts += if (r.sent + r.alreadyThere == 0L) "Nothing new to send" else "Sent ${Labels.plural((r.sent + r.alreadyThere).toInt(), "change")}"
        if (r.received > 0) parts += "received ${Labels.plural(r.received.toInt(), "change")}"
        if (r.heldBack > 0) parts += "${Labels.plural(r.heldBack.toInt(), "change")} held back (see below)"
        return parts.joinToString(", ") + "."
    }
}
