import Foundation
import NightroundCore
import Observation

/// Tonight's round as the core counts it, and the contacts in it, newest
/// first, each with the alias and area names the list shows.
struct TonightContent: Equatable, Sendable {
    struct Row: Identifiable, Equatable, Sendable {
        let id: Uuid
        let personId: Uuid?
        let alias: String?
        let at: Date
        let areaName: String
        let kind: ContactKind
        let wellbeing: [WellbeingFlag]
        let itemsHandedOut: UInt32
    }

    let summary: RoundSummary
    let rows: [Row]
    let pending: UInt64
    let lastSync: Date?
}

/// Loads tonight's screen in one trip to the core.
@MainActor
@Observable
final class TonightModel {
    private(set) var content: TonightContent?
    private(set) var problem: String?

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    func load() async {
        // "Tonight" starts at the most recent local noon, as the core says.
        let offsetMinutes = Int32(TimeZone.current.secondsFromGMT(for: .now) / 60)
        let since = roundStart(now: .now, utcOffsetMinutes: offsetMinutes)
        do {
            content = try await gateway.call { vault -> TonightContent in
                let summary = try vault.roundSummary(since: since)
                let contacts = try vault.contactsSince(since: since)
                let directory = try vault.directory()
                let status = try vault.syncStatus()
                var aliases: [Uuid: String] = [:]
                for id in Set(contacts.compactMap(\.personId)) {
                    aliases[id] = try? vault.person(id: id).alias
                }
                let areaNames = Dictionary(directory.areas.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
                let rows = contacts.map { contact in
                    TonightContent.Row(
                        id: contact.id,
                        personId: contact.personId,
                        alias: contact.personId.flatMap { aliases[$0] },
                        at: contact.at,
                        areaName: areaNames[contact.areaId] ?? contact.areaId,
                        kind: contact.kind,
                        wellbeing: contact.wellbeing,
                        itemsHandedOut: contact.supplies.reduce(0) { $0 + $1.quantity }
                    )
                }
                return TonightContent(summary: summary, rows: rows, pending: status.pending, lastSync: status.lastSuccess)
            }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }
}
