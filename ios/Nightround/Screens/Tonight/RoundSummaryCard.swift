import NightroundCore
import SwiftUI

/// The round at a glance, as the core counts it.
struct RoundSummaryCard: View {
    let summary: RoundSummary

    var body: some View {
        Card("So far tonight") {
            Grid(alignment: .leading, horizontalSpacing: 24, verticalSpacing: 10) {
                GridRow {
                    figure(summary.contacts, "contacts")
                    figure(summary.peopleSeen, "women seen")
                }
                GridRow {
                    figure(summary.firstContacts, "first meetings")
                    figure(summary.anonymousContacts, "anonymous")
                }
                GridRow {
                    figure(summary.safeguardingFlags, "safeguarding prompts")
                    figure(summary.concerns, "concerns reported")
                }
            }
            if !summary.supplies.isEmpty {
                Divider().overlay(Theme.raised)
                Text(suppliesLine)
                    .foregroundStyle(Theme.secondaryText)
                    .accessibilityLabel(suppliesSpoken)
            }
        }
    }

    private var suppliesLine: String {
        summary.supplies.map { "\($0.name) \($0.quantity)" }.joined(separator: " · ")
    }

    private var suppliesSpoken: String {
        let items = summary.supplies.map { "\($0.quantity) \($0.name)" }.joined(separator: ", ")
        return String(localized: "Handed out: \(items)")
    }

    private func figure(_ value: UInt32, _ caption: LocalizedStringKey) -> some View {
        VStack(alignment: .leading, spacing: 2) {
            Text("\(Int(value))")
                .font(.title.weight(.semibold).monospacedDigit())
                .foregroundStyle(Theme.text)
            Text(caption)
                .font(.subheadline)
                .foregroundStyle(Theme.secondaryText)
        }
        .accessibilityElement(children: .combine)
    }
}
