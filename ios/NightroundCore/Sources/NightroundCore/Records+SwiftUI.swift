import Foundation

// Conformances SwiftUI needs on the core's generated records and enums.
//
// They live here, in the module that owns the generated types, rather than in
// the app: a conformance added in another module would be retroactive (Swift 6
// warns, and it would clash if uniffi ever generated one). Nothing here
// decides anything: ids are the records' own, and the case lists are checked
// against the generated enums by ios/check-shape.sh, so a case the core adds
// fails CI instead of silently missing from a screen.

// MARK: - Identity for lists

extension Person: Identifiable {}
extension Contact: Identifiable {}
extension Concern: Identifiable {}
extension Consent: Identifiable {}
extension Referral: Identifiable {}
extension Agency: Identifiable {}
extension Area: Identifiable {}
extension SupplyItem: Identifiable {}

extension AlertView: Identifiable {
    public var id: Uuid { concern.id }
}

extension ReferralView: Identifiable {
    public var id: Uuid { referral.id }
}

extension SupplyTotal: Identifiable {
    public var id: String { itemId }
}

extension TimelineEntry: Identifiable {
    /// The id of the record the entry shows; records of different kinds never
    /// share an id (they are all UUIDv7).
    public var id: Uuid {
        switch self {
        case .contact(let contact): return contact.id
        case .referral(let referral): return referral.id
        case .consent(let consent): return consent.id
        case .concern(let concern): return concern.id
        }
    }
}

// MARK: - Every choice a screen offers, in the core's declaration order

extension ConcernCategory: CaseIterable {
    public static var allCases: [ConcernCategory] {
        [.physicalViolence, .sexualViolence, .robbery, .threats, .stalking,
         .dangerousVehicle, .spiking, .exploitation, .other]
    }
}

extension Severity: CaseIterable {
    public static var allCases: [Severity] { [.low, .medium, .high] }
}

extension WellbeingFlag: CaseIterable {
    public static var allCases: [WellbeingFlag] {
        [.intoxicated, .injured, .distressed, .unwell, .firstContact, .appearsUnder18]
    }
}

extension SupplyPurpose: CaseIterable {
    public static var allCases: [SupplyPurpose] {
        [.restockDropPoint, .leftWithPartner, .handedOut]
    }
}

extension ContactKind: CaseIterable {
    public static var allCases: [ContactKind] {
        [.outreachConversation, .policeWelfareCheck, .dropInVisit, .phone]
    }
}

extension InfoCategory: CaseIterable {
    public static var allCases: [InfoCategory] {
        [.contactDetails, .health, .substanceUse, .housing, .safety, .contactHistory,
         .wellbeing, .criminalJustice, .freeTextNote]
    }
}

extension Urgency: CaseIterable {
    public static var allCases: [Urgency] { [.red, .amber, .green] }
}

extension ConsentMethod: CaseIterable {
    public static var allCases: [ConsentMethod] { [.verbal, .written] }
}
