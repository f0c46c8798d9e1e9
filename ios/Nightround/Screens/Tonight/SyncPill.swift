import SwiftUI

/// A one-line sync state at the top of tonight's screen: what is waiting and
/// when it last went, so she knows whether the team has her records. Opens the
/// sync screen.
struct SyncPill: View {
    let pending: UInt64
    let lastSync: Date?
    let isOnline: Bool
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            HStack(spacing: 10) {
                Image(systemName: isOnline ? "arrow.triangle.2.circlepath" : "wifi.slash")
                    .accessibilityHidden(true)
                Text(summary)
                    .frame(maxWidth: .infinity, alignment: .leading)
                Image(systemName: "chevron.right")
                    .accessibilityHidden(true)
            }
            .font(.subheadline)
            .foregroundStyle(Theme.secondaryText)
            .padding(.horizontal, Theme.spacing)
            .frame(minHeight: Theme.minTouch)
            .background(Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
        }
        .buttonStyle(.plain)
        .accessibilityLabel(summary)
        .accessibilityHint("Opens sync")
    }

    private var summary: String {
        let waiting = pending == 0
            ? String(localized: "Everything sent")
            : String(localized: "\(Int(pending)) waiting to send")
        guard isOnline else {
            return waiting + " · " + String(localized: "no signal")
        }
        guard let lastSync else { return waiting }
        return waiting + " · " + String(localized: "last synced \(lastSync.formatted(.relative(presentation: .named)))")
    }
}
