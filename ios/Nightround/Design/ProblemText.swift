import Accessibility
import SwiftUI

/// A problem in plain words, where the screen shows it. VoiceOver announces
/// it as soon as it appears, since she may not be looking at the screen.
struct ProblemText: View {
    private let message: String

    init(_ message: String) {
        self.message = message
    }

    var body: some View {
        Label {
            Text(message)
                .fixedSize(horizontal: false, vertical: true)
        } icon: {
            Image(systemName: "exclamationmark.circle")
        }
        .font(.body)
        .foregroundStyle(Theme.danger)
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(Theme.spacing)
        .background(Theme.danger.opacity(0.12), in: RoundedRectangle(cornerRadius: Theme.corner))
        .accessibilityElement(children: .combine)
        .accessibilityLabel(message)
        .onAppear {
            AccessibilityNotification.Announcement(message).post()
        }
    }
}
