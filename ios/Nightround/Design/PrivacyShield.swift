import SwiftUI
import UIKit

/// Shows `PrivacyCover` in a window of its own above everything, including
/// sheets, alerts and the keyboard, which a SwiftUI overlay on the root view
/// would sit underneath. Raised as soon as the scene stops being active, so the
/// app-switcher snapshot iOS takes a moment later shows nothing.
@MainActor
final class PrivacyShield {
    static let shared = PrivacyShield()

    private var window: UIWindow?

    private init() {}

    func raise() {
        guard window == nil,
              let scene = UIApplication.shared.connectedScenes
                  .compactMap({ $0 as? UIWindowScene })
                  .first
        else { return }
        let window = UIWindow(windowScene: scene)
        window.windowLevel = UIWindow.Level(rawValue: UIWindow.Level.alert.rawValue + 1)
        let host = UIHostingController(rootView: PrivacyCover())
        host.view.backgroundColor = .black
        window.rootViewController = host
        window.overrideUserInterfaceStyle = .dark
        window.isHidden = false
        self.window = window
    }

    func lower() {
        window?.isHidden = true
        window = nil
    }
}
