import NightroundCore
import SwiftUI

/// An open referral: the service, how urgent, where it stands, and by when
/// the service committed to answer (flagged when that time has passed, as the
/// core computes it). Below it, the statuses the core allows next
/// (`nextStatuses`), one button each, when `onMove` is given.
struct ReferralRow: View {
    let item: ReferralView
    var onMove: ((ReferralStatus) -> Void)?

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            VStack(alignment: .leading, spacing: 4) {
                HStack(spacing: 8) {
                    Circle()
                        .fill(item.referral.urgency.colour)
                        .frame(width: 12, height: 12)
                        .accessibilityHidden(true)
                    Text(item.agencyName)
                        .font(.headline)
                        .foregroundStyle(Theme.text)
                }
                Text("\(item.referral.urgency.label) · \(item.referral.status.label)")
                    .foregroundStyle(Theme.secondaryText)
                Text(item.overdue
                     ? String(localized: "Past the time they committed to answer by")
                     : String(localized: "Answer due \(item.referral.dueAt.formatted(date: .abbreviated, time: .shortened))"))
                    .foregroundStyle(item.overdue ? Theme.danger : Theme.secondaryText)
            }
            .frame(maxWidth: .infinity, minHeight: Theme.minTouch, alignment: .leading)
            .accessibilityElement(children: .combine)
            if let onMove {
                FlowLayout {
                    // The moves the core allows from this status, in its order.
                    ForEach(nextStatuses(status: item.referral.status), id: \.self) { next in
                        Button(next.label) {
                            onMove(next)
                        }
                        .buttonStyle(SecondaryButtonStyle())
                        .accessibilityLabel("Mark the \(item.agencyName) referral as: \(next.label)")
                    }
                }
            }
        }
    }
}
