import NightroundCore
import SwiftUI

/// One line of her timeline, in neutral words: what happened and when.
struct TimelineRow: View {
    /// Names for the ids records carry.
    struct Names {
        let agencies: [String: String]
        let areas: [String: String]
        let supplies: [String: String]
    }

    let entry: TimelineEntry
    let names: Names

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(date.formatted(date: .abbreviated, time: .shortened))
                .font(.subheadline)
                .foregroundStyle(Theme.secondaryText)
            details
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(.vertical, 4)
        .accessibilityElement(children: .combine)
    }

    private var date: Date {
        switch entry {
        case .contact(let contact): return contact.at
        case .referral(let referral): return referral.createdAt
        case .consent(let consent): return consent.givenAt
        case .concern(let concern): return concern.at
        }
    }

    private func suppliesLine(_ lines: [SupplyLine]) -> String {
        lines.map { line in
            let name = names.supplies[line.itemId] ?? line.itemId
            return "\(name) \(line.quantity)"
        }
        .joined(separator: ", ")
    }

    @ViewBuilder
    private var details: some View {
        switch entry {
        case .contact(let contact):
            Text("\(contact.kind.label) · \(names.areas[contact.areaId] ?? contact.areaId)")
                .foregroundStyle(Theme.text)
            if !contact.wellbeing.isEmpty {
                Text(contact.wellbeing.map(\.label).joined(separator: ", "))
                    .foregroundStyle(Theme.accent)
            }
            if !contact.supplies.isEmpty {
                Text(suppliesLine(contact.supplies))
                    .foregroundStyle(Theme.secondaryText)
            }
            if let note = contact.note, !note.isEmpty {
                Text(note)
                    .foregroundStyle(Theme.text)
            }
            Text("Recorded by \(contact.recordedBy.displayName)")
                .font(.footnote)
                .foregroundStyle(Theme.secondaryText)
        case .referral(let referral):
            Text("Referral to \(names.agencies[referral.agencyId] ?? referral.agencyId)")
                .foregroundStyle(Theme.text)
            Text("\(referral.urgency.label) · \(referral.status.label)")
                .foregroundStyle(Theme.secondaryText)
            Text(referral.needs)
                .foregroundStyle(Theme.text)
        case .consent(let consent):
            Text("Consent to share with \(names.agencies[consent.agencyId] ?? consent.agencyId)")
                .foregroundStyle(Theme.text)
            Text(consent.covers.map(\.label).joined(separator: ", "))
                .foregroundStyle(Theme.secondaryText)
        case .concern(let concern):
            Text("Concern: \(concern.category.label) · \(names.areas[concern.areaId] ?? concern.areaId)")
                .foregroundStyle(Theme.text)
            Text(concern.description)
                .foregroundStyle(Theme.secondaryText)
        }
    }
}
