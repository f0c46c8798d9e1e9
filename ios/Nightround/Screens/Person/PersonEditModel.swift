import Foundation
import NightroundCore
import Observation

/// Editing her profile: what she is known as, how she describes herself,
/// whether she prefers a female worker, her key worker. The form gathers
/// what was typed into a `PersonDraft`; the core checks it (the name, the
/// lengths, a plausible year) and versions the change
/// (`updatePerson`); the team sees it after the next sync.
@MainActor
@Observable
final class PersonEditModel {
    let personId: Uuid
    var alias = ""
    var selfDescription = ""
    /// Digits as typed; the core decides which years are plausible.
    var birthYear = ""
    var keyWorker = ""
    var prefersFemaleWorker = false
    var registeredWithOutreach = false
    private(set) var isLoaded = false
    private(set) var isSaving = false
    private(set) var problem: String?

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway, personId: Uuid) {
        self.gateway = gateway
        self.personId = personId
    }

    func load() async {
        guard !isLoaded else { return }
        let id = personId
        do {
            let person = try await gateway.call { vault in try vault.person(id: id) }
            alias = person.alias
            selfDescription = person.description ?? ""
            birthYear = person.birthYear.map { String($0) } ?? ""
            keyWorker = person.keyWorker ?? ""
            prefersFemaleWorker = person.prefersFemaleWorker
            registeredWithOutreach = person.registeredWithOutreach
            isLoaded = true
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    /// True when the core kept the change.
    func save() async -> Bool {
        let id = personId
        let draft = PersonDraft(
            alias: alias,
            description: selfDescription.isEmpty ? nil : selfDescription,
            birthYear: Int32(birthYear.filter(\.isNumber)),
            registeredWithOutreach: registeredWithOutreach,
            prefersFemaleWorker: prefersFemaleWorker,
            keyWorker: keyWorker.isEmpty ? nil : keyWorker
        )
        isSaving = true
        defer { isSaving = false }
        do {
            _ = try await gateway.call { vault in try vault.updatePerson(id: id, draft: draft) }
            problem = nil
            return true
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }
}
