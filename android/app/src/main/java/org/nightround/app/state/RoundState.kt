package org.nightround.app.state

import java.time.Clock
import java.time.Duration
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import uniffi.nightround_core.RoundDraft
import uniffi.nightround_core.RoundView
import uniffi.nightround_core.SafetyAlertKind
import uniffi.nightround_core.SafetyAlertView
import uniffi.nightround_core.TeamMember
import uniffi.nightround_ffi.NightroundVault

/**
 * What the phone does around an open round outside the vault: keep the live
 * channel open (Android: a foreground service) and remind her before each
 * check-in is due. The state layer only says when; the Android glue does it.
 */
interface RoundWatcher {
    /** A round is open (started, checked in, or found open): listen, and remind her at [RoundReminder.remindAt]. */
    fun roundOpen(reminder: RoundReminder)

    /** No round is open any more: stop listening, cancel the reminder. */
    fun roundClosed()

    /** Watches nothing: tests. */
    object None : RoundWatcher {
        override fun roundOpen(reminder: RoundReminder) = Unit
        override fun roundClosed() = Unit
    }
}

/**
 * What the phone keeps outside the vault to remind her: the round's id (a
 * random UUID), when to remind her and the interval, never a name or a place.
 * The reminder's "Check in" action checks in while the vault is locked and
 * cannot read the round back: it hands the core the interval, and the core
 * answers with the next `remindAt` (`checkInWhileLocked`).
 */
data class RoundReminder(
    val roundId: String,
    /** When to remind her next: the core's `remindAt`. */
    val remindAt: Instant,
    val checkInMinutes: Int,
) {
    companion object {
        fun of(open: OpenRound) = RoundReminder(
            roundId = open.id,
            remindAt = open.remindAt,
            checkInMinutes = open.checkInMinutes,
        )
    }
}

/** A colleague's help call or missed round, in the words the alerts list shows. */
data class SafetyAlertRow(
    val id: String,
    val kind: SafetyAlertKind,
    /** She named this phone's worker as her buddy. */
    val toMeAsBuddy: Boolean,
    /** Shown first and loudest: a help call or a missed round where she is the buddy. */
    val loud: Boolean,
    /** "Sam pressed Need help now — Ambleside Drive, 21:40". */
    val headline: String,
    /** "You are her buddy. Aspirations." */
    val detail: String,
    /** "Acknowledged by Jo", or null while nobody has. */
    val acknowledged: String?,
    val at: Instant,
)

/** Turns the core's safety alerts into rows; the core has already put them in order. */
object SafetyAlertWords {
    private val hhmm: DateTimeFormatter = DateTimeFormatter.ofPattern("HH:mm")

    fun rows(alerts: List<SafetyAlertView>, zone: ZoneId): List<SafetyAlertRow> = alerts.map { row(it, zone) }

    fun row(a: SafetyAlertView, zone: ZoneId): SafetyAlertRow {
        fun t(at: Instant) = hhmm.format(at.atZone(zone))
        val where = a.areaName?.let { "$it, " } ?: ""
        val headline = when (a.kind) {
            SafetyAlertKind.HELP_CALL -> "${a.workerName} pressed Need help now — $where${t(a.at)}"
            SafetyAlertKind.MISSED_CHECK_IN ->
                "${a.workerName} missed a check-in — " +
                    (a.lastHeardAt?.let { "last heard ${a.areaName?.let { n -> "in $n " } ?: ""}at ${t(it)}" } ?: "not heard from since the round began")
            SafetyAlertKind.HEARD_FROM_AGAIN -> "${a.workerName} has been heard from again — $where${t(a.at)}"
        }
        val detail = listOfNotNull(
            "You are her buddy.".takeIf { a.toMeAsBuddy },
            a.organisation.takeIf { it.isNotBlank() }?.let { "$it." },
        ).joinToString(" ")
        return SafetyAlertRow(
            id = a.recordId,
            kind = a.kind,
            toMeAsBuddy = a.toMeAsBuddy,
            loud = a.toMeAsBuddy && a.kind != SafetyAlertKind.HEARD_FROM_AGAIN,
            headline = headline,
            detail = detail,
            acknowledged = a.acknowledgedBy?.let { "Acknowledged by $it" },
            at = a.at,
        )
    }
}

/** Someone she can name as her buddy. */
data class BuddyOption(val workerId: String, val name: String, val role: String)

/** Her open round as the round screen draws it. */
data class OpenRound(
    val id: String,
    val startedAt: Instant,
    val expectedEnd: Instant,
    val checkInMinutes: Int,
    val buddyName: String?,
    val areaName: String?,
    val lastCheckInAt: Instant?,
    val checkIns: Int,
    val nextCheckInDue: Instant,
    val remindAt: Instant,
    /** Whole minutes until the next check-in is due; negative once late. */
    val minutesUntilDue: Long,
    val overdue: Boolean,
    val pastExpectedEnd: Boolean,
    /** Check-ins and help calls made here that have not reached the server. */
    val unsent: Int,
    /** The server has raised this round as missed and nobody has settled it. */
    val raisedAsMissed: Boolean,
) {
    /** "Check in within 25 minutes", "Check-in due now", "Check-in 5 minutes late". */
    val dueWords: String
        get() = when {
            minutesUntilDue > 0 -> "Check in within ${Labels.plural(minutesUntilDue.toInt(), "minute")}"
            minutesUntilDue == 0L && !overdue -> "Check-in due now"
            else -> "Check-in ${Labels.plural(maxOf(1L, -minutesUntilDue).toInt(), "minute")} late"
        }
}

/** The round screen: the start form when no round is open, the open round otherwise. */
data class RoundUi(
    val loading: Boolean = true,
    val open: OpenRound? = null,
    // The start form.
    val endAt: Instant? = null,
    val checkInMinutes: Int = 30,
    val minCheckInMinutes: Int = 5,
    val maxCheckInMinutes: Int = 120,
    val buddies: List<BuddyOption> = emptyList(),
    val buddyId: String? = null,
    // Colleagues' help calls and missed rounds.
    val safety: List<SafetyAlertRow> = emptyList(),
    /** "End round" was pressed once. */
    val confirmEnd: Boolean = false,
    val busy: Boolean = false,
    val sendingHelp: Boolean = false,
    val message: String? = null,
    val problem: String? = null,
) {
    val canStart: Boolean get() = !loading && !busy && open == null && endAt != null
    val canCheckIn: Boolean get() = !busy && open != null
}

/**
 * The lone-worker round: start it (expected end, check-in interval, buddy),
 * "I'm OK" check-ins, "Need help now", and end it. The core decides what is
 * valid, when the next check-in is due and when to remind her; the server
 * decides when a round is missed. This holder only calls the vault, keeps the
 * phone's watcher (live channel, reminder) in step, and says what to draw.
 *
 * [syncNow] runs a sync straight away and reports how it went (the app's
 * [SyncRunner], run in the app's scope so leaving the screen doesn't cancel
 * it); [sync] asks for one later, when there is signal.
 */
class RoundState(
    private val guard: VaultGuard,
    private val sync: SyncScheduler,
    private val syncNow: suspend () -> SyncRunner.Result,
    private val watcher: RoundWatcher,
    private val scope: CoroutineScope,
    private val clock: Clock = Clock.systemDefaultZone(),
) {
    private val _ui = MutableStateFlow(RoundUi())
    val ui: StateFlow<RoundUi> = _ui.asStateFlow()

    fun load() {
        scope.launch { reload(keepForm = false) }
    }

    // --- The start form ------------------------------------------------------

    /** Expected end, later or earlier by a quarter of an hour. */
    fun laterEnd() = _ui.update { u -> u.endAt?.let { u.copy(endAt = it.plus(STEP_END), problem = null) } ?: u }

    fun earlierEnd() = _ui.update { u ->
        val end = u.endAt ?: return@update u
        val earlier = end.minus(STEP_END)
        if (earlier.isAfter(clock.instant())) u.copy(endAt = earlier, problem = null) else u
    }

    fun moreMinutes() = _ui.update {
        it.copy(checkInMinutes = minOf(it.maxCheckInMinutes, it.checkInMinutes + STEP_MINUTES), problem = null)
    }

    fun fewerMinutes() = _ui.update {
        it.copy(checkInMinutes = maxOf(it.minCheckInMinutes, it.checkInMinutes - STEP_MINUTES), problem = null)
    }

    /** Null: no buddy, the team is told. */
    fun buddy(workerId: String?) = _ui.update { u ->
        u.copy(buddyId = workerId?.takeIf { id -> u.buddies.any { it.workerId == id } })
    }

    /** Starts a round from the form. */
    fun start() {
        val u = _ui.value
        if (!u.canStart) return
        start(u.endAt ?: return, u.checkInMinutes, u.buddyId)
    }

    /** Starts a round ending at [endAt], checking in every [minutes], with [buddyId] (or nobody) told first. */
    fun start(endAt: Instant, minutes: Int, buddyId: String?) {
        _ui.update { it.copy(busy = true, problem = null, message = null) }
        scope.launch {
            val r = guard.call { vault ->
                val buddy: TeamMember? = buddyId?.let { id -> vault.roundScreen().buddies.firstOrNull { it.workerId == id } }
                vault.startRound(RoundDraft(expectedEnd = endAt, checkInMinutes = minutes.toUInt(), buddy = buddy, areaId = null))
            }
            when (r) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    reload(keepForm = true, message = "Round started. Stay safe.")
                }
                is Outcome.Refused -> _ui.update { it.copy(busy = false, problem = r.words) }
            }
        }
    }

    // --- The open round ------------------------------------------------------

    /** "I'm OK": one tap. */
    fun checkIn() {
        val open = _ui.value.open ?: return
        if (_ui.value.busy) return
        _ui.update { it.copy(busy = true, problem = null, message = null) }
        scope.launch {
            when (val r = guard.call { it.checkIn(open.id) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    reload(keepForm = true, message = "Checked in at ${hhmm(r.value.madeAt)}.")
                }
                is Outcome.Refused -> reload(keepForm = true, problem = r.words)
            }
        }
    }

    /**
     * "Need help now", one tap (the issue's word, and in danger a dialog is
     * one obstacle too many): the core queues the help call ahead of
     * everything, then a sync runs straight away. With no signal the call is
     * kept and goes by itself when there is; that is said plainly, not as a
     * failure of the button.
     */
    fun needHelp() {
        if (_ui.value.sendingHelp) return
        _ui.update { it.copy(sendingHelp = true, problem = null, message = null) }
        scope.launch {
            when (val r = guard.call { it.callForHelp() }) {
                is Outcome.Done -> {
                    val at = hhmm(r.value.madeAt)
                    _ui.update { it.copy(message = "Help call made at $at. Sending it to the team now…") }
                    val sent = syncNow()
                    val (message, problem) = when (sent) {
                        is SyncRunner.Result.Synced ->
                            (if (sent.waiting == 0L) "Help call sent to the team at $at." else "Help call sent to the team at $at. Some other changes are still waiting.") to null
                        is SyncRunner.Result.Erased -> null to sent.words
                        else -> {
                            // Offline, not enrolled, refused: WorkManager retries when there is signal.
                            sync.syncSoon()
                            null to HELP_KEPT
                        }
                    }
                    _ui.update { it.copy(sendingHelp = false) }
                    reload(keepForm = true, message = message, problem = problem)
                }
                is Outcome.Refused -> _ui.update { it.copy(sendingHelp = false, problem = r.words) }
            }
        }
    }

    fun askEnd() = _ui.update { if (it.open != null) it.copy(confirmEnd = true) else it }

    fun cancelEnd() = _ui.update { it.copy(confirmEnd = false) }

    fun end() {
        val open = _ui.value.open ?: return
        _ui.update { it.copy(confirmEnd = false, busy = true, problem = null, message = null) }
        scope.launch {
            when (val r = guard.call { it.endRound(open.id) }) {
                is Outcome.Done -> {
                    sync.syncSoon()
                    reload(keepForm = false, message = "Round ended at ${hhmm(r.value.endedAt ?: clock.instant())}.")
                }
                is Outcome.Refused -> _ui.update { it.copy(busy = false, problem = r.words) }
            }
        }
    }

    /**
     * Moves the countdown on without asking the vault (a vault call would
     * count as use and keep the idle lock from ever closing the records).
     * The core's figures come back on every load, check-in and help call.
     */
    fun tick() = _ui.update { u ->
        val open = u.open ?: return@update u
        val now = clock.instant()
        val seconds = Duration.between(now, open.nextCheckInDue).seconds
        u.copy(
            open = open.copy(
                minutesUntilDue = Math.floorDiv(seconds, 60L),
                overdue = open.overdue || now.isAfter(open.nextCheckInDue),
                pastExpectedEnd = open.pastExpectedEnd || now.isAfter(open.expectedEnd),
            ),
        )
    }

    private suspend fun reload(keepForm: Boolean, message: String? = null, problem: String? = null) {
        val r = guard.call { vault: NightroundVault -> vault.roundScreen() to vault.safetyAlerts() }
        when (r) {
            is Outcome.Done -> {
                val (screen, alerts) = r.value
                val open = screen.open?.let(::openRound)
                if (open != null) watcher.roundOpen(RoundReminder.of(open)) else watcher.roundClosed()
                _ui.update { u ->
                    val formFresh = !keepForm || u.endAt == null
                    val buddies = screen.buddies.map { BuddyOption(it.workerId, it.displayName, Labels.role(it.role)) }
                    u.copy(
                        loading = false,
                        open = open,
                        endAt = if (formFresh || u.open != null) screen.suggestedEnd else u.endAt,
                        checkInMinutes = if (formFresh) screen.defaultCheckInMinutes.toInt() else u.checkInMinutes,
                        minCheckInMinutes = screen.minCheckInMinutes.toInt(),
                        maxCheckInMinutes = screen.maxCheckInMinutes.toInt(),
                        buddies = buddies,
                        buddyId = u.buddyId?.takeIf { id -> buddies.any { it.workerId == id } },
                        safety = SafetyAlertWords.rows(alerts, clock.zone),
                        confirmEnd = false,
                        busy = false,
                        message = message,
                        problem = problem,
                    )
                }
            }
            is Outcome.Refused -> _ui.update {
                it.copy(loading = false, busy = false, message = message, problem = listOfNotNull(problem, r.words).distinct().joinToString(" "))
            }
        }
    }

    private fun openRound(v: RoundView) = OpenRound(
        id = v.round.id,
        startedAt = v.round.startedAt,
        expectedEnd = v.round.expectedEnd,
        checkInMinutes = v.round.checkInMinutes.toInt(),
        buddyName = v.round.buddy?.displayName,
        areaName = v.areaName,
        lastCheckInAt = v.lastCheckInAt,
        checkIns = v.checkIns.toInt(),
        nextCheckInDue = v.nextCheckInDue,
        remindAt = v.remindAt,
        minutesUntilDue = v.minutesUntilDue,
        overdue = v.checkInOverdue,
        pastExpectedEnd = v.pastExpectedEnd,
        unsent = v.unsentCheckIns.toInt(),
        raisedAsMissed = v.raisedAsMissed,
    )

    private fun hhmm(at: Instant): String = DateTimeFormatter.ofPattern("HH:mm").format(at.atZone(clock.zone))

    companion object {
        val STEP_END: Duration = Duration.ofMinutes(15)
        const val STEP_MINUTES = 5

        const val HELP_KEPT =
            "Your help call couldn't reach the team yet. It is kept on this phone and will be sent the moment there is signal. " +
                "If you can, phone for help as well."
    }
}
