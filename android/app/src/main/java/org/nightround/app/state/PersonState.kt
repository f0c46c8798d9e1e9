package org.nightround.app.state

import java.time.Clock
import java.time.Instant
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.Consent
import uniffi.nightround_core.ConsentState
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
    val confirmWithdraw: ConsentRow? = null,
    val busy: Boolean = false,
    val problem: String? = null,
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
    private val clock: Clock = Clock.systemUTC(),
) {
    private val _ui = MutableStateFlow(PersonUi())
    val ui: StateFlow<PersonUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            when (val r = guard.call { vault -> read(vault) }) {
                is Outcome.Done -> _ui.value = r.value
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
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

    private fun read(vault: NightroundVault): PersonUi {
        val p = vault.person(personId)
        val directory = vault.directory()
        val now = clock.instant()
        return PersonUi(
            loading = false,
            header = PersonHeader(p.id, p.alias, p.description, p.keyWorker, p.prefersFemaleWorker, p.registeredWithOutreach),
            timeline = vault.personTimeline(personId).map { timelineRow(it, directory) },
            consents = vault.consents(personId).map { consentRow(it, directory, now) },
            referrals = vault.openReferrals().filter { it.referral.personId == personId }.map { v ->
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
        )
    }

    private fun consentRow(c: Consent, directory: Directory, now: Instant): ConsentRow {
        val state = when {
            c.withdrawnAt != null -> ConsentState.WITHDRAWN
            c.reviewAt.isBefore(now) -> ConsentState.DUE_FOR_REVIEW
            else -> ConsentState.VALID
        }
        return ConsentRow(
            id = c.id,
            agency = agencyName(directory, c.agencyId),
            method = Labels.consentMethod(c.method),
            covers = c.covers.map { infoCategoryText(it).label },
            givenAt = c.givenAt,
            reviewAt = c.reviewAt,
            state = state,
            stateWords = Labels.consentState(state),
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
}
