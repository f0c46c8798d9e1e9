import NightroundCore
import SwiftUI

/// The way into the lone-worker round from tonight's screen: when the next
/// check-in is due while one is open, or an offer to start one.
struct RoundEntryCard: View {
    let round: RoundView?
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            HStack(alignment: .center, spacing: 12) {
                Image(systemName: round == nil ? "figure.walk" : "checkmark.shield")
                    .font(.title2)
                    .accessibilityHidden(true)
                VStack(alignment: .leading, spacing: 4) {
                    Text(title)
                        .font(.headline)
                    Text(subtitle)
                        .foregroundStyle(Theme.secondaryText)
                }
                Spacer(minLength: 0)
                Image(systemName: "chevron.right")
                    .accessibilityHidden(true)
            }
            .foregroundStyle(isLate ? Theme.danger : Theme.text)
            .padding(Theme.spacing)
            .frame(maxWidth: .infinity, minHeight: Theme.minTouch, alignment: .leading)
            .background(isLate ? Theme.danger.opacity(0.15) : Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
        }
        .buttonStyle(.plain)
        .accessibilityLabel("\(title). \(subtitle)")
        .accessibilityHint("Opens your round")
    }

    private var isLate: Bool {
        round.map { $0.checkInOverdue || $0.raisedAsMissed } ?? false
    }

    private var title: String {
        guard let round else { return String(localized: "Going out alone?") }
        return round.checkInOverdue ? String(localized: "Check-in overdue") : String(localized: "Round open")
    }

    private var subtitle: String {
        guard let round else { return String(localized: "Start a round: the team watches for your check-ins.") }
        return String(localized: "Check in by \(round.nextCheckInDue.formatted(date: .omitted, time: .shortened))")
    }
}
