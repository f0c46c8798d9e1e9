import Foundation

/// Runs blocking work on a dispatch queue and awaits it. Core calls block
/// (Argon2id when unlocking, SQLite, the network while enrolling or syncing),
/// and blocking the main thread freezes the screen; blocking Swift's
/// cooperative thread pool starves other tasks. A plain queue does neither.
enum OffMain {
    /// For one-off work outside a vault (opening, enrolling, Face ID).
    static let defaultQueue = DispatchQueue(label: "org.nightround.offmain", qos: .userInitiated)

    static func run<T: Sendable>(
        on queue: DispatchQueue = OffMain.defaultQueue,
        _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result(catching: work))
            }
        }
    }
}
