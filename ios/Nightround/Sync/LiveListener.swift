import Foundation
import NightroundCore
import os

/// The live channel, while a round is open and the app is in front.
///
/// A loop of `listen(waitSeconds: 25)` long polls on the gateway's own live
/// queue (never the main thread, never in the way of a sync or a help call).
/// The server answers at once when a help call, a missed round or a team alert
/// is stored; the core then syncs by itself, and `onSynced` lets the app
/// reload and post a notification if that sync brought new safety alerts.
///
/// iOS gives an app no way to hold a connection open in the background, so
/// `AppModel` starts this only when a round is open, the vault is unlocked
/// and the scene is active, and stops it on the background, on locking and
/// when the round ends. A poll already waiting cannot be interrupted: it
/// returns within 25 s and the cancelled loop then stops.
///
/// With no signal `listen` throws at once and carries no signal of its own:
/// the loop waits a few seconds (longer after each failure) and asks again.
@MainActor
final class LiveListener {
    /// The longest wait the server allows.
    static let waitSeconds: UInt32 = 25
    /// Waits after a failure: 3 s, then 6, 12, up to 30.
    private static let firstBackoff: Double = 3
    private static let longestBackoff: Double = 30
    /// A server without the channel: the core synced instead; ask again later.
    private static let unavailablePause: Double = 60

    private var loop: Task<Void, Never>?
    private var loopNumber = 0

    var isRunning: Bool { loop != nil }

    /// Starts the loop if it is not running.
    func start(gateway: VaultGateway, onSynced: @escaping @MainActor @Sendable (SyncReport) async -> Void) {
        guard loop == nil else { return }
        loopNumber += 1
        let number = loopNumber
        loop = Task { @MainActor [weak self] in
            defer { self?.ended(number) }
            var backoff = LiveListener.firstBackoff
            while !Task.isCancelled {
                do {
                    let report = try await gateway.live { vault in
                        try vault.listen(waitSeconds: LiveListener.waitSeconds)
                    }
                    backoff = LiveListener.firstBackoff
                    guard !Task.isCancelled else { return }
                    if let sync = report.sync {
                        await onSynced(sync)
                    }
                    if report.liveUnavailable {
                        try? await Task.sleep(for: .seconds(LiveListener.unavailablePause))
                    }
                } catch NightroundError.Locked {
                    // The app has gone to the PIN (the gateway reported it).
                    return
                } catch {
                    Logger.sync.info("live channel: \(String(describing: type(of: error)), privacy: .public); retrying in \(backoff, privacy: .public) s")
                    try? await Task.sleep(for: .seconds(backoff))
                    backoff = min(backoff * 2, LiveListener.longestBackoff)
                }
            }
        }
    }

    func stop() {
        loop?.cancel()
        loop = nil
    }

    /// A loop that stopped by itself (the vault locked) can be started again;
    /// one already replaced by a newer loop leaves that one alone.
    private func ended(_ number: Int) {
        if number == loopNumber {
            loop = nil
        }
    }
}

/// Decides whether safety alerts that arrived by a sync deserve a
/// notification: only ids not seen before, and only after the first load
/// (alerts already there when she unlocks are on the alerts screen, not news).
struct SafetyAlertWatch {
    enum News {
        case none
        /// A help call or a missed round.
        case urgent
        /// Someone was heard from again.
        case update
    }

    private var known: Set<String>?

    mutating func update(_ alerts: [SafetyAlertView]) -> News {
        let keys = Dictionary(alerts.map { ($0.listKey, $0.kind) }, uniquingKeysWith: { first, _ in first })
        defer { known = Set(keys.keys) }
        guard let known else { return .none }
        let fresh = keys.filter { !known.contains($0.key) }
        if fresh.values.contains(where: { $0 != .heardFromAgain }) {
            return .urgent
        }
        return fresh.isEmpty ? .none : .update
    }

    mutating func forget() {
        known = nil
    }
}

extension SafetyAlertView {
    /// One row per alert: a round can be missed and then heard from again,
    /// two alerts with the same record id.
    var listKey: String {
        switch kind {
        case .helpCall: return "help-\(recordId)"
        case .missedCheckIn: return "missed-\(recordId)"
        case .heardFromAgain: return "heard-\(recordId)"
        }
    }
}
