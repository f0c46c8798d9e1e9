import SwiftUI

/// What a quick exit leaves on screen: a clock, and nothing that says what
/// the app is for. The vault is already locked; pressing and holding anywhere
/// (or the VoiceOver action "Continue") goes to the PIN screen.
struct NeutralScreen: View {
    @Environment(AppModel.self) private var app

    var body: some View {
        TimelineView(.everyMinute) { context in
            VStack(spacing: 8) {
                Text(context.date, style: .time)
                    .font(.system(size: 72, weight: .thin, design: .rounded))
                Text(context.date, format: .dateTime.weekday(.wide).day().month(.wide))
                    .font(.title3)
            }
            .foregroundStyle(Theme.secondaryText)
            .frame(maxWidth: .infinity, maxHeight: .infinity)
        }
        .background(Theme.background.ignoresSafeArea())
        .contentShape(Rectangle())
        .onLongPressGesture(minimumDuration: 1.5) {
            app.leaveNeutralScreen()
        }
        .accessibilityElement(children: .combine)
        .accessibilityLabel("Clock")
        .accessibilityAction(named: "Continue") {
            app.leaveNeutralScreen()
        }
    }
}
