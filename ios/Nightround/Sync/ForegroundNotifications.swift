import UserNotifications

/// Shows team notices as a banner while the app is open too (iOS hides them
/// by default in the foreground), since a worker in the middle of recording a
/// contact still needs to know that a warning came in. A tap on a check-in
/// reminder or a safety alert opens the screen it is about (after the PIN);
/// the reminder's "Check in" action checks in without opening the app.
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
        didReceive response: UNNotificationResponse,
        withCompletionHandler completionHandler: @escaping () -> Void
    ) {
        let content = response.notification.request.content
        let category = content.categoryIdentifier
        let isCheckIn = response.actionIdentifier == CheckInReminder.checkInActionIdentifier
        // Read here, where the notification is: ids and numbers only.
        let request = isCheckIn ? CheckInReminder.ActionRequest(userInfo: content.userInfo) : nil
        let done = CompletionHandler(completionHandler)
        Task { @MainActor in
            guard isCheckIn else {
                CheckInReminder.shared.opened(category: category)
                done.call()
                return
            }
            // The app may be in the background (the action has no
            // `.foreground`): hold a background task assertion until the
            // check-in and its sync are done, then call the handler.
            let time = NotificationActionTime { done.call() }
            await CheckInReminder.shared.checkInFromAction(request)
            time.finish()
        }
    }
}

/// The delegate's completion handler, to be called once from the main actor.
/// iOS hands it over without a `Sendable` promise; it may be called from any
/// thread.
private final class CompletionHandler: @unchecked Sendable {
    private let handler: () -> Void

    init(_ handler: @escaping () -> Void) {
        self.handler = handler
    }

    func call() {
        handler()
    }
}
