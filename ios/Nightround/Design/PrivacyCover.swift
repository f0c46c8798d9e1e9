import SwiftUI

/// What shows whenever the app is not in front: in the app switcher, under
/// Control Centre, during a Face ID prompt. Nothing on it says what the app
/// is for or whom it is about.
struct PrivacyCover: View {
    var body: some View {
        Theme.background
            .ignoresSafeArea()
            .overlay {
                Image(systemName: "moon")
                    .font(.largeTitle)
                    .foregroundStyle(Theme.secondaryText.opacity(0.5))
            }
            .accessibilityHidden(true)
    }
}
