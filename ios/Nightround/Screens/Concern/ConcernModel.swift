import Foundation
import NightroundCore
import Observation

/// The "ugly mug" report: what happened, where, how serious, the man or the
/// vehicle as far as she saw them, and whether to share it as a team alert
/// (every team phone gets it until it expires). Who reported it is optional:
/// anonymous unless she wants her name on it. The core checks the report.
@MainActor
@Observable
final class ConcernModel {
    /// How long a shared alert stays up, as offered to her; the core refuses
    /// anything longer than it allows.
    static let alertDurations: [Int] = [1, 3, 7, 28]

    let reporter: PersonSearch
    var category: ConcernCategory?
    var severity: Severity?
    var whatHappened = ""
    var areaId = ""
    var sharesAsAlert = true
    var alertDays = 7
    var policeConsent = false
    var vehicleMake = ""
    var vehicleColour = ""
    var vehicleRegistration = ""
    var showsMore = false
    private(set) var areas: [Area] = []
    private(set) var problem: String?
    private(set) var isSaving = false

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
        self.reporter = PersonSearch(gateway: gateway)
    }

    /// Every question that has no default has an answer (whether the answers
    /// are acceptable is the core's decision).
    var canSave: Bool {
        category != nil && severity != nil && !isSaving
    }

    func load() async {
        guard areas.isEmpty else { return }
        do {
            let (directory, lastArea) = try await gateway.call { vault -> (Directory, String?) in
                (try vault.directory(), try vault.lastArea())
            }
            areas = directory.areas
            areaId = lastArea ?? ""
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    /// Saves the report; true when recorded.
    func save() async -> Bool {
        guard let category, let severity, !isSaving else { return false }
        isSaving = true
        defer { isSaving = false }
        let vehicle = Vehicle(
            make: vehicleMake.isEmpty ? nil : vehicleMake,
            colour: vehicleColour.isEmpty ? nil : vehicleColour,
            partialRegistration: vehicleRegistration.isEmpty ? nil : vehicleRegistration
        )
        let draft = ConcernDraft(
            category: category,
            description: whatHappened,
            vehicle: vehicle,
            areaId: areaId,
            at: nil,
            severity: severity,
            alertUntil: sharesAsAlert ? Date.now.addingTimeInterval(TimeInterval(alertDays) * 24 * 60 * 60) : nil,
            policeConsent: policeConsent,
            reportedBy: reporter.chosen?.id
        )
        do {
            _ = try await gateway.call { vault in try vault.raiseConcern(draft: draft) }
            problem = nil
            return true
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }
}
