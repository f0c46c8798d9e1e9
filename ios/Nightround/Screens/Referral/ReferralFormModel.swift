import Foundation
import NightroundCore
import Observation

/// The universal referral form: the services she agrees her information may
/// go to, ticked one by one; what may be shared; how urgent it is (red, amber,
/// green); what she needs. It is read back to her before anything is saved,
/// and saved in one step by the core (`submitReferralForm`: the consents and a
/// referral to each service, together or not at all).
@MainActor
@Observable
final class ReferralFormModel {
    enum Step: Equatable {
        case form
        case readBack
    }

    let personId: Uuid
    var needs = ""
    var urgency: Urgency?
    var method: ConsentMethod = .verbal
    private(set) var agencies: [Agency] = []
    private(set) var alias: String?
    private(set) var chosenAgencyIds: Set<String> = []
    private(set) var covers: Set<InfoCategory> = []
    private(set) var step: Step = .form
    private(set) var problem: String?
    private(set) var isSaving = false

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway, personId: Uuid) {
        self.gateway = gateway
        self.personId = personId
    }

    /// The services she agreed to, in directory order.
    var chosenAgencies: [Agency] {
        agencies.filter { chosenAgencyIds.contains($0.id) }
    }

    /// Whether the form can be read back: every question has an answer to
    /// read (whether the answers are acceptable is the core's decision).
    var canReadBack: Bool {
        urgency != nil
    }

    func load() async {
        guard agencies.isEmpty else { return }
        let id = personId
        do {
            let (directory, person) = try await gateway.call { vault -> (Directory, Person) in
                (try vault.directory(), try vault.person(id: id))
            }
            agencies = directory.agencies
            alias = person.alias
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    func toggleAgency(_ id: String) {
        if chosenAgencyIds.contains(id) {
            chosenAgencyIds.remove(id)
        } else {
            chosenAgencyIds.insert(id)
        }
    }

    func toggleCover(_ category: InfoCategory) {
        if covers.contains(category) {
            covers.remove(category)
        } else {
            covers.insert(category)
        }
    }

    func readBack() {
        problem = nil
        step = .readBack
    }

    func edit() {
        step = .form
    }

    /// She agreed to what was read back: save. True when saved; otherwise the
    /// core's reason is shown on the form.
    func submit() async -> Bool {
        guard !isSaving, let urgency else { return false }
        isSaving = true
        defer { isSaving = false }
        let form = ReferralForm(
            personId: personId,
            agencyIds: chosenAgencies.map(\.id),
            urgency: urgency,
            needs: needs,
            consentMethod: method,
            consentCovers: InfoCategory.allCases.filter { covers.contains($0) },
            consentReviewAt: nil
        )
        do {
            _ = try await gateway.call { vault in try vault.submitReferralForm(form: form) }
            problem = nil
            return true
        } catch {
            problem = ErrorWording.describe(error)
            step = .form
            return false
        }
    }
}
