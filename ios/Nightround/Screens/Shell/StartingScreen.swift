import SwiftUI

/// While the vault file opens: a plain dark screen with nothing on it that
/// says what the app is.
struct StartingScreen: View {
    var body: some View {
        Theme.background
            .ignoresSafeArea()
            .overlay {
                ProgressView()
                    .tint(Theme.secondaryText)
                    .accessibilityLabel("Opening")
            }
    }
}
