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
    /// Every category with the core's words, in the screens' order.
    let categories: [InfoCategoryText] = infoCategories()
    /// What is read to her: the core's sentences (`previewReferralForm`).
    private(set) var preview: ReferralReadBack?
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

    /// Asks the core for the read-back. It refuses exactly as saving would
    /// (no service, nothing shared, no needs) and writes nothing; a refusal
    /// stays on the form with the core's reason.
    func readBack() async {
        guard let form = form() else { return }
        do {
            preview = try await gateway.call { vault in try vault.previewReferralForm(form: form) }
            problem = nil
            step = .readBack
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    func edit() {
        step = .form
    }

    /// She agreed to what was read back: save. True when saved; otherwise the
    /// core's reason is shown on the form.
    func submit() async -> Bool {
        guard !isSaving else { return false }
        isSaving = true
        defer { isSaving = false }
        guard let form = form() else { return false }
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

    private func form() -> ReferralForm? {
        guard let urgency else { return nil }
        return ReferralForm(
            personId: personId,
            agencyIds: chosenAgencies.map(\.id),
            urgency: urgency,
            needs: needs,
            consentMethod: method,
            consentCovers: categories.map(\.category).filter { covers.contains($0) },
            consentReviewAt: nil
        )
    }
}
