import SwiftUI

/// When the vault cannot be opened at all: what happened in plain words and a
/// way to try again (for example after unlocking the phone, whose files are
/// unreadable while it is locked).
struct ProblemScreen: View {
    let message: String
    @Environment(AppModel.self) private var app

    var body: some View {
        VStack(spacing: Theme.spacing) {
            Spacer()
            ProblemText(message)
            Spacer()
        }
        .padding(Theme.spacing)
        .background(Theme.background.ignoresSafeArea())
        .bottomActions {
            Button("Try again") {
                Task { await app.start() }
            }
            .buttonStyle(PrimaryButtonStyle())
            .accessibilityLabel("Try again")
        }
    }
}
