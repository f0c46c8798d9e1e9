// Drives the app's state holders (android/app/src/main/java/org/nightround/app/state)
// on a plain JVM against the real core, as the screens would: no Android, an
// in-memory keystore, a vault in a temp directory. Run by android/jvm-check/run.sh.

import java.io.File
import java.time.Duration
import java.time.Instant
import java.security.SecureRandom
import kotlin.system.exitProcess
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.runBlocking
import org.nightround.app.state.AlertsState
import org.nightround.app.state.AppSession
import org.nightround.app.state.ConcernState
import org.nightround.app.state.DirectoryState
import org.nightround.app.state.DuressPinState
import org.nightround.app.state.DuressStep
import org.nightround.app.state.EnrolState
import org.nightround.app.state.EnrolStep
import org.nightround.app.state.KeptChangesState
import org.nightround.app.state.Navigator
import org.nightround.app.state.PersonEditState
import org.nightround.app.state.PersonField
import org.nightround.app.state.PersonState
import org.nightround.app.state.QuickContactState
import org.nightround.app.state.ReferralState
import org.nightround.app.state.ReferralStep
import org.nightround.app.state.RestockState
import org.nightround.app.state.RoundReminder
import org.nightround.app.state.RoundState
import org.nightround.app.state.RoundWatcher
import org.nightround.app.state.Screen
import org.nightround.app.state.SessionPinKeeper
import org.nightround.app.state.SettingsState
import org.nightround.app.state.SettingsStore
import org.nightround.app.state.SyncRunner
import org.nightround.app.state.SyncScheduler
import org.nightround.app.state.SyncState
import org.nightround.app.state.TonightState
import org.nightround.app.state.UnlockState
import org.nightround.app.state.VaultGuard
import org.nightround.app.state.VaultHome
import org.nightround.app.state.Who
import uniffi.nightround_core.ConcernCategory
import uniffi.nightround_core.ConsentState
import uniffi.nightround_core.InfoCategory
import uniffi.nightround_core.Role
import uniffi.nightround_core.Severity
import uniffi.nightround_core.SupplyPurpose
import uniffi.nightround_core.Urgency
import uniffi.nightround_core.WellbeingFlag
import uniffi.nightround_core.WorkerIdentity
import uniffi.nightround_ffi.NightroundException
import uniffi.nightround_ffi.NightroundVault
import uniffi.nightround_ffi.infoCategories
import uniffi.nightround_ffi.PlatformKeyStore
import uniffi.nightround_ffi.coreVersion

class MemoryKeyStore : PlatformKeyStore {
    private val secrets = mutableMapOf<String, ByteArray>()

    override fun createSecret(name: String): ByteArray =
        ByteArray(32).also { SecureRandom().nextBytes(it); secrets[name] = it.copyOf() }

    override fun loadSecret(name: String): ByteArray? = secrets[name]?.copyOf()

    override fun deleteSecret(name: String) {
        secrets.remove(name)?.fill(0)
    }

}

var passed = 0
var failed = 0

fun check(what: String, ok: Boolean, detail: () -> String = { "" }) {
    if (ok) {
        passed++
        println("PASS $what")
    } else {
        failed++
        println("FAIL $what ${detail()}")
    }
}

/** Waits until every coroutine the holders launched has finished. */
suspend fun CoroutineScope.settle() {
    while (true) {
        val active = coroutineContext[Job]!!.children.filter { it.isActive }.toList()
        if (active.isEmpty()) return
        active.joinAll()
    }
}

fun main() = runBlocking {
    val dir = File(System.getenv("NIGHTROUND_TEST_TMP") ?: kotlin.io.path.createTempDirectory("nightround-state").toString()).apply { mkdirs() }
    val keys = MemoryKeyStore()
    val home = object : VaultHome {
        override val vaultPath = File(dir, "vault.db").path
        override val keyStore: PlatformKeyStore = keys
    }
    val settings = object : SettingsStore {
        override var lockTimeoutSeconds = 120
    }
    var syncAsks = 0
    val scheduler = SyncScheduler { syncAsks++ }
    val session = AppSession(home, settings, SessionPinKeeper.None, this)
    val guard = VaultGuard(session)

    session.start()
    check("no vault: the gate asks for enrolment", session.gate.value is AppSession.Gate.Enrol)

    // What EnrolState does after enrolDevice (which needs a server).
    val vault = NightroundVault.create(
        home.vaultPath, keys, "246810",
        WorkerIdentity("w-sam", "Sam", Role.OUTREACH_WORKER, "Aspirations"),
    )
    session.adopt(vault)
    check("created vault opens the gate", session.gate.value == AppSession.Gate.Open)

    val quick = QuickContactState(guard, scheduler, this)
    quick.load(); settle()
    check("quick contact defaults an area", quick.ui.value.areaId != null) { quick.ui.value.toString() }
    quick.query("Ja"); settle()
    quick.chooseNew()
    check("typed name becomes someone new", quick.ui.value.who == Who.New("Ja"))
    quick.more("condoms"); quick.more("condoms"); quick.more("condoms"); quick.less("condoms"); quick.more("hygiene_pack")
    quick.toggleMore(); quick.toggle(WellbeingFlag.FIRST_CONTACT); quick.note("Talked about Thursday's drop-in")
    quick.area("ambleside_drive")
    quick.referAfterSaving(true)
    quick.save(); settle()
    val saved = quick.ui.value.saved
    check("contact saved with a new person", saved != null && saved.personId != null && saved.referNext) { quick.ui.value.toString() }
    check("saving asked for a sync", syncAsks == 1)
    val personId = saved!!.personId!!

    val again = QuickContactState(guard, scheduler, this)
    again.load(); settle()
    check("next contact defaults to the last area", again.ui.value.areaId == "ambleside_drive") { again.ui.value.areaId.toString() }
    again.query("Someone"); settle(); again.save(); settle()
    check("a typed but unchosen name is not saved as anonymous", again.ui.value.saved == null && again.ui.value.problem != null) { again.ui.value.toString() }
    again.chooseAnonymous()
    again.toggleMore(); again.toggle(WellbeingFlag.APPEARS_UNDER18); again.save(); settle()
    check("under-18 flag asks for the safeguarding prompt first", again.ui.value.safeguardingPrompt && again.ui.value.saved == null)
    again.acknowledgeSafeguarding(); settle()
    check("anonymous contact saved after acknowledgement", again.ui.value.saved?.personId == null && again.ui.value.saved != null) { again.ui.value.toString() }

    val tonight = TonightState(guard, this)
    tonight.refresh(); settle()
    val t = tonight.ui.value
    check("tonight shows two contacts", t.numbers?.contacts == 2 && t.contacts.size == 2) { t.toString() }
    check("tonight names her and the anonymous one", t.contacts.map { it.who }.toSet() == setOf("Ja", "Anonymous")) { t.contacts.toString() }
    check("tonight counts supplies", t.numbers?.supplies?.firstOrNull { it.itemId == "condoms" }?.quantity == 2) { t.numbers.toString() }

    val referral = ReferralState(guard, scheduler, this, personId)
    referral.load(); settle()
    referral.tick("stars"); referral.tick("harp"); referral.urgency(Urgency.RED)
    referral.needs("Somewhere safe to stay tonight"); referral.cover(InfoCategory.HOUSING); referral.cover(InfoCategory.CONTACT_DETAILS)
    check("the consent's categories are the core's words", referral.ui.value.categories.map { it.label } == infoCategories().map { it.label }) { referral.ui.value.categories.toString() }
    referral.review(); settle()
    val rb = referral.ui.value.readBack
    check("referral is read back before saving", referral.ui.value.step == ReferralStep.READ_BACK && rb.size >= 5) { rb.toString() }
    check("the read-back is the core's, in the second person", rb.first().startsWith("You are agreeing that we refer you to") && rb.any { it.startsWith("Each of them may be told: ") && "where you are staying" in it } && rb.last() == "Do you agree?") { rb.toString() }
    println("      read back: " + rb.joinToString(" | "))
    referral.confirm(); settle()
    check("referral form saved agency by agency", referral.ui.value.savedCount == 2) { referral.ui.value.toString() }

    val person = PersonState(guard, scheduler, this, personId)
    person.load(); settle()
    val p = person.ui.value
    check("person page: timeline, consents, open referrals", p.timeline.size == 5 && p.timelineTotal == 5 && p.consents.size == 2 && p.referrals.size == 2) { p.toString() }
    check("person page: consent state is the core's (personScreen)", p.consents.all { it.state == ConsentState.VALID && it.stateWords == "In place" } && p.notice == null) { p.consents.toString() }
    val ref = p.referrals.first()
    person.moveReferral(ref.id, ref.nextSteps.first().first); settle()
    check("referral moved to its next status", person.ui.value.problem == null) { person.ui.value.problem.toString() }
    person.askWithdraw(p.consents.first().id); person.confirmWithdraw(); settle()
    check("consent withdrawn", person.ui.value.consents.any { it.stateWords == "She withdrew it" }) { person.ui.value.consents.toString() }

    // Issue 13, item 10: editing her profile ("prefers a female worker", key worker).
    val edit = PersonEditState(guard, scheduler, this, personId)
    edit.load(); settle()
    check("profile edit opens with what is stored", edit.ui.value.alias == "Ja" && !edit.ui.value.prefersFemaleWorker && edit.ui.value.canSave) { edit.ui.value.toString() }
    edit.alias("   ")
    check("profile edit: a blank name cannot be saved", !edit.ui.value.canSave)
    edit.alias("Jade"); edit.prefersFemaleWorker(true); edit.keyWorker("Priya at Aspirations"); edit.birthYear("20x20")
    check("profile edit: the year keeps digits only", edit.ui.value.birthYear == "2020") { edit.ui.value.birthYear }
    val asksBeforeEdit = syncAsks
    edit.save(); settle()
    check("profile edit: an implausible year is refused by the core and pointed at", !edit.ui.value.saved && edit.ui.value.problemField == PersonField.BIRTH_YEAR && edit.ui.value.problem != null) { edit.ui.value.toString() }
    println("      refused: " + edit.ui.value.problem)
    edit.birthYear("1990"); edit.save(); settle()
    check("profile edit saved and a sync asked for", edit.ui.value.saved && syncAsks > asksBeforeEdit) { edit.ui.value.toString() }
    person.load(); settle()
    val h = person.ui.value.header
    check("her page shows the edit: prefers a female worker, key worker, new name", h != null && h.alias == "Jade" && h.prefersFemaleWorker && h.keyWorker == "Priya at Aspirations") { h.toString() }

    // Issue 13, item 10: supplies without a contact (the drop box topped up).
    val restock = RestockState(guard, scheduler, this)
    restock.load(); settle()
    val r0s = restock.ui.value
    check("restock: areas and catalogue from the core, last area first, drop box by default",
        r0s.areas.isNotEmpty() && r0s.supplies.any { it.itemId == "condoms" } && r0s.areaId == "ambleside_drive" && r0s.purpose == SupplyPurpose.RESTOCK_DROP_POINT) { r0s.toString() }
    check("restock: nothing to save until something is counted", !r0s.canSave)
    restock.area("nowhere")
    check("restock: an area not in the directory is ignored", restock.ui.value.areaId == "ambleside_drive")
    val york = r0s.areas.first { it.id != "ambleside_drive" }
    restock.area(york.id); restock.moreBy("condoms", 10); restock.more("condoms"); restock.less("condoms"); restock.more("hygiene_pack")
    restock.moreBy("hygiene_pack", 10_000)
    check("restock: one line is capped at the core's bound", restock.ui.value.supplies.first { it.itemId == "hygiene_pack" }.quantity == RestockState.MAX_QUANTITY)
    restock.less("hygiene_pack"); restock.moreBy("hygiene_pack", -(RestockState.MAX_QUANTITY - 2))
    val asksBeforeRestock = syncAsks
    restock.save(); settle()
    check("restock saved: 11 items at ${york.name}", restock.ui.value.saved == "Saved: 11 items, ${york.name}." && syncAsks > asksBeforeRestock) { restock.ui.value.toString() }
    val totals = session.vaultOrNull()!!.suppliesTotals(Instant.now().minusSeconds(3600), Instant.now().plusSeconds(60))
    check("restock: the drop reaches the vault's supply totals (10 more condoms, 1 hygiene pack)",
        totals.firstOrNull { it.itemId == "condoms" }?.quantity == 12uL && totals.firstOrNull { it.itemId == "hygiene_pack" }?.quantity == 2uL) { totals.toString() }
    restock.save(); settle()
    check("restock: saving twice does nothing", session.vaultOrNull()!!.suppliesTotals(Instant.now().minusSeconds(3600), Instant.now().plusSeconds(60)) == totals)

    // Issue 13, item 10: the duress PIN.
    val duress = DuressPinState(guard, this)
    duress.load(); settle()
    check("duress: none set at first", !duress.ui.value.loading && !duress.ui.value.isSet) { duress.ui.value.toString() }
    duress.start()
    "246810".forEach { duress.press(it - '0') }; duress.continuePin()
    "246810".forEach { duress.press(it - '0') }; duress.continuePin(); settle()
    check("duress: her own PIN is refused by the core", !duress.ui.value.isSet && duress.ui.value.step == DuressStep.CHOOSE && duress.ui.value.problem != null) { duress.ui.value.toString() }
    println("      refused: " + duress.ui.value.problem)
    "864200".forEach { duress.press(it - '0') }; duress.continuePin()
    "864201".forEach { duress.press(it - '0') }; duress.continuePin(); settle()
    check("duress: two different typings are caught", !duress.ui.value.isSet && duress.ui.value.problem?.contains("different") == true) { duress.ui.value.toString() }
    "864200".forEach { duress.press(it - '0') }; duress.continuePin()
    "864200".forEach { duress.press(it - '0') }; duress.continuePin(); settle()
    check("duress: set, and the core says so", duress.ui.value.isSet && duress.ui.value.step == null && session.vaultOrNull()!!.hasDuressPin()) { duress.ui.value.toString() }
    duress.askClear(); duress.confirmClear(); settle()
    check("duress: removed after confirming", !duress.ui.value.isSet && !session.vaultOrNull()!!.hasDuressPin()) { duress.ui.value.toString() }

    val concern = ConcernState(guard, scheduler, this, personId)
    concern.load(); settle()
    concern.category(ConcernCategory.DANGEROUS_VEHICLE); concern.description("Older man, grey beard, asked women to get in")
    concern.vehicleColour("silver"); concern.vehicleMake("Ford"); concern.partialRegistration("ab12"); concern.severity(Severity.HIGH)
    concern.save(); settle()
    check("ugly mug saved as a team alert", concern.ui.value.saved) { concern.ui.value.toString() }

    val alerts = AlertsState(guard, this)
    alerts.load(); settle()
    check("alerts: this area's first", alerts.ui.value.here.size == 1 && alerts.ui.value.hereName == "Ambleside Drive") { alerts.ui.value.toString() }

    val directory = DirectoryState(guard, this)
    directory.load(); settle(); directory.query("drug")
    check("directory searches what agencies offer", directory.ui.value.shown.any { it.id == "stars" } && directory.ui.value.shown.all { it.dialNumber != null })

    val runner = SyncRunner(session)
    val syncState = SyncState(guard, runner, this)
    syncState.load(); settle()
    check("sync status: not enrolled, changes waiting", !syncState.ui.value.enrolled && syncState.ui.value.waiting > 0) { syncState.ui.value.toString() }
    syncState.syncNow(); settle()
    check("sync now explains why not", syncState.ui.value.lastRun?.contains("enrolled") == true) { syncState.ui.value.lastRun.toString() }

    // The lone-worker round, as RoundScreen drives it. Not enrolled here, so
    // the sync after "Need help now" cannot reach a server: the help call must
    // be reported as kept, not as a crash or a failed button.
    var remindAtSeen: Instant? = null
    var reminderSeen: RoundReminder? = null
    var watching = false
    val watcher = object : RoundWatcher {
        override fun roundOpen(reminder: RoundReminder) {
            watching = true
            remindAtSeen = reminder.remindAt
            reminderSeen = reminder
        }

        override fun roundClosed() {
            watching = false
            remindAtSeen = null
            reminderSeen = null
        }
    }
    val round = RoundState(guard, scheduler, { runner.syncUntilQuiet() }, watcher, this)
    round.load(); settle()
    val r0 = round.ui.value
    check("round: none open, the start form has a suggested end and 30 minutes", r0.open == null && r0.endAt != null && r0.checkInMinutes == 30 && r0.problem == null) { r0.toString() }
    round.moreMinutes(); round.fewerMinutes(); round.laterEnd(); round.earlierEnd()
    check("round: +/- return the form to its defaults", round.ui.value.checkInMinutes == 30 && round.ui.value.endAt == r0.endAt) { round.ui.value.toString() }
    val asksBefore = syncAsks
    round.start(r0.endAt!!, r0.checkInMinutes, null); settle()
    val r1 = round.ui.value
    check("round: started with no buddy, watcher told", r1.open != null && r1.open!!.buddyName == null && watching && r1.problem == null) { r1.toString() }
    check("round: starting asked for a sync", syncAsks > asksBefore)
    round.checkIn(); settle()
    val o = round.ui.value.open
    val dueIn = o?.let { Duration.between(Instant.now(), it.nextCheckInDue).toMinutes() }
    check("round: one check-in, next due ~30 minutes ahead", o != null && o.checkIns == 1 && dueIn != null && dueIn in 28..30 && !o.overdue) { round.ui.value.toString() }
    check("round: reminder scheduled before the next check-in", remindAtSeen != null && o != null && remindAtSeen!!.isBefore(o.nextCheckInDue)) { remindAtSeen.toString() }
    val seen = reminderSeen
    check("round: the reminder carries the round id and interval (no names, no places)",
        seen != null && o != null && seen.roundId == o.id && seen.checkInMinutes == o.checkInMinutes) { seen.toString() }
    // (The next reminder after a locked check-in is the core's answer to
    // checkInWhileLocked; bindings/tests/kotlin/RoundTest.kt checks it on an
    // enrolled phone, where the call can succeed.)
    val lockedCheckIn = try {
        session.vaultOrNull()!!.checkInWhileLocked(o!!.id, o.checkInMinutes.toUInt())
        "made"
    } catch (e: NightroundException.Locked) {
        "locked"
    } catch (e: Exception) {
        e.toString()
    }
    check("round: a check-in from the notification on a phone never enrolled is refused as Locked (the app opens instead)",
        lockedCheckIn == "locked") { lockedCheckIn }
    check("round: due words count down", o?.dueWords?.startsWith("Check in within") == true) { o?.dueWords.toString() }
    round.needHelp(); settle()
    val r2 = round.ui.value
    check("round: one tap on Need help now makes the help call; with no server it is kept, said plainly", r2.problem == RoundState.HELP_KEPT && !r2.sendingHelp) { r2.toString() }
    check("round: unsent check-ins and help call counted", (r2.open?.unsent ?: 0) >= 2) { r2.open.toString() }
    round.askEnd(); round.end(); settle()
    val r3 = round.ui.value
    check("round: ended, none open, watcher stopped", r3.open == null && !watching && remindAtSeen == null && r3.problem == null) { r3.toString() }
    round.checkIn(); settle()
    check("round: check-in with no round does nothing", round.ui.value.open == null)
    val roundAgain = RoundState(guard, scheduler, { runner.syncUntilQuiet() }, watcher, this)
    roundAgain.load(); settle()
    check("round: a fresh load finds no open round", roundAgain.ui.value.open == null && !roundAgain.ui.value.loading) { roundAgain.ui.value.toString() }
    roundAgain.start(Instant.now().minusSeconds(60), 30, null); settle()
    check("round: an end in the past is refused in words", roundAgain.ui.value.open == null && roundAgain.ui.value.problem != null) { roundAgain.ui.value.toString() }
    println("      refused: " + roundAgain.ui.value.problem)
    alerts.load(); settle()
    check("alerts: no colleague safety alerts on a phone with no server", alerts.ui.value.safety.isEmpty() && alerts.ui.value.problem == null) { alerts.ui.value.toString() }

    val settingsState = SettingsState(session, guard, this) { coreVersion() }
    settingsState.load(); settle()
    settingsState.startPinChange()
    "246810".forEach { settingsState.pinPress(it - '0') }; settingsState.pinContinue()
    "135799".forEach { settingsState.pinPress(it - '0') }; settingsState.pinContinue()
    "135799".forEach { settingsState.pinPress(it - '0') }; settingsState.pinContinue(); settle()
    check("PIN changed", settingsState.ui.value.message != null) { settingsState.ui.value.toString() }

    session.lockNow(); settle()
    check("lock shows the PIN screen", session.gate.value == AppSession.Gate.Locked)
    tonight.refresh(); settle()
    check("a locked vault refuses quietly", tonight.ui.value.problem != null)
    val unlock = UnlockState(session, SessionPinKeeper.None, scheduler, this)
    "000000".forEach { unlock.press(it - '0') }; unlock.submit(); settle()
    check("wrong PIN says how many tries are left", unlock.ui.value.problem?.contains("9 more tries") == true) { unlock.ui.value.problem.toString() }
    "135799".forEach { unlock.press(it - '0') }; unlock.submit(); settle()
    check("new PIN unlocks", session.gate.value == AppSession.Gate.Open)

    val nav = Navigator()
    nav.go(Screen.Person(personId)); nav.replace(Screen.Referral(personId))
    check("navigator keeps Tonight at the bottom", nav.stack.value == listOf(Screen.Tonight, Screen.Referral(personId)) && nav.back() && !nav.back())

    settingsState.askSignOut(); settle()
    check("sign-out warns about unsynced changes", (settingsState.ui.value.confirmSignOut ?: 0) > 0)
    settingsState.confirmSignOut(); settle()
    check("sign-out erases and asks for enrolment", session.gate.value is AppSession.Gate.Enrol && !File(home.vaultPath).exists())

    System.getenv("NIGHTROUND_SERVER_BIN")?.let { bin -> withServer(bin, dir) }

    println("$passed passed, $failed failed")
    if (failed > 0) exitProcess(1)
}

/** A nightround-server process over TLS with its own self-signed certificate. */
class TlsServer(private val bin: String, root: File) : AutoCloseable {
    val dataDir = File(root, "server").apply { mkdirs() }
    val port: Int = java.net.ServerSocket(0).use { it.localPort }
    val url = "https://127.0.0.1:$port/"
    private var process: Process? = null

    fun admin(vararg args: String): String {
        val p = ProcessBuilder(listOf(bin, "admin", "--data-dir", dataDir.path) + args)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val out = p.inputStream.bufferedReader().readText().trim()
        check(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0) { "admin ${args.first()} failed" }
        return out
    }

    fun start() {
        process = ProcessBuilder(bin, "serve", "--data-dir", dataDir.path, "--listen", "127.0.0.1:$port", "--example-directory")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
        val deadline = System.currentTimeMillis() + 30_000
        while (System.currentTimeMillis() < deadline) {
            try {
                java.net.Socket("127.0.0.1", port).close()
                return
            } catch (_: java.io.IOException) {
                Thread.sleep(50)
            }
        }
        error("the server did not start")
    }

    /** The certificate's SHA-256 as the dashboard prints it (AB:CD:…), from the PEM the server wrote. */
    fun fingerprint(): String {
        val pem = File(dataDir, "tls/server-cert.pem").readText()
        val b64 = pem.substringAfter("-----BEGIN CERTIFICATE-----").substringBefore("-----END CERTIFICATE-----").filter { !it.isWhitespace() }
        val der = java.util.Base64.getDecoder().decode(b64)
        return java.security.MessageDigest.getInstance("SHA-256").digest(der).joinToString(":") { "%02X".format(it) }
    }

    /** What the devices page's QR code says for a new worker (docs/dashboard.md). */
    fun enrolmentQr(name: String): String {
        val worker = admin("add-worker", "--org", "Aspirations", "--name", name, "--role", "outreach_worker")
        val code = admin("enrol-code", "--worker", worker)
        val enc = { s: String -> java.net.URLEncoder.encode(s, Charsets.UTF_8) }
        return "nightround:enrol?server=${enc(url)}&code=${enc(code)}&cert_sha256=${enc(fingerprint())}"
    }

    fun stop() {
        process?.let { it.destroy(); it.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) }
        process = null
    }

    override fun close() = stop()
}

/** One phone's app as the state holders see it, with its own vault file and keystore. */
class Phone(root: File, name: String, scope: CoroutineScope) {
    val home = object : VaultHome {
        override val vaultPath = File(File(root, name).apply { mkdirs() }, "vault.db").path
        override val keyStore: PlatformKeyStore = MemoryKeyStore()
    }
    val session = AppSession(home, object : SettingsStore { override var lockTimeoutSeconds = 120 }, SessionPinKeeper.None, scope)
    val guard = VaultGuard(session)
}

fun pinInto(pin: String, press: (Int) -> Unit) = pin.forEach { press(it - '0') }

/**
 * Issue 13, item 10, against a real server over TLS: enrolment by the QR
 * code (its certificate pinned by fingerprint), the changes a wipe for wrong
 * PINs kept delivered before enrolling again, and the duress PIN at the PIN
 * screen; a third phone proves the server got what the first two never sent.
 */
suspend fun CoroutineScope.withServer(bin: String, root: File) {
    val scheduler = SyncScheduler { }
    TlsServer(bin, File(root, "tls-server")).use { server ->
        server.admin("add-org", "--name", "Aspirations")
        server.start()

        // Sam enrols by scanning.
        val sam = Phone(root, "sam", this)
        sam.session.start()
        check("server: no vault, enrol", sam.session.gate.value is AppSession.Gate.Enrol)
        val nothingKept = KeptChangesState(sam.home, this)
        nothingKept.send(); settle()
        check("kept changes: nothing kept, nothing said", nothingKept.ui.value.delivered == 0L && nothingKept.ui.value.words == null) { nothingKept.ui.value.toString() }
        val enrol = EnrolState(sam.session, sam.home, scheduler, this, "Sam's phone")
        enrol.startScan()
        enrol.scanned("https://nightround.example.org/welcome"); settle()
        check("scan: another QR code keeps the camera open and says why", enrol.ui.value.scanning && enrol.ui.value.scanProblem?.contains("not a Nightround enrolment code") == true && enrol.ui.value.code.isEmpty()) { enrol.ui.value.toString() }
        println("      scan refused: " + enrol.ui.value.scanProblem)
        enrol.scanned(server.enrolmentQr("Sam")); settle()
        val e1 = enrol.ui.value
        check("scan: the QR code fills the details, enrols over the pinned certificate, asks for a PIN",
            !e1.scanning && e1.fromQrCode && e1.step == EnrolStep.CHOOSE_PIN && e1.workerName == "Sam" && e1.serverUrl == server.url) { e1.toString() }
        pinInto("246810", enrol::press); enrol.continuePin()
        pinInto("246810", enrol::press); enrol.continuePin(); settle()
        check("scan: the vault is made and enrolled", sam.session.gate.value == AppSession.Gate.Open && sam.session.vaultOrNull()!!.syncStatus().enrolled)
        val synced = runCatching { sam.session.vaultOrNull()!!.sync() }
        check("scan: sync works over the certificate the code named", synced.isSuccess) { synced.exceptionOrNull().toString() }

        // Two changes she never sends, then three wrong PINs (the limit lowered for the test).
        val quick = QuickContactState(sam.guard, scheduler, this)
        quick.load(); settle(); quick.query("Kerry"); settle(); quick.chooseNew(); quick.save(); settle()
        check("sam: a contact with someone new, not sent", quick.ui.value.saved != null && sam.session.vaultOrNull()!!.pendingChanges() >= 2uL)
        sam.session.vaultOrNull()!!.setLockPolicy(120u, 3u)
        sam.session.lockNow(); settle()
        val unlock = UnlockState(sam.session, SessionPinKeeper.None, scheduler, this)
        repeat(4) {
            if (sam.session.gate.value == AppSession.Gate.Locked) {
                pinInto("000000", unlock::press); unlock.submit(); settle()
            }
        }
        val gate = sam.session.gate.value
        check("sam: wrong PINs erase the records and ask for enrolment", gate is AppSession.Gate.Enrol && gate.why?.contains("Too many") == true) { gate.toString() }
        val kept = KeptChangesState(sam.home, this)
        server.stop()
        kept.send(); settle()
        check("kept changes: no signal, still kept, said plainly, can be sent again",
            kept.ui.value.canRetry && kept.ui.value.words?.contains("kept, sealed for the server") == true) { kept.ui.value.toString() }
        println("      said: " + kept.ui.value.words)
        server.start()
        kept.send(); settle()
        check("kept changes: the sealed copies reach the server before she enrols again",
            (kept.ui.value.delivered ?: 0L) >= 2L && kept.ui.value.words?.contains("reached the server") == true) { kept.ui.value.toString() }
        println("      said: " + kept.ui.value.words)
        kept.send(); settle()
        check("kept changes: sent once only", kept.ui.value.delivered == 0L && kept.ui.value.words == null) { kept.ui.value.toString() }

        // Priya: a pasted link works as a scan; the duress PIN at the PIN screen.
        val priya = Phone(root, "priya", this)
        priya.session.start()
        val enrolP = EnrolState(priya.session, priya.home, scheduler, this, "Priya's phone")
        enrolP.code(server.enrolmentQr("Priya")); settle()
        check("paste: an enrolment link in the code field is read like a scan", enrolP.ui.value.step == EnrolStep.CHOOSE_PIN && enrolP.ui.value.workerName == "Priya") { enrolP.ui.value.toString() }
        pinInto("135799", enrolP::press); enrolP.continuePin()
        pinInto("135799", enrolP::press); enrolP.continuePin(); settle()
        val duress = DuressPinState(priya.guard, this)
        duress.load(); settle(); duress.start()
        pinInto("864200", duress::press); duress.continuePin()
        pinInto("864200", duress::press); duress.continuePin(); settle()
        check("priya: duress PIN set", duress.ui.value.isSet) { duress.ui.value.toString() }
        val quickP = QuickContactState(priya.guard, scheduler, this)
        quickP.load(); settle(); quickP.query("Mel"); settle(); quickP.chooseNew(); quickP.save(); settle()
        priya.session.lockNow(); settle()
        val unlockP = UnlockState(priya.session, SessionPinKeeper.None, scheduler, this)
        pinInto("864200", unlockP::press); unlockP.submit(); settle()
        check("duress: the PIN screen opens an app", priya.session.gate.value == AppSession.Gate.Open) { priya.session.gate.value.toString() + " " + unlockP.ui.value }
        val tonightP = TonightState(priya.guard, this)
        tonightP.refresh(); settle()
        check("duress: the app is empty", tonightP.ui.value.contacts.isEmpty() && priya.session.vaultOrNull()!!.findPeople("").isEmpty()) { tonightP.ui.value.toString() }
        val dsync = runCatching { priya.session.vaultOrNull()!!.sync() }
        check("duress: the empty app still syncs", dsync.isSuccess) { dsync.exceptionOrNull().toString() }

        // Ruth's phone pulls what Sam and Priya never sent themselves.
        val ruth = Phone(root, "ruth", this)
        ruth.session.start()
        val enrolR = EnrolState(ruth.session, ruth.home, scheduler, this, "Ruth's phone")
        enrolR.startScan(); enrolR.scanned(server.enrolmentQr("Ruth")); settle()
        pinInto("246810", enrolR::press); enrolR.continuePin()
        pinInto("246810", enrolR::press); enrolR.continuePin(); settle()
        val rsync = runCatching { ruth.session.vaultOrNull()!!.sync() }
        val names = ruth.session.vaultOrNull()!!.findPeople("").map { it.alias }.toSet()
        check("the server got Kerry (kept after the wipe) and Mel (kept after the duress PIN)",
            rsync.isSuccess && names.containsAll(setOf("Kerry", "Mel"))) { "$names ${rsync.exceptionOrNull()}" }
    }
}
