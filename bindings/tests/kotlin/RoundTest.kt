// Lone-worker rounds driven from Kotlin as the app's round and alerts
// screens call them, against a real nightround-server process: start a round
// with a buddy picked from the team the server sent, check in, call for
// help, hear it on the buddy's phone through the live channel, end the round.
// (A missed check-in needs the server's clock moved: tests/tests/lone_worker.rs.)

import java.time.Duration
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import uniffi.nightround_core.*
import uniffi.nightround_ffi.*

object RoundTests : TestSuite {
    override val tests = listOf<Pair<String, () -> Unit>>(
        "a round: buddy from the team, check-in, help heard by the buddy in seconds, end" to {
            ServerProcess().use { server ->
                server.admin("add-org", "--name", "Aspirations")
                server.start()
                val (sam, _) = enrolPhone(server, "Sam", "outreach_worker")
                val (jo, _) = enrolPhone(server, "Jo", "outreach_worker")
                jo.sync()
                sam.sync()

                // The start form: defaults and buddies come from the core.
                val form = sam.roundScreen()
                assertNull(form.open)
                assertEquals(30u, form.defaultCheckInMinutes)
                assertTrue(form.suggestedEnd.isAfter(Instant.now().plus(Duration.ofHours(2))))
                val buddy = form.buddies.first { it.displayName == "Jo" }
                assertTrue(form.buddies.none { it.displayName == "Sam" })

                // A bad end time is refused with a reason the screen can word.
                val bad = assertFailsWith<NightroundException.Invalid> {
                    sam.startRound(RoundDraft(Instant.now().minusSeconds(60), null, buddy, null))
                }
                assertEquals(ValidationError.RoundEndInPast, bad.reason)

                val round = sam.startRound(RoundDraft(form.suggestedEnd, null, buddy, "york_road"))
                assertFailsWith<NightroundException.Invalid> {
                    sam.startRound(RoundDraft(form.suggestedEnd, null, buddy, null))
                }
                sam.checkIn(round.id)
                val open = assertNotNull(sam.roundScreen().open)
                assertEquals(1u, open.checkIns)
                assertEquals("York Road", open.areaName)
                assertTrue(!open.checkInOverdue)
                assertTrue(open.minutesUntilDue in 28L..30L, "due in ${open.minutesUntilDue} min")
                assertEquals(open.nextCheckInDue.minus(Duration.ofMinutes(5)), open.remindAt)
                assertEquals(1u, open.unsentCheckIns, "no sync yet: the check-in waits")

                // "Need help now", then the app syncs straight away.
                val help = sam.callForHelp()
                assertEquals(CheckInKind.NEED_HELP, help.kind)
                sam.sync()

                // Jo's phone, waiting on the live channel, hears it and syncs.
                val started = System.nanoTime()
                val heard = jo.listen(10u)
                val ms = (System.nanoTime() - started) / 1_000_000
                println("    help call heard on the buddy's phone in $ms ms")
                assertTrue(heard.heard >= 1uL && heard.sync != null, "$heard")
                val alerts = jo.safetyAlerts()
                assertEquals(SafetyAlertKind.HELP_CALL, alerts.first().kind)
                assertEquals("Sam", alerts.first().workerName)
                assertTrue(alerts.first().toMeAsBuddy)

                // From the reminder notification, with the app locked: one tap,
                // sent by the background sync without the PIN.
                sam.lock()
                val locked = sam.checkInWhileLocked(round.id, round.checkInMinutes)
                assertEquals(CheckInKind.ALL_RIGHT, locked.checkIn.kind)
                // The core says when to remind her next: due an interval after
                // the tap, reminded five minutes before.
                assertEquals(locked.checkIn.madeAt.plus(Duration.ofMinutes(30)), locked.nextCheckInDue)
                assertEquals(locked.nextCheckInDue.minus(Duration.ofMinutes(5)), locked.remindAt)
                val report = sam.sync()
                assertEquals(1uL, report.pushed)
                sam.unlock(PIN)
                sam.sync()
                val afterLocked = assertNotNull(sam.roundScreen().open)
                assertEquals(2u, afterLocked.checkIns)
                assertEquals(locked.remindAt, afterLocked.remindAt, "the round screen agrees")

                sam.endRound(round.id)
                assertNull(sam.roundScreen().open)
                assertFailsWith<NightroundException.Invalid> { sam.checkIn(round.id) }
                sam.sync()
                assertEquals(0uL, sam.syncStatus().pending)
            }
        },
    )
}
