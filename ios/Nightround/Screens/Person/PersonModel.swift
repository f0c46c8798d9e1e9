import Foundation
import NightroundCore
import Observation

/// Everything this phone holds about one woman, as the core returns it:
/// her profile, her timeline (newest first), her consents agency by agency,
/// and her referrals still open. The names for ids come from the directory.
struct PersonContent: Equatable, Sendable {
    let person: Person
    let timeline: [TimelineEntry]
    let consents: [Consent]
    let openReferrals: [ReferralView]
    let agencyNames: [String: String]
    let areaNames: [String: String]
    let supplyNames: [String: String]
}

@MainActor
@Observable
final class PersonModel {
    let personId: Uuid
    private(set) var content: PersonContent?
    private(set) var problem: String?

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway, personId: Uuid) {
        self.gateway = gateway
        self.personId = personId
    }

    func load() async {
        let id = personId
        do {
            content = try await gateway.call { vault -> PersonContent in
                let directory = try vault.directory()
                return PersonContent(
                    person: try vault.person(id: id),
                    timeline: try vault.personTimeline(personId: id),
                    consents: try vault.consents(personId: id),
                    // The core lists every open referral; hers are the ones
                    // with her id (see the README's wished-for filter).
                    openReferrals: try vault.openReferrals().filter { $0.referral.personId == id },
                    agencyNames: Self.names(directory.agencies.map { ($0.id, $0.name) }),
                    areaNames: Self.names(directory.areas.map { ($0.id, $0.name) }),
                    supplyNames: Self.names(directory.supplies.map { ($0.id, $0.name) })
                )
            }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    /// She withdraws her consent for one agency; true when recorded.
    func withdraw(consentId: Uuid) async -> Bool {
        do {
            _ = try await gateway.call { vault in try vault.withdrawConsent(consentId: consentId) }
            problem = nil
            return true
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }

    /// Moves one of her referrals to a status the core allows next; true when
    /// recorded (the core refuses any other move).
    func move(referralId: Uuid, to status: ReferralStatus) async -> Bool {
        do {
            _ = try await gateway.call { vault in try vault.setReferralStatus(id: referralId, status: status) }
            problem = nil
            await load()
            return true
        } catch {
            problem = ErrorWording.describe(error)
            return false
        }
    }

    nonisolated private static func names(_ pairs: [(String, String)]) -> [String: String] {
        Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
}
