import SwiftUI

/// A notice from the app as a whole (for example: sync is needed to carry
/// on), with the one action that resolves it.
struct NoticeBanner: View {
    let text: String
    let actionTitle: String
    let action: () -> Void

    var body: some View {
        Button(action: action) {
            HStack(alignment: .top, spacing: 12) {
                Image(systemName: "info.circle")
                    .accessibilityHidden(true)
                VStack(alignment: .leading, spacing: 6) {
                    Text(text)
                        .fixedSize(horizontal: false, vertical: true)
                    Text(actionTitle)
                        .font(.headline)
                }
                Spacer(minLength: 0)
            }
            .foregroundStyle(Theme.text)
            .padding(Theme.spacing)
            .frame(maxWidth: .infinity, minHeight: Theme.minTouch, alignment: .leading)
            .background(Theme.accent.opacity(0.18), in: RoundedRectangle(cornerRadius: Theme.corner))
        }
        .buttonStyle(.plain)
        .accessibilityLabel(text)
        .accessibilityHint(actionTitle)
    }
}
