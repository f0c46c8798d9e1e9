import UserNotifications

/// Shows team notices as a banner while the app is open too (iOS hides them
/// by default in the foreground), since a worker in the middle of recording a
/// contact still needs to know that a warning came in.
final class ForegroundNotifications: NSObject, UNUserNotificationCenterDelegate, Sendable {
    static let shared = ForegroundNotifications()

    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification
    ) async -> UNNotificationPresentationOptions {
        [.banner, .sound]
    }
}
