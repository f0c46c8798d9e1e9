import Foundation
import NightroundCore
import Observation

/// What the quick-contact form offers, from the core.
struct QuickContactChoices: Equatable, Sendable {
    let areas: [Area]
    let supplies: [SupplyItem]
    let lastAreaId: String?
    /// The kind her role records, decided by the core.
    let defaultKind: ContactKind
}

/// The quick-contact form. Three things up front (who, where, what was
/// handed out); how she seemed, a note, the kind of contact and a referral
/// one tap further. It only gathers what was tapped into a `ContactDraft`:
/// the core checks it (the area, the supplies, the note, her role, the
/// under-18 acknowledgement) and says what to fix.
@MainActor
@Observable
final class QuickContactModel {
    let who: PersonSearch
    var areaId = ""
    var note = ""
    var kind: ContactKind = .outreachConversation
    var showsMore = false
    /// Set when the core asks for the under-18 safeguarding acknowledgement.
    var asksSafeguarding = false
    private(set) var counts: [String: Int] = [:]
    private(set) var wellbeing: Set<WellbeingFlag> = []
    private(set) var choices: QuickContactChoices?
    private(set) var problem: String?
    private(set) var isSaving = false

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
        self.who = PersonSearch(gateway: gateway)
    }

    /// Loads the choices once, defaulting the area to where her last contact
    /// was (the core remembers it) and, from her record, the person.
    func load(personId: Uuid?) async {
        guard choices == nil else { return }
        do {
            let (loaded, person) = try await gateway.call { vault -> (QuickContactChoices, Person?) in
                // Choices and defaults come from the core, the same on Android.
                let form = try vault.quickContactForm()
                let person = try personId.map { id in try vault.person(id: id) }
                let choices = QuickContactChoices(
                    areas: form.areas,
                    supplies: form.supplies,
                    lastAreaId: form.defaultAreaId,
                    defaultKind: form.defaultKind
                )
                return (choices, person)
            }
            choices = loaded
            areaId = loaded.lastAreaId ?? ""
            kind = loaded.defaultKind
            if let person {
                who.choose(person)
            }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    func count(of itemId: String) -> Int {
        counts[itemId, default: 0]
    }

    func add(_ itemId: String) {
        counts[itemId, default: 0] += 1
    }

    func remove(_ itemId: String) {
        counts[itemId] = max(count(of: itemId) - 1, 0)
    }

    func toggle(_ flag: WellbeingFlag) {
        if wellbeing.contains(flag) {
            wellbeing.remove(flag)
        } else {
            wellbeing.insert(flag)
        }
    }

    /// Saves through the core; true when it is recorded. If the core asks for
    /// the under-18 acknowledgement, `asksSafeguarding` turns on and the screen
    /// asks her; saving again with `acknowledgingSafeguarding` sends it.
    func save(acknowledgingSafeguarding: Bool = false) async -> Bool {
        guard !isSaving, let choices else { return false }
        isSaving = true
        defer { isSaving = false }
        let draft = ContactDraft(
            personId: who.chosen?.id,
            at: nil,
            areaId: areaId,
            kind: kind,
            wellbeing: WellbeingFlag.allCases.filter { wellbeing.contains($0) },
            note: note.isEmpty ? nil : note,
            supplies: choices.supplies.compactMap { item in
                let quantity = count(of: item.id)
                return quantity > 0 ? SupplyLine(itemId: item.id, quantity: UInt32(quantity)) : nil
            },
            safeguardingAcknowledged: acknowledgingSafeguarding
        )
        do {
            _ = try await gateway.call { vault in try vault.recordContact(draft: draft) }
            problem = nil
            return true
        } catch NightroundError.Invalid(reason: .safeguardingNotAcknowledged, detail: _) {
            asksSafeguarding = true
            return false
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }
}
