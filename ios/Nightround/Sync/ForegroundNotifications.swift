import UserNotifications

/// Shows team notices as a banner while the app is open too (iOS hides them
/// by default in the foreground), since a worker in the middle of recording a
/// contact still needs to know that a warning came in. A tap on a check-in
/// reminder or a safety alert opens the screen it is about (after the PIN).
final class ForegroundNotifications: NSObject, UNUserNotificationCenterDelegate, Sendable {
    static let shared = ForegroundNotifications()

    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        willPresent notification: UNNotification
    ) async -> UNNotificationPresentationOptions {
        [.banner, .sound]
    }

    func userNotificationCenter(
        _ center: UNUserNotificationCenter,
        didReceive response: UNNotificationResponse
    ) async {
        let category = response.notification.request.content.categoryIdentifier
        await MainActor.run {
            CheckInReminder.shared.opened(category: category)
        }
    }
}
