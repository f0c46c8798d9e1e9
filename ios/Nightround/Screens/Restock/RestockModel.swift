import Foundation
import NightroundCore
import Observation

/// Supplies that went out without a contact: the hidden drop box only the
/// women know topped up, a handful left with a hostel. Nobody is named. The
/// areas and the catalogue are the core's (the quick-contact form's), the
/// area defaults to where she last was, and the core checks every line
/// (`recordSupplies`).
@MainActor
@Observable
final class RestockModel {
    var areaId = ""
    var purpose: SupplyPurpose = .restockDropPoint
    private(set) var counts: [String: Int] = [:]
    private(set) var areas: [Area] = []
    private(set) var supplies: [SupplyItem] = []
    private(set) var problem: String?
    private(set) var isSaving = false

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    var total: Int { counts.values.reduce(0, +) }

    func load() async {
        guard areas.isEmpty else { return }
        do {
            let form = try await gateway.call { vault in try vault.quickContactForm() }
            areas = form.areas
            supplies = form.supplies
            areaId = form.defaultAreaId ?? form.areas.first?.id ?? ""
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    func add(_ itemId: String, _ by: Int = 1) {
        counts[itemId] = max(0, (counts[itemId] ?? 0) + by)
    }

    /// True when the core kept the drop.
    func save() async -> Bool {
        let draft = SupplyDropDraft(
            at: nil,
            areaId: areaId,
            purpose: purpose,
            lines: supplies.compactMap { item in
                guard let n = counts[item.id], n > 0 else { return nil }
                return SupplyLine(itemId: item.id, quantity: UInt32(n))
            }
        )
        isSaving = true
        defer { isSaving = false }
        do {
            _ = try await gateway.call { vault in try vault.recordSupplies(draft: draft) }
            problem = nil
            return true
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }
}
