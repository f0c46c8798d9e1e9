import NightroundCore
import SwiftUI

/// Her consent for one service: what it covers, how she gave it, when to
/// review it with her, and a way to record that she withdraws it.
struct ConsentRow: View {
    let consent: Consent
    let agencyName: String
    let onWithdraw: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text(agencyName)
                .font(.headline)
                .foregroundStyle(Theme.text)
            Text(consent.covers.map(\.label).joined(separator: ", "))
                .foregroundStyle(Theme.secondaryText)
            Text("\(consent.method.label), \(consent.givenAt.formatted(date: .abbreviated, time: .omitted))")
                .foregroundStyle(Theme.secondaryText)
            if let withdrawnAt = consent.withdrawnAt {
                Text("Withdrawn \(withdrawnAt.formatted(date: .abbreviated, time: .omitted))")
                    .foregroundStyle(Theme.danger)
            } else {
                Text("Review with her by \(consent.reviewAt.formatted(date: .abbreviated, time: .omitted))")
                    .foregroundStyle(Theme.secondaryText)
                Button("She withdraws this", action: onWithdraw)
                    .buttonStyle(DestructiveButtonStyle())
                    .accessibilityLabel("Record that she withdraws consent for \(agencyName)")
            }
        }
        .padding(.vertical, 6)
    }
}
