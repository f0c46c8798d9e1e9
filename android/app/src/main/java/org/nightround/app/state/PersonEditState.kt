package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.PersonDraft
import uniffi.nightround_core.ValidationError

/** Her profile as the edit form holds it. */
data class PersonEditUi(
    val loading: Boolean = true,
    val alias: String = "",
    val description: String = "",
    val birthYear: String = "",
    val keyWorker: String = "",
    val prefersFemaleWorker: Boolean = false,
    val registeredWithOutreach: Boolean = false,
    val saving: Boolean = false,
    val problem: String? = null,
    /** The field the core refused, so the screen can mark it. */
    val problemField: PersonField? = null,
    val saved: Boolean = false,
) {
    val canSave: Boolean get() = !loading && !saving && !saved && alias.isNotBlank()
}

/** The fields of the profile form. */
enum class PersonField { ALIAS, DESCRIPTION, BIRTH_YEAR, KEY_WORKER }

/**
 * Editing a woman's profile: what she is known as, how she describes
 * herself, whether she prefers a female worker, her key worker. The core
 * validates and versions the change ([uniffi.nightround_ffi.NightroundVault.updatePerson]);
 * the team sees it after the next sync.
 */
class PersonEditState(
    private val guard: VaultGuard,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
    private val personId: String,
) {
    private val _ui = MutableStateFlow(PersonEditUi())
    val ui: StateFlow<PersonEditUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            when (val r = guard.call { it.person(personId) }) {
                is Outcome.Done -> {
                    val p = r.value
                    _ui.value = PersonEditUi(
                        loading = false,
                        alias = p.alias,
                        description = p.description.orEmpty(),
                        birthYear = p.birthYear?.toString().orEmpty(),
                        keyWorker = p.keyWorker.orEmpty(),
                        prefersFemaleWorker = p.prefersFemaleWorker,
                        registeredWithOutreach = p.registeredWithOutreach,
                    )
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    fun alias(text: String) = edit { it.copy(alias = text) }

    fun description(text: String) = edit { it.copy(description = text) }

    /** Digits only; the core decides which years are plausible. */
    fun birthYear(text: String) = edit { it.copy(birthYear = text.filter(Char::isDigit).take(4)) }

    fun keyWorker(text: String) = edit { it.copy(keyWorker = text) }

    fun prefersFemaleWorker(on: Boolean) = edit { it.copy(prefersFemaleWorker = on) }

    fun registeredWithOutreach(on: Boolean) = edit { it.copy(registeredWithOutreach = on) }

    private fun edit(change: (PersonEditUi) -> PersonEditUi) =
        _ui.update { change(it).copy(problem = null, problemField = null, saved = false) }

    fun save() {
        val ui = _ui.value
        if (!ui.canSave) return
        val draft = PersonDraft(
            alias = ui.alias,
            description = ui.description.ifBlank { null },
            birthYear = ui.birthYear.toIntOrNull(),
            registeredWithOutreach = ui.registeredWithOutreach,
            prefersFemaleWorker = ui.prefersFemaleWorker,
            keyWorker = ui.keyWorker.ifBlank { null },
        )
        _ui.update { it.copy(saving = true, problem = null, problemField = null) }
        scope.launch {
            when (val r = guard.call { it.updatePerson(personId, draft) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    _ui.update { it.copy(saving = false, saved = true) }
                }
                is Outcome.Refused -> _ui.update { it.copy(saving = false, problem = r.words, problemField = field(r.reason)) }
            }
        }
    }

    private fun field(reason: ValidationError?): PersonField? = when (reason) {
        is ValidationError.EmptyAlias -> PersonField.ALIAS
        is ValidationError.BirthYearOutOfRange -> PersonField.BIRTH_YEAR
        is ValidationError.TextTooLong -> when (reason.v1) {
            uniffi.nightround_core.TextField.ALIAS -> PersonField.ALIAS
            uniffi.nightround_core.TextField.DESCRIPTION -> PersonField.DESCRIPTION
            uniffi.nightround_core.TextField.KEY_WORKER -> PersonField.KEY_WORKER
            else -> null
        }
        else -> null
    }
}
