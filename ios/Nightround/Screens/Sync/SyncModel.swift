import Foundation
import NightroundCore
import Observation

/// The sync screen's state, as the core reports it: what is waiting, what
/// the server held back and why, the last success, the last problem in plain
/// words, and the date by which the phone must sync to carry on.
struct SyncContent: Equatable, Sendable {
    let status: SyncStatus
    let heldBack: [String]
}

@MainActor
@Observable
final class SyncModel {
    private(set) var content: SyncContent?
    private(set) var problem: String?
    private(set) var result: String?
    private(set) var isSyncing = false

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    func load() async {
        do {
            content = try await gateway.call { vault -> SyncContent in
                SyncContent(status: try vault.syncStatus(), heldBack: try vault.quarantineReasons())
            }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    /// Runs `sync` (through the app, so only one runs at a time) and says how
    /// it went.
    func syncNow(using run: () async -> SyncOutcome?) async {
        guard !isSyncing else { return }
        isSyncing = true
        result = nil
        let outcome = await run()
        isSyncing = false
        switch outcome {
        case .synced(let report):
            result = String(localized: "Sent \(Int(report.pushed)), received \(Int(report.pulled)).")
        case .failed(let error):
            result = ErrorWording.describe(error)
        case nil:
            break
        }
        await load()
    }
}
