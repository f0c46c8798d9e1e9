import NightroundCore

/// How a sync ended, for the screen that asked.
enum SyncOutcome: Sendable {
    case synced(SyncReport)
    case failed(NightroundError)
}

/// Runs one sync at a time, off the main actor. A second request while one is
/// running waits for that one instead of starting another: the network
/// returning, a pull to refresh and "Sync now" often arrive together.
///
/// A `fresh` request (a help call) must not be answered by a sync that began
/// before the help call was queued, which would leave it on the phone: it
/// waits for the running one, then runs its own (or joins one that began
/// after it asked).
actor SyncRunner {
    private var inFlight: Task<SyncOutcome, Never>?
    private var started = 0

    func run(_ gateway: VaultGateway, fresh: Bool = false) async -> SyncOutcome {
        if let current = inFlight {
            let seen = started
            let outcome = await current.value
            guard fresh else { return outcome }
            if started != seen, let newer = inFlight {
                return await newer.value
            }
        }
        started += 1
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
        if inFlight == task {
            inFlight = nil
        }
        return outcome
    }
}
