package org.nightround.app.state

import java.time.Clock
import java.time.Instant
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.Contact
import uniffi.nightround_ffi.NightroundException
import uniffi.nightround_ffi.NightroundVault

/** A supply and how many went out. */
data class SupplyCount(val itemId: String, val name: String, val quantity: Int)

/** The round's numbers, as the summary card shows them. */
data class RoundNumbers(
    val contacts: Int,
    val peopleSeen: Int,
    val anonymous: Int,
    val firstContacts: Int,
    val safeguardingFlags: Int,
    val concerns: Int,
    val supplies: List<SupplyCount>,
)

/** One contact in tonight's list. */
data class ContactRow(
    val id: String,
    val personId: String?,
    val at: Instant,
    val who: String,
    val area: String,
    val flags: List<String>,
    val supplies: String,
    val hasNote: Boolean,
)

/** The "Tonight" screen. */
data class TonightUi(
    val loading: Boolean = true,
    val workerName: String = "",
    val roundStartedAt: Instant? = null,
    val numbers: RoundNumbers? = null,
    val contacts: List<ContactRow> = emptyList(),
    val activeAlerts: Int = 0,
    val waitingToSync: Long = 0,
    val problem: String? = null,
)

/**
 * "Tonight": the round so far (since the last local noon), the contacts in
 * it newest first, and how many alerts and unsynced changes there are.
 */
class TonightState(
    private val guard: VaultGuard,
    private val scope: CoroutineScope,
    private val clock: Clock = Clock.systemDefaultZone(),
) {
    private val _ui = MutableStateFlow(TonightUi())
    val ui: StateFlow<TonightUi> = _ui.asStateFlow()

    fun refresh() {
        scope.launch {
            val since = RoundClock.roundStart(clock.instant(), clock.zone)
            when (val r = guard.call { vault -> load(vault, since) }) {
                is Outcome.Done -> _ui.value = r.value
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    private fun load(vault: NightroundVault, since: Instant): TonightUi {
        val directory = vault.directory()
        val areaNames = directory.areas.associate { it.id to it.name }
        val supplyNames = directory.supplies.associate { it.id to it.name }
        val summary = vault.roundSummary(since)
        val contacts = vault.contactsSince(since)
        val aliases = aliasesOf(vault, contacts)
        return TonightUi(
            loading = false,
            workerName = vault.identity().displayName,
            roundStartedAt = since,
            numbers = RoundNumbers(
                contacts = summary.contacts.toInt(),
                peopleSeen = summary.peopleSeen.toInt(),
                anonymous = summary.anonymousContacts.toInt(),
                firstContacts = summary.firstContacts.toInt(),
                safeguardingFlags = summary.safeguardingFlags.toInt(),
                concerns = summary.concerns.toInt(),
                supplies = summary.supplies.map { SupplyCount(it.itemId, it.name, it.quantity.toInt()) },
            ),
            contacts = contacts.map { c ->
                ContactRow(
                    id = c.id,
                    personId = c.personId,
                    at = c.at,
                    who = c.personId?.let { aliases[it] ?: "Someone not on this phone" } ?: "Anonymous",
                    area = areaNames[c.areaId] ?: c.areaId,
                    flags = c.wellbeing.map(Labels::wellbeing),
                    supplies = c.supplies.joinToString(", ") { "${it.quantity} ${supplyNames[it.itemId] ?: it.itemId}" },
                    hasNote = !c.note.isNullOrBlank(),
                )
            },
            activeAlerts = vault.activeAlerts().size,
            waitingToSync = vault.pendingChanges().toLong(),
        )
    }

    /** The core's contact list has person ids only; one lookup per person seen tonight. */
    private fun aliasesOf(vault: NightroundVault, contacts: List<Contact>): Map<String, String> =
        contacts.mapNotNull { it.personId }.distinct().mapNotNull { id ->
            try {
                id to vault.person(id).alias
            } catch (_: NightroundException.NotFound) {
                null
            }
        }.toMap()
}
