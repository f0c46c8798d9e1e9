import Foundation
import NightroundCore
import os

/// The one way Swift reaches an open vault.
///
/// - Calls run on dispatch queues, never the main thread: the core blocks.
///   Taps and screens use one queue; sync, which can take many seconds on a
///   poor signal, uses another, so a tap never waits behind the network (the
///   core's own lock is held per step, not across the network). The live
///   channel's long poll (up to 25 s, while a round is open) has a third
///   queue of its own, so neither a sync nor a help call waits behind it.
/// - Errors that change what the whole app shows (locked, erased, revoked,
///   lease expired) are reported to `onEvent` here, once, whichever screen
///   made the call; the error is still thrown so the caller can stop.
///
/// Closures name their argument `vault` so ios/check-shape.sh can check every
/// `vault.method(` against the generated bindings.
final class VaultGateway: Sendable {
    let vault: NightroundVault
    private let onEvent: @MainActor @Sendable (VaultEvent) -> Void
    private let interactive = DispatchQueue(label: "org.nightround.vault.interactive", qos: .userInitiated)
    private let background = DispatchQueue(label: "org.nightround.vault.background", qos: .utility)
    private let liveQueue = DispatchQueue(label: "org.nightround.vault.live", qos: .utility)
    /// When a screen or a tap last reached the vault (`call`). The live
    /// channel's `listen` counts as activity in the core, so while a round is
    /// open the core's idle timer never runs out on its own; `AppModel` uses
    /// this to apply the idle timeout itself (see `LiveListener`).
    private let lastInteractive = OSAllocatedUnfairLock(initialState: Date.now)

    init(vault: NightroundVault, onEvent: @escaping @MainActor @Sendable (VaultEvent) -> Void) {
        self.vault = vault
        self.onEvent = onEvent
    }

    /// For what a screen shows and what a tap does.
    func call<T: Sendable>(_ work: @escaping @Sendable (NightroundVault) throws -> T) async throws -> T {
        lastInteractive.withLock { $0 = .now }
        return try await run(on: interactive, work)
    }

    /// For sync: may be slow, must not hold up taps.
    func background<T: Sendable>(_ work: @escaping @Sendable (NightroundVault) throws -> T) async throws -> T {
        try await run(on: background, work)
    }

    /// For the live channel's long poll: its own queue, so it holds up nothing.
    func live<T: Sendable>(_ work: @escaping @Sendable (NightroundVault) throws -> T) async throws -> T {
        try await run(on: liveQueue, work)
    }

    /// How long since a screen or a tap last reached the vault.
    func secondsSinceInteraction() -> TimeInterval {
        Date.now.timeIntervalSince(lastInteractive.withLock { $0 })
    }

    /// Locks at once on the calling thread: going to the background or a quick
    /// exit must not wait in a queue behind other work.
    func lockNow() {
        vault.lock()
    }

    /// Whether the keys are out of memory; asking also applies the core's idle
    /// timeout. An unanswerable question counts as locked.
    func isLocked() async -> Bool {
        do {
            // Not through `call`: asking is not her using the app.
            return try await run(on: interactive) { vault in vault.isLocked() }
        } catch {
            return true
        }
    }

    private func run<T: Sendable>(
        on queue: DispatchQueue,
        _ work: @escaping @Sendable (NightroundVault) throws -> T
    ) async throws -> T {
        let vault = self.vault
        do {
            return try await OffMain.run(on: queue) { try work(vault) }
        } catch let error as NightroundError {
            if let event = VaultEvent(error) {
                await onEvent(event)
            }
            throw error
        }
    }
}
