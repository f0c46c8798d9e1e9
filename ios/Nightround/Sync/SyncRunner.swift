import NightroundCore

/// How a sync ended, for the screen that asked.
enum SyncOutcome: Sendable {
    case synced(SyncReport)
    case failed(NightroundError)
}

/// Runs one sync at a time, off the main actor. A second request while one is
/// running waits for that one instead of starting another: the network
/// returning, a pull to refresh and "Sync now" often arrive together.
actor SyncRunner {
    private var inFlight: Task<SyncOutcome, Never>?

    func run(_ gateway: VaultGateway) async -> SyncOutcome {
        if let inFlight {
            return await inFlight.value
        }
        let task = Task<SyncOutcome, Never> {
            do {
                let report = try await gateway.background { vault in try vault.sync() }
                return .synced(report)
            } catch let error as NightroundError {
                return .failed(error)
            } catch {
                return .failed(.Internal)
            }
        }
        inFlight = task
        let outcome = await task.value
        inFlight = nil
        return outcome
    }
}
