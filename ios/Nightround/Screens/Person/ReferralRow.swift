import NightroundCore
import SwiftUI

/// An open referral: the service, how urgent, where it stands, and by when
/// the service committed to answer (flagged when that time has passed, as the
/// core computes it).
struct ReferralRow: View {
    let item: ReferralView

    var body: some View {
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
    }
}
