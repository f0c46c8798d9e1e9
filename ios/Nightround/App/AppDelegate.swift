import UIKit
import UserNotifications

/// Launch-time registrations SwiftUI's `App` has no hook for: iOS requires
/// background task handlers before launch finishes, and the notification
/// delegate must be set before a notification can arrive, and the
/// check-in reminder's "Check in" action must be registered before she taps a
/// reminder that launched the app.
final class AppDelegate: NSObject, UIApplicationDelegate {
    func application(
        _ application: UIApplication,
        didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        BackgroundSync.shared.registerHandlers()
        UNUserNotificationCenter.current().delegate = ForegroundNotifications.shared
        TeamAlertNotifier.registerCategories()
        return true
    }
}
