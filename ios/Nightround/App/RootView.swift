import SwiftUI

/// Shows the one screen the app's route allows, and follows the scene's
/// phase: the privacy cover goes up as soon as the app is not in front, and
/// the vault locks when it goes to the background.
struct RootView: View {
    @Environment(AppModel.self) private var app
    @Environment(\.scenePhase) private var scenePhase

    var body: some View {
        route
            .overlay {
                // In-window cover for the moment before the shield window
                // appears; the shield also covers sheets and the keyboard.
                if scenePhase != .active {
                    PrivacyCover()
                }
            }
            .task {
                await app.start()
            }
            .onChange(of: scenePhase) { _, phase in
                if phase == .active {
                    PrivacyShield.shared.lower()
                } else {
                    PrivacyShield.shared.raise()
                }
                app.scenePhaseChanged(to: phase)
            }
    }

    @ViewBuilder
    private var route: some View {
        switch app.route {
        case .starting:
            StartingScreen()
        case .enrol(let notice):
            EnrolScreen(app: app, notice: notice)
        case .unlock:
            if let gateway = app.gateway {
                UnlockScreen(app: app, gateway: gateway)
            } else {
                StartingScreen()
            }
        case .main:
            if let gateway = app.gateway {
                MainTabs(gateway: gateway)
            } else {
                StartingScreen()
            }
        case .exited:
            NeutralScreen()
        case .failed(let message):
            ProblemScreen(message: message)
        }
    }
}
