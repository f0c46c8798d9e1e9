package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.Agency

/** One service on the leaflet. */
data class AgencyRow(
    val id: String,
    val name: String,
    val offers: String,
    val address: String,
    val openingTimes: String,
    val phone: String,
    /** Digits (and a leading +) to hand to the dialler; null when there is nothing to dial. */
    val dialNumber: String?,
    /** The details are invented demo data, to be replaced by the partnership's. */
    val exampleDetails: Boolean,
)

/** The leaflet, all agencies and those matching the search. */
data class DirectoryUi(
    val loading: Boolean = true,
    val query: String = "",
    val agencies: List<AgencyRow> = emptyList(),
    val shown: List<AgencyRow> = emptyList(),
    val problem: String? = null,
)

/**
 * The leaflet the women asked for: each agency, what it does, where it is,
 * when it is open and how to reach it, searchable by name or by what it offers.
 */
class DirectoryState(
    private val guard: VaultGuard,
    private val scope: CoroutineScope,
) {
    private val _ui = MutableStateFlow(DirectoryUi())
    val ui: StateFlow<DirectoryUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            when (val r = guard.call { it.directory().agencies }) {
                is Outcome.Done -> {
                    val rows = r.value.map(::row)
                    _ui.update { it.copy(loading = false, agencies = rows, shown = filter(rows, it.query)) }
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    fun query(text: String) = _ui.update { it.copy(query = text, shown = filter(it.agencies, text)) }

    private fun filter(rows: List<AgencyRow>, query: String): List<AgencyRow> {
        val q = query.trim()
        if (q.isEmpty()) return rows
        return rows.filter { it.name.contains(q, ignoreCase = true) || it.offers.contains(q, ignoreCase = true) }
    }

    private fun row(a: Agency) = AgencyRow(
        id = a.id,
        name = a.name,
        offers = a.offers,
        address = a.address,
        openingTimes = a.openingTimes,
        phone = a.phone,
        dialNumber = dialable(a.phone),
        exampleDetails = a.exampleDetails,
    )

    companion object {
        fun dialable(phone: String): String? {
            val digits = phone.filterIndexed { i, ch -> ch.isDigit() || (ch == '+' && i == phone.indexOfFirst { !it.isWhitespace() }) }
            return digits.takeIf { d -> d.count { it.isDigit() } >= 3 }
        }
    }
}
