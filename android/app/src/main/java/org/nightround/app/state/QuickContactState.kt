package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.ContactDraft
import uniffi.nightround_core.ContactKind
import uniffi.nightround_core.PersonDraft
import uniffi.nightround_core.SupplyLine
import uniffi.nightround_core.TextField
import uniffi.nightround_core.ValidationError
import uniffi.nightround_core.WellbeingFlag

/** Who the contact was with. */
sealed interface Who {
    data object Anonymous : Who

    data class Known(val id: String, val alias: String) : Who

    /** Someone not yet on this phone, added when the contact is saved. */
    data class New(val alias: String) : Who
}

/** A named area she can be met in. */
data class AreaOption(val id: String, val name: String)

/** What happened after a save: where the screen should go next. */
data class SavedContact(val contactId: String, val personId: String?, val referNext: Boolean)

/** The quick-contact form: who, where, supplies; the rest behind [showMore]. */
data class QuickContactUi(
    val loading: Boolean = true,
    val query: String = "",
    val suggestions: List<PersonOption> = emptyList(),
    val who: Who = Who.Anonymous,
    val areas: List<AreaOption> = emptyList(),
    val areaId: String? = null,
    val supplies: List<SupplyCount> = emptyList(),
    val showMore: Boolean = false,
    val wellbeing: Set<WellbeingFlag> = emptySet(),
    val note: String = "",
    val noteLimit: Int = NOTE_LIMIT,
    val safeguardingAcknowledged: Boolean = false,
    val safeguardingPrompt: Boolean = false,
    val referAfterSaving: Boolean = false,
    val saving: Boolean = false,
    val problem: String? = null,
    val noteProblem: String? = null,
    val saved: SavedContact? = null,
) {
    val canRefer: Boolean get() = who !is Who.Anonymous
    val canSave: Boolean get() = !loading && !saving && areaId != null && saved == null

    companion object {
        /** The core's bound on a note (core/src/domain/validation.rs, TextField::Note). */
        const val NOTE_LIMIT = 500
    }
}

/**
 * The quick-contact form: at most three inputs on the first view (who, where,
 * what was handed out) and a save; wellbeing, a note and a referral are one
 * tap further ("more"). The area defaults to where her last contact was.
 */
class QuickContactState(
    private val guard: VaultGuard,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
    private val personId: String? = null,
) {
    private val _ui = MutableStateFlow(QuickContactUi())
    val ui: StateFlow<QuickContactUi> = _ui.asStateFlow()

    private var kind: ContactKind = ContactKind.OUTREACH_CONVERSATION
    private val search = PeopleSearch(guard, scope) { found -> _ui.update { it.copy(suggestions = found) } }

    fun load() {
        scope.launch {
            val r = guard.call { vault ->
                // Choices and defaults come from the core, the same on iOS.
                val form = vault.quickContactForm()
                val person = personId?.let { vault.person(it) }
                Defaults(form.areas.map { AreaOption(it.id, it.name) }, form.supplies.map { SupplyCount(it.id, it.name, 0) }, form.defaultKind, form.defaultAreaId, person?.let { Who.Known(it.id, it.alias) })
            }
            when (r) {
                is Outcome.Done -> {
                    val d = r.value
                    kind = d.kind
                    _ui.update {
                        it.copy(
                            loading = false,
                            areas = d.areas,
                            areaId = d.lastArea ?: d.areas.firstOrNull()?.id,
                            supplies = d.supplies,
                            who = d.person ?: it.who,
                        )
                    }
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    fun query(text: String) {
        _ui.update { it.copy(query = text, problem = null) }
        search.search(text)
    }

    fun choose(person: PersonOption) =
        _ui.update { it.copy(who = Who.Known(person.id, person.alias), query = "", suggestions = emptyList(), problem = null) }

    /** Adds the typed name as someone new (saved with the contact). */
    fun chooseNew() {
        val alias = _ui.value.query.trim()
        if (alias.isEmpty()) return
        _ui.update { it.copy(who = Who.New(alias), query = "", suggestions = emptyList(), problem = null) }
    }

    fun chooseAnonymous() =
        _ui.update { it.copy(who = Who.Anonymous, query = "", suggestions = emptyList(), referAfterSaving = false, problem = null) }

    fun area(id: String) = _ui.update { it.copy(areaId = id) }

    fun more(itemId: String) = changeSupply(itemId, +1)

    fun less(itemId: String) = changeSupply(itemId, -1)

    private fun changeSupply(itemId: String, by: Int) = _ui.update { ui ->
        ui.copy(
            supplies = ui.supplies.map { s ->
                if (s.itemId == itemId) s.copy(quantity = (s.quantity + by).coerceIn(0, MAX_QUANTITY)) else s
            },
        )
    }

    fun toggleMore() = _ui.update { it.copy(showMore = !it.showMore) }

    fun toggle(flag: WellbeingFlag) = _ui.update { ui ->
        val flags = if (flag in ui.wellbeing) ui.wellbeing - flag else ui.wellbeing + flag
        ui.copy(
            wellbeing = flags,
            safeguardingAcknowledged = ui.safeguardingAcknowledged && WellbeingFlag.APPEARS_UNDER18 in flags,
        )
    }

    fun note(text: String) = _ui.update { it.copy(note = text.take(it.noteLimit), noteProblem = null) }

    fun referAfterSaving(on: Boolean) = _ui.update { it.copy(referAfterSaving = on && it.canRefer) }

    /** The worker has followed the safeguarding procedure for someone who may be under 18. */
    fun acknowledgeSafeguarding() {
        _ui.update { it.copy(safeguardingAcknowledged = true, safeguardingPrompt = false) }
        save()
    }

    fun dismissSafeguarding() = _ui.update { it.copy(safeguardingPrompt = false) }

    fun save() {
        var ui = _ui.value
        if (!ui.canSave) return
        val areaId = ui.areaId ?: return
        // A name typed but not chosen must not turn into an anonymous contact.
        val typed = ui.query.trim()
        if (ui.who is Who.Anonymous && typed.isNotEmpty()) {
            val exact = ui.suggestions.filter { it.alias.equals(typed, ignoreCase = true) }
            if (exact.size != 1) {
                _ui.update { it.copy(problem = "Choose her from the list, add her as someone new, or clear the name for an anonymous contact.") }
                return
            }
            choose(exact.single())
            ui = _ui.value
        }
        if (WellbeingFlag.APPEARS_UNDER18 in ui.wellbeing && !ui.safeguardingAcknowledged) {
            _ui.update { it.copy(safeguardingPrompt = true) }
            return
        }
        _ui.update { it.copy(saving = true, problem = null, noteProblem = null) }
        scope.launch {
            // A new person is added first and kept as Known, so a retry after
            // a refused contact never adds her twice.
            val who = ui.who
            val personId: String? = when (who) {
                is Who.Anonymous -> null
                is Who.Known -> who.id
                is Who.New -> when (val added = guard.call { it.addPerson(PersonDraft(who.alias, null, null, false, false, null)) }) {
                    is Outcome.Done -> {
                        _ui.update { it.copy(who = Who.Known(added.value.id, added.value.alias)) }
                        added.value.id
                    }
                    is Outcome.Refused -> {
                        _ui.update { it.copy(saving = false, problem = added.words) }
                        return@launch
                    }
                }
            }
            val draft = ContactDraft(
                personId = personId,
                at = null,
                areaId = areaId,
                kind = kind,
                wellbeing = ui.wellbeing.sortedBy { it.ordinal },
                note = ui.note.trim().ifEmpty { null },
                supplies = ui.supplies.filter { it.quantity > 0 }.map { SupplyLine(it.itemId, it.quantity.toUInt()) },
                safeguardingAcknowledged = ui.safeguardingAcknowledged,
            )
            when (val r = guard.call { it.recordContact(draft) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    _ui.update {
                        it.copy(saving = false, saved = SavedContact(r.value.id, personId, it.referAfterSaving && personId != null))
                    }
                }
                is Outcome.Refused -> _ui.update {
                    val reason = r.reason
                    val aboutNote = reason is ValidationError.TextTooLong && reason.v1 == TextField.NOTE
                    it.copy(
                        saving = false,
                        problem = if (aboutNote) null else r.words,
                        noteProblem = if (aboutNote) r.words else null,
                        showMore = it.showMore || aboutNote,
                    )
                }
            }
        }
    }

    private data class Defaults(
        val areas: List<AreaOption>,
        val supplies: List<SupplyCount>,
        val kind: ContactKind,
        val lastArea: String?,
        val person: Who.Known?,
    )

    companion object {
        /** Chips stop here; the core has its own plausibility bound. */
        const val MAX_QUANTITY = 99
    }
}
