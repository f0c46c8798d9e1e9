import Foundation
import NightroundCore
import Observation

/// Finding her by the name she is known by, as she types (the core's
/// `findPeople`), or adding her if she is new. Shared by the screens that ask
/// "who": quick contact, concern, people. No choice means anonymous.
@MainActor
@Observable
final class PersonSearch {
    var query = ""
    private(set) var matches: [Person] = []
    private(set) var chosen: Person?
    private(set) var problem: String?

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    /// Called whenever the query changes; waits for a pause in typing so that
    /// each keystroke does not open every profile.
    func searchAfterPause() async {
        let prefix = query
        guard !prefix.isEmpty else {
            matches = []
            return
        }
        try? await Task.sleep(for: .milliseconds(250))
        guard !Task.isCancelled else { return }
        do {
            matches = try await gateway.call { vault in try vault.findPeople(prefix: prefix) }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    /// Every person on this phone, for the people list.
    func loadEveryone() async {
        do {
            matches = try await gateway.call { vault in try vault.findPeople(prefix: "") }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    func choose(_ person: Person) {
        chosen = person
        query = ""
        matches = []
    }

    /// Back to anonymous.
    func clear() {
        chosen = nil
        query = ""
        matches = []
    }

    /// Adds her under the name typed, and chooses her. Everything else about
    /// her can be filled in later from her record.
    func addNew() async {
        let draft = PersonDraft(
            alias: query,
            description: nil,
            birthYear: nil,
            registeredWithOutreach: false,
            prefersFemaleWorker: false,
            keyWorker: nil
        )
        do {
            let person = try await gateway.call { vault in try vault.addPerson(draft: draft) }
            problem = nil
            choose(person)
        } catch {
            problem = ErrorWording.describe(error)
        }
    }
}
