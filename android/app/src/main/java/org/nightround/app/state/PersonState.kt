package org.nightround.app.state

import java.time.Instant
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.ConsentState
import uniffi.nightround_core.ConsentView
import uniffi.nightround_core.Directory
import uniffi.nightround_core.ReferralStatus
import uniffi.nightround_core.TimelineEntry
import uniffi.nightround_core.Urgency
import uniffi.nightround_ffi.NightroundVault
import uniffi.nightround_ffi.infoCategoryText

/** Who she is, as she described herself. */
data class PersonHeader(
    val id: String,
    val alias: String,
    val description: String?,
    val keyWorker: String?,
    val prefersFemaleWorker: Boolean,
    val registeredWithOutreach: Boolean,
)

/** What a timeline row is about, so the screen can mark it. */
enum class TimelineKind { CONTACT, REFERRAL, CONSENT, CONCERN }

/** One thing that happened, already in words. */
data class TimelineRow(val key: String, val at: Instant, val kind: TimelineKind, val title: String, val detail: String?)

/** Her consent for one agency, with whether it still holds. */
data class ConsentRow(
    val id: String,
    val agency: String,
    val method: String,
    val covers: List<String>,
    val givenAt: Instant,
    val reviewAt: Instant,
    val state: ConsentState,
    val stateWords: String,
)

/** An open referral and the status moves the core allows next. */
data class ReferralRow(
    val id: String,
    val agency: String,
    val urgency: Urgency,
    val status: String,
    val dueAt: Instant,
    val overdue: Boolean,
    val needs: String,
    val nextSteps: List<Pair<ReferralStatus, String>>,
)

/** Her page; [confirmWithdraw] is set while a withdrawal is being confirmed. */
data class PersonUi(
    val loading: Boolean = true,
    val header: PersonHeader? = null,
    val timeline: List<TimelineRow> = emptyList(),
    val consents: List<ConsentRow> = emptyList(),
    val referrals: List<ReferralRow> = emptyList(),
    /** How many timeline entries she has in all; more than shown offers "older". */
    val timelineTotal: Int = 0,
    val confirmWithdraw: ConsentRow? = null,
    val busy: Boolean = false,
    val problem: String? = null,
    /** "N records could not be read": damaged rows are left out, not the page. */
    val notice: String? = null,
)

/**
 * One woman's page: who she is (as she described herself), everything this
 * phone knows about her newest first, her consents agency by agency, and her
 * open referrals with the next steps the core allows.
 */
class PersonState(
    private val guard: VaultGuard,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
    private val personId: String,
) {
    private val _ui = MutableStateFlow(PersonUi())
    val ui: StateFlow<PersonUi> = _ui.asStateFlow()
    private var timelineLimit = TIMELINE_PAGE

    fun load() {
        scope.launch {
            when (val r = guard.call { vault -> read(vault) }) {
                is Outcome.Done -> _ui.value = r.value
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    /** Shows the next page of older timeline entries. */
    fun showOlder() {
        timelineLimit += TIMELINE_PAGE
        load()
    }

    fun askWithdraw(consentId: String) =
        _ui.update { ui -> ui.copy(confirmWithdraw = ui.consents.firstOrNull { it.id == consentId }) }

    fun cancelWithdraw() = _ui.update { it.copy(confirmWithdraw = null) }

    /** She has withdrawn her consent for one agency. */
    fun confirmWithdraw() {
        val consent = _ui.value.confirmWithdraw ?: return
        _ui.update { it.copy(confirmWithdraw = null, busy = true) }
        scope.launch {
            when (val r = guard.call { it.withdrawConsent(consent.id) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    load()
                }
                is Outcome.Refused -> _ui.update { it.copy(busy = false, problem = r.words) }
            }
        }
    }

    fun moveReferral(referralId: String, to: ReferralStatus) {
        _ui.update { it.copy(busy = true) }
        scope.launch {
            when (val r = guard.call { it.setReferralStatus(referralId, to) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    load()
                }
                is Outcome.Refused -> _ui.update { it.copy(busy = false, problem = r.words) }
            }
        }
    }

    /**
     * One call for her profile, her consents with their state now and her
     * open referrals ([NightroundVault.personScreen]), and one page of her
     * timeline: the state of a consent is the core's, never worked out here.
     */
    private fun read(vault: NightroundVault): PersonUi {
        val screen = vault.personScreen(personId)
        val page = vault.timelinePage(personId, 0u, timelineLimit)
        val directory = vault.directory()
        val p = screen.person
        return PersonUi(
            loading = false,
            header = PersonHeader(p.id, p.alias, p.description, p.keyWorker, p.prefersFemaleWorker, p.registeredWithOutreach),
            timeline = page.entries.map { timelineRow(it, directory) },
            timelineTotal = page.total.toInt(),
            consents = screen.consents.map(::consentRow),
            referrals = screen.openReferrals.map { v ->
                val r = v.referral
                ReferralRow(
                    id = r.id,
                    agency = v.agencyName,
                    urgency = r.urgency,
                    status = Labels.referralStatus(r.status),
                    dueAt = r.dueAt,
                    overdue = v.overdue,
                    needs = r.needs,
                    nextSteps = ReferralSteps.next(r.status).map { it to Labels.referralStatus(it) },
                )
            },
            notice = listOfNotNull(screen.notice, page.notice).joinToString(" ").ifEmpty { null },
        )
    }

    private fun consentRow(v: ConsentView): ConsentRow {
        val c = v.consent
        return ConsentRow(
            id = c.id,
            agency = v.agencyName,
            method = Labels.consentMethod(c.method),
            covers = c.covers.map { infoCategoryText(it).label },
            givenAt = c.givenAt,
            reviewAt = c.reviewAt,
            state = v.state,
            stateWords = Labels.consentState(v.state),
        )
    }

    private fun timelineRow(e: TimelineEntry, directory: Directory): TimelineRow = when (e) {
        is TimelineEntry.Contact -> {
            val c = e.contact
            val area = directory.areas.firstOrNull { it.id == c.areaId }?.name ?: c.areaId
            val parts = c.wellbeing.map(Labels::wellbeing) +
                c.supplies.map { s -> "${s.quantity} ${directory.supplies.firstOrNull { it.id == s.itemId }?.name ?: s.itemId}" } +
                listOfNotNull(c.note)
            TimelineRow("contact-${c.id}", c.at, TimelineKind.CONTACT, "${Labels.contactKind(c.kind)}, $area", parts.joinToString(" · ").ifEmpty { null })
        }
        is TimelineEntry.Referral -> {
            val r = e.referral
            TimelineRow(
                "referral-${r.id}",
                r.createdAt,
                TimelineKind.REFERRAL,
                "Referral to ${agencyName(directory, r.agencyId)} (${Labels.urgency(r.urgency)})",
                "${Labels.referralStatus(r.status)} · ${r.needs}",
            )
        }
        is TimelineEntry.Consent -> {
            val c = e.consent
            TimelineRow(
                "consent-${c.id}",
                c.givenAt,
                TimelineKind.CONSENT,
                "Consent for ${agencyName(directory, c.agencyId)}",
                c.covers.joinToString(", ") { infoCategoryText(it).label },
            )
        }
        is TimelineEntry.Concern -> {
            val c = e.concern
            TimelineRow("concern-${c.id}", c.at, TimelineKind.CONCERN, "Safety concern: ${Labels.concern(c.category)}", c.description)
        }
    }

    private fun agencyName(directory: Directory, id: String): String = directory.agencies.firstOrNull { it.id == id }?.name ?: id

    companion object {
        /** Timeline entries per page. */
        const val TIMELINE_PAGE: UInt = 50u
    }
}
