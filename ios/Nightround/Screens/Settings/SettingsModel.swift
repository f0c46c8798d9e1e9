import Foundation
import NightroundCore
import Observation

/// Who this phone is enrolled for, what has not reached the server yet (so
/// signing out can say what would be lost), and signing out, which erases the
/// vault through the core.
@MainActor
@Observable
final class SettingsModel {
    private(set) var identity: WorkerIdentity?
    private(set) var pending: UInt64 = 0
    private(set) var problem: String?
    private(set) var isErasing = false

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    var coreVersionText: String {
        coreVersion()
    }

    func load() async {
        do {
            let (identity, status) = try await gateway.call { vault -> (WorkerIdentity, SyncStatus) in
                (try vault.identity(), try vault.syncStatus())
            }
            self.identity = identity
            pending = status.pending
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    /// Erases everything: the core overwrites the wrapped key, deletes the
    /// keystore secret and the files. True when done.
    func signOut() async -> Bool {
        isErasing = true
        defer { isErasing = false }
        do {
            try await gateway.call { vault in try vault.wipe() }
            return true
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }
}
