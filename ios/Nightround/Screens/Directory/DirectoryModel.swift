import Foundation
import NightroundCore
import Observation

/// The partnership's services, as the core's directory lists them: the
/// leaflet the women asked for (what each does, where, when, how to reach it).
@MainActor
@Observable
final class DirectoryModel {
    private(set) var agencies: [Agency] = []
    private(set) var problem: String?

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    func load() async {
        do {
            agencies = try await gateway.call { vault in try vault.directory().agencies }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }
}
