package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.SupplyDropDraft
import uniffi.nightround_core.SupplyLine
import uniffi.nightround_core.SupplyPurpose

/** The supplies-only form: where, why, and how many of each item. */
data class RestockUi(
    val loading: Boolean = true,
    val areas: List<AreaOption> = emptyList(),
    val areaId: String? = null,
    val purpose: SupplyPurpose = SupplyPurpose.RESTOCK_DROP_POINT,
    val purposes: List<Pair<SupplyPurpose, String>> = PURPOSES,
    val supplies: List<SupplyCount> = emptyList(),
    val saving: Boolean = false,
    val problem: String? = null,
    /** Set once saved: what the screen says before going back. */
    val saved: String? = null,
) {
    val total: Int get() = supplies.sumOf { it.quantity }
    val canSave: Boolean get() = !loading && !saving && saved == null && areaId != null && total > 0

    companion object {
        val PURPOSES = listOf(
            SupplyPurpose.RESTOCK_DROP_POINT to "Topped up the drop box",
            SupplyPurpose.LEFT_WITH_PARTNER to "Left with a partner or hostel",
            SupplyPurpose.HANDED_OUT to "Handed out, no conversation",
        )
    }
}

/**
 * Supplies that went out without a contact: restocking the hidden drop box
 * only the women know, a handful left with a hostel. No one is named. The
 * areas and the catalogue are the core's (the quick-contact form's), the
 * area defaults to where she last was, and the core checks every line
 * against the catalogue ([uniffi.nightround_ffi.NightroundVault.recordSupplies]).
 */
class RestockState(
    private val guard: VaultGuard,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
) {
    private val _ui = MutableStateFlow(RestockUi())
    val ui: StateFlow<RestockUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            when (val r = guard.call { it.quickContactForm() }) {
                is Outcome.Done -> {
                    val form = r.value
                    _ui.update {
                        it.copy(
                            loading = false,
                            areas = form.areas.map { a -> AreaOption(a.id, a.name) },
                            areaId = form.defaultAreaId ?: form.areas.firstOrNull()?.id,
                            supplies = form.supplies.map { s -> SupplyCount(s.id, s.name, 0) },
                        )
                    }
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    fun area(id: String) = _ui.update { ui -> if (ui.areas.any { it.id == id }) ui.copy(areaId = id, problem = null) else ui }

    fun purpose(p: SupplyPurpose) = _ui.update { it.copy(purpose = p, problem = null) }

    fun more(itemId: String) = change(itemId, +1)

    fun less(itemId: String) = change(itemId, -1)

    /** A box of 50 at once, for a drop box top-up. */
    fun moreBy(itemId: String, by: Int) = change(itemId, by)

    private fun change(itemId: String, by: Int) = _ui.update { ui ->
        ui.copy(
            problem = null,
            supplies = ui.supplies.map { s ->
                if (s.itemId == itemId) s.copy(quantity = (s.quantity + by).coerceIn(0, MAX_QUANTITY)) else s
            },
        )
    }

    fun save() {
        val ui = _ui.value
        if (!ui.canSave) return
        val area = ui.areaId ?: return
        val lines = ui.supplies.filter { it.quantity > 0 }.map { SupplyLine(it.itemId, it.quantity.toUInt()) }
        _ui.update { it.copy(saving = true, problem = null) }
        scope.launch {
            when (val r = guard.call { it.recordSupplies(SupplyDropDraft(null, area, ui.purpose, lines)) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    val areaName = ui.areas.firstOrNull { it.id == area }?.name ?: area
                    _ui.update { it.copy(saving = false, saved = "Saved: ${Labels.plural(ui.total, "item")}, $areaName.") }
                }
                is Outcome.Refused -> _ui.update { it.copy(saving = false, problem = r.words) }
            }
        }
    }

    companion object {
        /** The core's bound on one line (core/src/domain/supplies.rs, MAX_QUANTITY). */
        const val MAX_QUANTITY = 500
    }
}
