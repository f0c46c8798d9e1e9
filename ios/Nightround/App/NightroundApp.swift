import SwiftUI

/// The app: one window, dark and dim, routed by `AppModel` so that locking,
/// quick exit, erasing and revocation each happen in one place.
@main
struct NightroundApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var appDelegate
    @State private var app = AppModel()

    var body: some Scene {
        WindowGroup {
            RootView()
                .environment(app)
                .preferredColorScheme(.dark)
                .tint(Theme.accent)
        }
    }
}
