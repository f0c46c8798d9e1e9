package org.nightround.app.state

import java.time.Instant
import java.time.ZoneId
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.AlertView
import uniffi.nightround_core.Severity

/** One team alert, with the vehicle described in words. */
data class AlertRow(
    val id: String,
    val area: String,
    val what: String,
    val severity: Severity,
    val severityWords: String,
    val description: String,
    val vehicle: String?,
    val at: Instant,
    val until: Instant?,
)

/** The alerts screen: those in the area she is working in, then the rest. */
data class AlertsUi(
    val loading: Boolean = true,
    /** Colleagues' help calls and missed rounds: hers as buddy first. Shown above everything else. */
    val safety: List<SafetyAlertRow> = emptyList(),
    val hereName: String? = null,
    val here: List<AlertRow> = emptyList(),
    val elsewhere: List<AlertRow> = emptyList(),
    val problem: String? = null,
)

/**
 * Colleagues' help calls and missed rounds first (those where she is the
 * buddy at the top, in the core's order), then team alerts still in force, those for the area she is working in first
 * (the area of her last contact), then the rest; within each, the core's
 * order: most serious, then most recent.
 */
class AlertsState(
    private val guard: VaultGuard,
    private val scope: CoroutineScope,
    private val zone: ZoneId = ZoneId.systemDefault(),
) {
    private val _ui = MutableStateFlow(AlertsUi())
    val ui: StateFlow<AlertsUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            val r = guard.call { vault ->
                val here = vault.lastArea()
                val hereName = here?.let { id -> vault.directory().areas.firstOrNull { it.id == id }?.name }
                Triple(here, hereName, vault.activeAlerts()) to vault.safetyAlerts()
            }
            when (r) {
                is Outcome.Done -> {
                    val (here, hereName, alerts) = r.value.first
                    val (mine, others) = alerts.partition { here != null && it.concern.areaId == here }
                    _ui.value = AlertsUi(
                        loading = false,
                        safety = SafetyAlertWords.rows(r.value.second, zone),
                        hereName = hereName,
                        here = mine.map(::row),
                        elsewhere = others.map(::row),
                    )
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    private fun row(a: AlertView): AlertRow {
        val c = a.concern
        val vehicle = c.vehicle?.let { v ->
            listOfNotNull(v.colour, v.make, v.partialRegistration?.let { "reg. includes $it" }).joinToString(" ").ifEmpty { null }
        }
        return AlertRow(
            id = c.id,
            area = a.areaName,
            what = Labels.concern(c.category),
            severity = c.severity,
            severityWords = Labels.severity(c.severity),
            description = c.description,
            vehicle = vehicle,
            at = c.at,
            until = c.alertUntil,
        )
    }
}
