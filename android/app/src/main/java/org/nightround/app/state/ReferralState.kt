package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.Agency
import uniffi.nightround_core.ConsentMethod
import uniffi.nightround_core.InfoCategory
import uniffi.nightround_core.InfoCategoryText
import uniffi.nightround_core.ReferralForm
import uniffi.nightround_core.Urgency
import uniffi.nightround_ffi.infoCategories
import uniffi.nightround_ffi.responseTimeWords

/** An agency she can be referred to, as the form lists it. */
data class AgencyChoice(
    val id: String,
    val name: String,
    val offers: String,
    val isPolice: Boolean,
    val ticked: Boolean,
    /** "Red within 24 hours · amber 3 days · green 1 week" */
    val responds: String,
)

/** The form, then the read-back that she agrees to. */
enum class ReferralStep { FORM, READ_BACK }

/**
 * The referral form; [readBack] holds the sentences read to her, as the core
 * words them ([categories] too: both apps say the same thing).
 */
data class ReferralUi(
    val loading: Boolean = true,
    val step: ReferralStep = ReferralStep.FORM,
    val person: PersonOption? = null,
    val query: String = "",
    val suggestions: List<PersonOption> = emptyList(),
    val agencies: List<AgencyChoice> = emptyList(),
    val urgency: Urgency? = null,
    val needs: String = "",
    val method: ConsentMethod = ConsentMethod.VERBAL,
    val covers: Set<InfoCategory> = emptySet(),
    val categories: List<InfoCategoryText> = infoCategories(),
    val readBack: List<String> = emptyList(),
    val saving: Boolean = false,
    val problem: String? = null,
    val savedCount: Int? = null,
) {
    val ticked: List<AgencyChoice> get() = agencies.filter { it.ticked }

    val canReview: Boolean
        get() = !loading && !saving && person != null && ticked.isNotEmpty() && urgency != null &&
            needs.isNotBlank() && covers.isNotEmpty()
}

/**
 * The universal referral form: one form, consent captured once and clearly,
 * agency by agency, with a red/amber/green urgency. Before anything is saved
 * the form is read back to her in plain words, and only her "yes" saves it.
 */
class ReferralState(
    private val guard: VaultGuard,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
    private val personId: String? = null,
) {
    private val _ui = MutableStateFlow(ReferralUi())
    val ui: StateFlow<ReferralUi> = _ui.asStateFlow()

    private var agencies: Map<String, Agency> = emptyMap()
    private val search = PeopleSearch(guard, scope) { found -> _ui.update { it.copy(suggestions = found) } }

    fun load() {
        scope.launch {
            val r = guard.call { vault ->
                vault.directory().agencies to personId?.let { vault.person(it) }?.let { PersonOption(it.id, it.alias, it.description) }
            }
            when (r) {
                is Outcome.Done -> {
                    val (list, person) = r.value
                    agencies = list.associateBy { it.id }
                    _ui.update { ui ->
                        ui.copy(
                            loading = false,
                            person = person ?: ui.person,
                            agencies = list.map { a ->
                                AgencyChoice(a.id, a.name, a.offers, a.isPolice, ticked = false, responds = responds(a))
                            },
                        )
                    }
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    fun query(text: String) {
        _ui.update { it.copy(query = text) }
        search.search(text)
    }

    fun choose(person: PersonOption) = _ui.update { it.copy(person = person, query = "", suggestions = emptyList()) }

    /** Ticking an agency is her consent for that agency to receive the referral. */
    fun tick(agencyId: String) = _ui.update { ui ->
        ui.copy(agencies = ui.agencies.map { if (it.id == agencyId) it.copy(ticked = !it.ticked) else it }, problem = null)
    }

    fun urgency(u: Urgency) = _ui.update { it.copy(urgency = u) }

    fun needs(text: String) = _ui.update { it.copy(needs = text.take(NEEDS_LIMIT)) }

    fun method(m: ConsentMethod) = _ui.update { it.copy(method = m) }

    fun cover(c: InfoCategory) = _ui.update { if (c in it.covers) it.copy(covers = it.covers - c) else it.copy(covers = it.covers + c) }

    /**
     * Shows what will be read back to her: the core's sentences, refused
     * exactly as saving would be refused (nothing is written).
     */
    fun review() {
        val ui = _ui.value
        if (!ui.canReview) return
        val form = form(ui) ?: return
        scope.launch {
            when (val r = guard.call { it.previewReferralForm(form) }) {
                is Outcome.Done -> _ui.update { it.copy(step = ReferralStep.READ_BACK, readBack = r.value.lines, problem = null) }
                is Outcome.Refused -> _ui.update { it.copy(problem = r.words) }
            }
        }
    }

    fun backToForm() = _ui.update { it.copy(step = ReferralStep.FORM) }

    /** She agreed to what was read back. */
    fun confirm() {
        val ui = _ui.value
        if (ui.step != ReferralStep.READ_BACK || ui.saving || ui.savedCount != null) return
        val form = form(ui) ?: return
        _ui.update { it.copy(saving = true, problem = null) }
        scope.launch {
            when (val r = guard.call { it.submitReferralForm(form) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    _ui.update { it.copy(saving = false, savedCount = r.value.size) }
                }
                is Outcome.Refused -> _ui.update { it.copy(saving = false, step = ReferralStep.FORM, problem = r.words) }
            }
        }
    }

    private fun form(ui: ReferralUi): ReferralForm? {
        val person = ui.person ?: return null
        val urgency = ui.urgency ?: return null
        return ReferralForm(
            personId = person.id,
            agencyIds = ui.ticked.map { it.id },
            urgency = urgency,
            needs = ui.needs,
            consentMethod = ui.method,
            consentCovers = ui.covers.sortedBy { it.ordinal },
            consentReviewAt = null,
        )
    }

    private fun responds(a: Agency): String {
        val r = a.response
        return "Red ${responseTimeWords(r.redHours)} · amber ${responseTimeWords(r.amberHours)} · green ${responseTimeWords(r.greenHours)}"
    }

    companion object {
        /** The core's bound on "what she needs" (TextField::Needs). */
        const val NEEDS_LIMIT = 1000
    }
}
