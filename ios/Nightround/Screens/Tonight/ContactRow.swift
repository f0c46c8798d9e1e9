import NightroundCore
import SwiftUI

/// One contact in tonight's list: when, who, where, and what was noted.
struct ContactRow: View {
    let row: TonightContent.Row

    var body: some View {
        HStack(alignment: .top, spacing: 12) {
            Text(row.at, style: .time)
                .font(.body.monospacedDigit())
                .foregroundStyle(Theme.secondaryText)
                .frame(minWidth: 56, alignment: .leading)
            VStack(alignment: .leading, spacing: 4) {
                Text(row.alias ?? String(localized: "Anonymous"))
                    .font(.headline)
                    .foregroundStyle(Theme.text)
                Text("\(row.areaName) · \(row.kind.label)")
                    .foregroundStyle(Theme.secondaryText)
                if !row.wellbeing.isEmpty {
                    Text(row.wellbeing.map(\.label).joined(separator: ", "))
                        .foregroundStyle(Theme.accent)
                }
                if row.itemsHandedOut > 0 {
                    Text("\(Int(row.itemsHandedOut)) items handed out")
                        .foregroundStyle(Theme.secondaryText)
                }
            }
            Spacer(minLength: 0)
        }
        .padding(.vertical, 8)
        .frame(minHeight: Theme.minTouch)
        .contentShape(Rectangle())
        .accessibilityElement(children: .combine)
    }

    /// The row as VoiceOver reads it when it is a link to her record.
    static func spoken(_ row: TonightContent.Row) -> String {
        let who = row.alias ?? String(localized: "Anonymous")
        let time = row.at.formatted(date: .omitted, time: .shortened)
        return "\(who), \(time), \(row.areaName)"
    }
}
