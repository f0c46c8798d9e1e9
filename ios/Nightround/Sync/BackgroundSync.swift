import BackgroundTasks
import Foundation
import os

/// Sync when iOS gives the app time in the background: a short
/// `BGAppRefreshTask` and a longer `BGProcessingTask` that waits for network.
///
/// The app locks the vault the moment it goes to the background; a locked
/// vault still sends its outbox, by the copies sealed to the server's key
/// (ADR 0003), so records reach the team even if she does not open the app
/// again. Pulling what others sent waits for the next unlocked sync.
@MainActor
final class BackgroundSync {
    static let shared = BackgroundSync()

    /// Must match BGTaskSchedulerPermittedIdentifiers in Info.plist.
    static let refreshIdentifier = "org.nightround.app.sync.refresh"
    static let processingIdentifier = "org.nightround.app.sync.processing"

    /// The running app, once it has a vault; set by `AppModel`.
    weak var app: AppModel?

    private init() {}

    /// Called from `application(_:didFinishLaunchingWithOptions:)`: iOS
    /// requires handlers before launch finishes. Handlers run on the main
    /// queue, hence on the main actor.
    func registerHandlers() {
        for identifier in [Self.refreshIdentifier, Self.processingIdentifier] {
            _ = BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: .main) { task in
                MainActor.assumeIsolated {
                    BackgroundSync.shared.handle(task)
                }
            }
        }
    }

    /// Asks iOS for the next runs; called when the app goes to the background.
    func schedule() {
        let refresh = BGAppRefreshTaskRequest(identifier: Self.refreshIdentifier)
        refresh.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        let processing = BGProcessingTaskRequest(identifier: Self.processingIdentifier)
        processing.requiresNetworkConnectivity = true
        processing.requiresExternalPower = false
        for request in [refresh, processing] as [BGTaskRequest] {
            do {
                try BGTaskScheduler.shared.submit(request)
            } catch {
                // Refused on the simulator and when she has turned off
                // Background App Refresh: the foreground paths still sync.
                Logger.sync.info("background sync not scheduled: \(error.localizedDescription, privacy: .public)")
            }
        }
    }

    private func handle(_ task: BGTask) {
        schedule()
        let completion = TaskCompletion(task)
        guard let app else {
            completion.finish(success: true)
            return
        }
        let work = Task { @MainActor in
            let success = await app.backgroundSync()
            completion.finish(success: success)
        }
        task.expirationHandler = {
            // The core's sync cannot be interrupted mid-call, but it is safe to
            // abandon: nothing is deleted from the outbox before the server
            // acknowledges it. Tell iOS at once.
            work.cancel()
            completion.finish(success: false)
        }
    }
}

/// Completes a background task exactly once, whichever comes first: the work
/// finishing or iOS asking for the time back. `BGTask.setTaskCompleted` may
/// be called from any thread; the lock makes "once" hold across them.
private final class TaskCompletion: @unchecked Sendable {
    private let task: BGTask
    private let done = OSAllocatedUnfairLock(initialState: false)

    init(_ task: BGTask) {
        self.task = task
    }

    func finish(success: Bool) {
        let first = done.withLock { finished -> Bool in
            defer { finished = true }
            return !finished
        }
        if first {
            task.setTaskCompleted(success: success)
        }
    }
}

extension Logger {
    /// Sync diagnostics: counts and states only, never record contents.
    static let sync = Logger(subsystem: "org.nightround.app", category: "sync")
}
