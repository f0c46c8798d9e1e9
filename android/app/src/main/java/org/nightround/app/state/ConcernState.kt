package org.nightround.app.state

import java.time.Clock
import java.time.Duration
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.ConcernCategory
import uniffi.nightround_core.ConcernDraft
import uniffi.nightround_core.Severity
import uniffi.nightround_core.Vehicle

/** The concern form. Sharing as a team alert is on by default; telling the police is off until she agrees. */
data class ConcernUi(
    val loading: Boolean = true,
    val category: ConcernCategory? = null,
    val description: String = "",
    val vehicleMake: String = "",
    val vehicleColour: String = "",
    val partialRegistration: String = "",
    val areas: List<AreaOption> = emptyList(),
    val areaId: String? = null,
    val severity: Severity = Severity.MEDIUM,
    val shareAsTeamAlert: Boolean = true,
    val alertDays: Int = DEFAULT_ALERT_DAYS,
    val alertDayChoices: List<Int> = ALERT_DAY_CHOICES,
    val policeConsent: Boolean = false,
    /** Who told us, if she is known and wants it recorded; null keeps it anonymous. */
    val reportedBy: PersonOption? = null,
    val keepAnonymous: Boolean = false,
    val saving: Boolean = false,
    val problem: String? = null,
    val saved: Boolean = false,
) {
    val canSave: Boolean get() = !loading && !saving && !saved && category != null && areaId != null && description.isNotBlank()

    companion object {
        const val DEFAULT_ALERT_DAYS = 14

        /** The core allows an alert of at most 90 days (core/src/domain/concern.rs). */
        val ALERT_DAY_CHOICES = listOf(1, 7, 14, 28, 90)
    }
}

/**
 * The "ugly mug" form: what happened, a description of the man and his
 * vehicle, where, how serious, and whether every team phone should get it as
 * an alert. Whether it may go to the police is her choice, asked separately.
 */
class ConcernState(
    private val guard: VaultGuard,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
    private val reportedById: String? = null,
    private val clock: Clock = Clock.systemUTC(),
) {
    private val _ui = MutableStateFlow(ConcernUi())
    val ui: StateFlow<ConcernUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            val r = guard.call { vault ->
                val areas = vault.directory().areas.map { AreaOption(it.id, it.name) }
                val last = vault.lastArea()
                val person = reportedById?.let { vault.person(it) }?.let { PersonOption(it.id, it.alias, null) }
                Triple(areas, last, person)
            }
            when (r) {
                is Outcome.Done -> {
                    val (areas, last, person) = r.value
                    _ui.update {
                        it.copy(
                            loading = false,
                            areas = areas,
                            areaId = last?.takeIf { id -> areas.any { a -> a.id == id } } ?: areas.firstOrNull()?.id,
                            reportedBy = person,
                        )
                    }
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    fun category(c: ConcernCategory) = _ui.update { it.copy(category = c, problem = null) }

    fun description(text: String) = _ui.update { it.copy(description = text, problem = null) }

    fun vehicleMake(text: String) = _ui.update { it.copy(vehicleMake = text) }

    fun vehicleColour(text: String) = _ui.update { it.copy(vehicleColour = text) }

    fun partialRegistration(text: String) = _ui.update { it.copy(partialRegistration = text.uppercase()) }

    fun area(id: String) = _ui.update { it.copy(areaId = id) }

    fun severity(s: Severity) = _ui.update { it.copy(severity = s) }

    fun shareAsTeamAlert(on: Boolean) = _ui.update { it.copy(shareAsTeamAlert = on) }

    fun alertDays(days: Int) = _ui.update { if (days in it.alertDayChoices) it.copy(alertDays = days) else it }

    fun policeConsent(on: Boolean) = _ui.update { it.copy(policeConsent = on) }

    fun keepAnonymous(on: Boolean) = _ui.update { it.copy(keepAnonymous = on) }

    fun save() {
        val ui = _ui.value
        if (!ui.canSave) return
        val category = ui.category ?: return
        val areaId = ui.areaId ?: return
        val vehicle = Vehicle(
            make = ui.vehicleMake.trim().ifEmpty { null },
            colour = ui.vehicleColour.trim().ifEmpty { null },
            partialRegistration = ui.partialRegistration.trim().ifEmpty { null },
        ).takeIf { it.make != null || it.colour != null || it.partialRegistration != null }
        val draft = ConcernDraft(
            category = category,
            description = ui.description,
            vehicle = vehicle,
            areaId = areaId,
            at = null,
            severity = ui.severity,
            alertUntil = if (ui.shareAsTeamAlert) clock.instant().plus(Duration.ofDays(ui.alertDays.toLong())) else null,
            policeConsent = ui.policeConsent,
            reportedBy = ui.reportedBy?.id?.takeUnless { ui.keepAnonymous },
        )
        _ui.update { it.copy(saving = true, problem = null) }
        scope.launch {
            when (val r = guard.call { it.raiseConcern(draft) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    _ui.update { it.copy(saving = false, saved = true) }
                }
                is Outcome.Refused -> _ui.update { it.copy(saving = false, problem = r.words) }
            }
        }
    }
}
