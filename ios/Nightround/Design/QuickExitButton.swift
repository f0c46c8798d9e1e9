import SwiftUI

/// One tap, from every screen, for when someone looks over her shoulder or
/// the situation turns: the vault locks (its keys leave memory) and a plain
/// screen replaces the app. Coming back needs the PIN.
struct QuickExitButton: View {
    @Environment(AppModel.self) private var app

    var body: some View {
        Button {
            app.quickExit()
        } label: {
            Image(systemName: "eye.slash.fill")
                .font(.title3)
                .foregroundStyle(Theme.text)
                .frame(width: Theme.minTouch, height: Theme.minTouch)
                .contentShape(Rectangle())
        }
        .buttonStyle(.plain)
        .accessibilityLabel("Quick exit")
        .accessibilityHint("Locks Nightround and shows a plain screen")
    }
}
