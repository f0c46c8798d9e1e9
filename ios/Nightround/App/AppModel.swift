import Foundation
import NightroundCore
import Observation
import SwiftUI

/// Where the app is and what may be on screen: enrolment, the PIN, the app
/// itself, the neutral screen after a quick exit. Owns the vault gateway and
/// reacts to what the core says about the vault's life (locked by idle,
/// erased, revoked, lease expired); screens never decide these things.
@MainActor
@Observable
final class AppModel {
    enum Route: Equatable {
        case starting
        case enrol(notice: String?)
        case unlock
        case main
        case exited
        case failed(String)
    }

    /// A screen a notification asked for, shown once she is past the PIN.
    enum Opening: Equatable {
        case round
        case safetyAlerts
    }

    /// The wrong-PIN limit of ADR 0002: at the tenth the core erases the vault.
    static let maxFailedUnlocks: UInt32 = 10

    private(set) var route: Route = .starting
    private(set) var gateway: VaultGateway?
    /// Bumped whenever what screens show may have changed (an unlock, a save,
    /// a sync that brought something); screens reload with `.task(id:)`.
    private(set) var dataVersion = 0
    /// A notice for the whole app, such as a sync being needed to carry on.
    private(set) var notice: String?
    /// Team alerts plus colleagues' help calls and missed rounds.
    private(set) var activeAlertCount = 0
    private(set) var isOnline = false
    /// Her open lone-worker round, as the core last said.
    private(set) var openRound: RoundView?
    private(set) var opening: Opening?

    let preferences = ShellPreferences()
    let resume = BiometricResume()

    @ObservationIgnored private let network = NetworkWatcher()
    @ObservationIgnored private var networkStarted = false
    @ObservationIgnored private let syncRunner = SyncRunner()
    @ObservationIgnored private let notifier = TeamAlertNotifier()
    @ObservationIgnored private var idleWatch: Task<Void, Never>?
    @ObservationIgnored private var knownAlertIds: Set<Uuid>?
    @ObservationIgnored private var lastActivityNote = Date.distantPast
    @ObservationIgnored private let liveListener = LiveListener()
    @ObservationIgnored private var safetyWatch = SafetyAlertWatch()
    /// The scene is active; the app can only be unlocked in front, and
    /// `scenePhaseChanged` follows it from there.
    @ObservationIgnored private var isInFront = true
    /// An opening of the vault under way (`start`).
    @ObservationIgnored private var starting: Task<Void, Never>?

    init() {
        // A new process is a new session: a PIN kept for Face ID by an
        // earlier run must not survive it.
        resume.forget()
        BackgroundSync.shared.app = self
        CheckInReminder.shared.app = self
    }

    // MARK: - Opening

    /// Opens the vault on this phone (locked) or routes to enrolment. The
    /// root view and the reminder's "Check in" action (which may launch the
    /// app in the background) can both ask at once: they share one opening.
    func start() async {
        if let starting {
            await starting.value
            return
        }
        switch route {
        case .starting, .failed: break
        default: return
        }
        let opening = Task { await self.openVault() }
        starting = opening
        await opening.value
        starting = nil
    }

    private func openVault() async {
        startNetworkWatch()
        do {
            let path = try VaultLocation.vaultPath()
            let keystore = KeychainKeyStore()
            let vault = try await OffMain.run {
                try NightroundVault.open(path: path, keystore: keystore)
            }
            install(vault)
            await applyLockPolicy()
            route = .unlock
        } catch NightroundError.NoVault {
            route = .enrol(notice: nil)
        } catch {
            route = .failed(ErrorWording.describe(error))
        }
    }

    /// Enrolment made and unlocked a new vault.
    func enrolled(_ vault: NightroundVault) async {
        install(vault)
        await applyLockPolicy()
        unlocked()
    }

    /// The PIN (or Face ID within a session) opened the vault.
    func unlocked() {
        route = .main
        notice = nil
        dataVersion += 1
        startIdleWatch()
        notifier.requestPermissionOnce()
        Task {
            await refreshAlerts(announce: false)
            await syncNow()
        }
    }

    /// Tells the core how long to wait before locking itself and how many
    /// wrong PINs to allow. The core does not keep this, so it is set on every
    /// open and whenever she changes the timeout.
    func applyLockPolicy() async {
        guard let gateway else { return }
        let idleSeconds = preferences.idleTimeoutSeconds
        let maxFailed = Self.maxFailedUnlocks
        _ = try? await gateway.call { vault in
            try vault.setLockPolicy(idleTimeoutSeconds: idleSeconds, maxFailedUnlocks: maxFailed)
        }
    }

    // MARK: - Locking and leaving

    /// Follows the scene: locks on going to the background, retries a
    /// failed start on coming back (files are unreadable while the phone is
    /// locked, which is when a background launch may have tried).
    func scenePhaseChanged(to phase: ScenePhase) {
        switch phase {
        case .background:
            lockNow()
            isInFront = false
            BackgroundSync.shared.schedule()
        case .active:
            isInFront = true
            if case .failed = route {
                Task { await start() }
            }
            updateLiveListener()
        case .inactive:
            break
        @unknown default:
            lockNow()
        }
    }

    /// Locks at once: the keys leave memory before iOS snapshots or suspends
    /// the app. Anything on screen is dropped with the main view.
    func lockNow() {
        liveListener.stop()
        gateway?.lockNow()
        stopIdleWatch()
        if route == .main {
            route = .unlock
        }
    }

    /// The quick exit: lock, end the Face ID session, show the plain screen.
    func quickExit() {
        liveListener.stop()
        gateway?.lockNow()
        stopIdleWatch()
        resume.forget()
        route = .exited
    }

    /// Back from the plain screen: always through the PIN.
    func leaveNeutralScreen() {
        route = gateway == nil ? .enrol(notice: nil) : .unlock
    }

    /// Signed out: the vault was wiped on purpose.
    func signedOut() {
        forget(notice: String(localized: "Everything Nightround held on this phone was erased."))
    }

    /// Settings changed the idle timeout.
    func idleTimeoutChanged(to seconds: UInt32) {
        preferences.setIdleTimeout(seconds: seconds)
        Task { await applyLockPolicy() }
    }

    /// The core's idle timer counts vault calls, and typing a long note makes
    /// none; while she types, tell the core she is still there, at most every
    /// 20 seconds, with the cheapest call there is. (A `noteActivity()` core
    /// API would say this directly; see the README.)
    func noteActivity() {
        guard route == .main, let gateway,
              Date.now.timeIntervalSince(lastActivityNote) > 20
        else { return }
        lastActivityNote = .now
        Task {
            _ = try? await gateway.call { vault in try vault.pendingChanges() }
        }
    }

    // MARK: - Saving and syncing

    /// A screen saved something: screens reload, alerts recount, and it goes
    /// to the team now if there is signal.
    func changesSaved() {
        dataVersion += 1
        Task {
            await refreshAlerts(announce: false)
            if isOnline {
                await syncNow()
            }
        }
    }

    /// Pushes and pulls now, off the main actor; one sync at a time. `fresh`
    /// (a help call) runs a sync that starts after it asked, rather than
    /// sharing one already on its way without the help call in it.
    @discardableResult
    func syncNow(fresh: Bool = false) async -> SyncOutcome? {
        guard route == .main, let gateway else { return nil }
        let outcome = await syncRunner.run(gateway, fresh: fresh)
        if case .synced(let report) = outcome {
            // A sync that worked renews the lease.
            notice = nil
            if report.pulled > 0 || report.pushed > 0 {
                dataVersion += 1
            }
            await refreshAlerts(announce: report.pulled > 0)
        }
        return outcome
    }

    // MARK: - Lone-worker round

    /// The round screen loaded or changed her round: reminders follow it, and
    /// the live channel runs while it is open.
    func roundChanged(_ round: RoundView?) {
        openRound = round
        CheckInReminder.shared.update(for: round)
        updateLiveListener()
    }

    /// A notification asked for a screen.
    func open(_ opening: Opening) {
        self.opening = opening
    }

    /// The screen asked for is on show.
    func openingHandled() {
        opening = nil
    }

    /// The live channel runs only while a round is open, the vault unlocked
    /// and the app in front (iOS allows no more; see `LiveListener`).
    private func updateLiveListener() {
        guard route == .main, isInFront, openRound != nil, let gateway else {
            liveListener.stop()
            return
        }
        liveListener.start(gateway: gateway) { [weak self] report in
            await self?.liveSynced(report)
        }
    }

    /// The core synced because the live channel heard something urgent.
    private func liveSynced(_ report: SyncReport) async {
        notice = nil
        if report.pulled > 0 || report.pushed > 0 {
            dataVersion += 1
        }
        await refreshAlerts(announce: report.pulled > 0)
    }

    /// What came of the reminder's "Check in" action.
    struct ReminderCheckIn: Sendable {
        /// A sync delivered it to the server just now.
        let sent: Bool
        /// Made while locked: the core's answer, with when to remind her next
        /// (the caller sets those reminders). Nil when the app was unlocked:
        /// the round was reloaded and the reminders follow it already.
        let next: LockedCheckIn?
    }

    /// The reminder's "Check in" action, after iOS checked the device's
    /// passcode. Opens the vault as a background launch does, without
    /// unlocking it, and checks in with `checkInWhileLocked`: sealed to the
    /// server from the keystore-only package, then sent by the background
    /// sync path (which works locked). If she has the app unlocked in front
    /// (the action on a banner), the ordinary check-in instead. Throws
    /// `Locked` when this phone has no delivery package.
    func checkInFromReminder(roundId: Uuid, checkInMinutes: UInt32) async throws -> ReminderCheckIn {
        await start()
        guard let gateway else { throw NightroundError.NoVault }
        // `fresh`: a sync already on its way would leave the check-in behind.
        if route == .main {
            _ = try await gateway.call { vault in try vault.checkIn(roundId: roundId) }
            dataVersion += 1
            // A sync that worked reloads the round, and the reminders follow
            // it; without signal, reload it here.
            if case .synced = await syncNow(fresh: true) {
                return ReminderCheckIn(sent: true, next: nil)
            }
            await refreshAlerts(announce: false)
            return ReminderCheckIn(sent: false, next: nil)
        }
        let made = try await gateway.call { vault in
            try vault.checkInWhileLocked(roundId: roundId, checkInMinutes: checkInMinutes)
        }
        if case .synced = await syncRunner.run(gateway, fresh: true) {
            return ReminderCheckIn(sent: true, next: made)
        }
        return ReminderCheckIn(sent: false, next: made)
    }

    /// What a background task does; true when there was nothing to do or it
    /// worked. Locked or not: a locked vault still sends its outbox (by the
    /// copies sealed to the server, and check-ins made from the reminder);
    /// what others sent waits for an unlocked sync.
    func backgroundSync() async -> Bool {
        guard let gateway else { return true }
        switch await syncRunner.run(gateway) {
        case .synced: return true
        case .failed(.Locked): return true
        case .failed: return false
        }
    }

    // MARK: - Private

    private func install(_ vault: NightroundVault) {
        gateway = VaultGateway(vault: vault) { [weak self] event in
            self?.handle(event)
        }
    }

    private func handle(_ event: VaultEvent) {
        switch event {
        case .locked:
            liveListener.stop()
            stopIdleWatch()
            if route == .main {
                route = .unlock
            }
        case .leaseExpired:
            notice = ErrorWording.describe(NightroundError.LeaseExpired)
        case .erased:
            forget(notice: ErrorWording.describe(NightroundError.Shredded))
        case .revoked:
            forget(notice: ErrorWording.describe(NightroundError.Revoked))
        case .missing:
            forget(notice: nil)
        }
    }

    /// The vault is gone: drop everything that referred to it and enrol again.
    private func forget(notice: String?) {
        liveListener.stop()
        stopIdleWatch()
        gateway = nil
        knownAlertIds = nil
        safetyWatch.forget()
        openRound = nil
        CheckInReminder.shared.cancel()
        activeAlertCount = 0
        self.notice = nil
        resume.forget()
        route = .enrol(notice: notice)
    }

    private func startNetworkWatch() {
        guard !networkStarted else { return }
        networkStarted = true
        network.start { [weak self] satisfied in
            Task { @MainActor in
                self?.networkChanged(satisfied: satisfied)
            }
        }
    }

    /// Syncs when the network comes back while she is using the app.
    private func networkChanged(satisfied: Bool) {
        let cameBack = satisfied && !isOnline
        isOnline = satisfied
        if cameBack, route == .main {
            Task { await syncNow() }
        }
    }

    /// The core locks itself after the idle timeout, but only notices when
    /// asked; asking every ten seconds puts the PIN screen up on time instead
    /// of at her next tap.
    private func startIdleWatch() {
        idleWatch?.cancel()
        idleWatch = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                guard !Task.isCancelled, let self, let gateway = self.gateway else { return }
                if await gateway.isLocked() {
                    self.handle(.locked)
                    return
                }
                // The live channel's polls count as activity in the core, so
                // while it runs the core's idle timer never runs out: apply
                // the same timeout to her own use of the app here.
                if self.liveListener.isRunning,
                   gateway.secondsSinceInteraction() > TimeInterval(self.preferences.idleTimeoutSeconds) {
                    self.lockNow()
                    return
                }
            }
        }
    }

    private func stopIdleWatch() {
        idleWatch?.cancel()
        idleWatch = nil
    }

    /// Counts active team alerts and safety alerts, follows her open round
    /// and, after a sync brought new alerts, posts a notification that says
    /// nothing but that there is news (urgent news for a colleague's help
    /// call or missed round). On the sync queue, not `call`: reloading after
    /// a sync is not her using the app (see the idle check above).
    private func refreshAlerts(announce: Bool) async {
        guard let gateway else { return }
        let alerts: [AlertView]
        let safety: [SafetyAlertView]
        let round: RoundScreen
        do {
            (alerts, safety, round) = try await gateway.background { vault in
                (try vault.activeAlerts(), try vault.safetyAlerts(), try vault.roundScreen())
            }
        } catch {
            return
        }
        let ids = Set(alerts.map(\.concern.id))
        let safetyNews = safetyWatch.update(safety)
        if announce, safetyNews == .urgent {
            notifier.announceSafetyAlert()
        } else if announce, (knownAlertIds.map { !ids.isSubset(of: $0) } ?? false) || safetyNews == .update {
            notifier.announceTeamUpdate()
        }
        knownAlertIds = ids
        activeAlertCount = alerts.count + safety.filter { $0.kind != .heardFromAgain && $0.acknowledgedBy == nil }.count
        roundChanged(round.open)
    }
}
