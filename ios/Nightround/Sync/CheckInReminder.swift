import Foundation
import NightroundCore
import UserNotifications

/// Reminds her to check in while a round is open: one notification at the
/// core's `remindAt` (a few minutes before the check-in is due) and one when
/// it is due. Both say only that a check-in is due: no name, no place.
///
/// The "Check in" action opens the app on the round screen. It cannot check
/// in by itself: the vault locks the moment the app goes to the background
/// and the keys are not in memory, so the check-in is one tap after the PIN
/// (see ios/README.md). Rescheduled after every start, check-in and load of
/// the round, removed when the round ends.
@MainActor
final class CheckInReminder {
    static let shared = CheckInReminder()

    static let categoryIdentifier = "org.nightround.check-in"
    static let checkInActionIdentifier = "org.nightround.check-in.open"
    private static let remindIdentifier = "org.nightround.check-in.remind"
    private static let dueIdentifier = "org.nightround.check-in.due"

    /// The running app, to open the round screen; set by `AppModel`.
    weak var app: AppModel?

    /// What is scheduled now, so reloading the round does not re-add it.
    private var scheduledFor: (remindAt: Date, due: Date)?

    private init() {}

    /// The category with the "Check in" action; registered at launch with
    /// the others (`TeamAlertNotifier.registerCategories()`).
    static var category: UNNotificationCategory {
        UNNotificationCategory(
            identifier: categoryIdentifier,
            actions: [
                UNNotificationAction(
                    identifier: checkInActionIdentifier,
                    title: String(localized: "Check in"),
                    options: [.foreground, .authenticationRequired]
                ),
            ],
            intentIdentifiers: [],
            hiddenPreviewsBodyPlaceholder: String(localized: "Nightround"),
            options: []
        )
    }

    /// Follows the open round: reminders for its next check-in, or none.
    func update(for round: RoundView?) {
        guard let round else {
            cancel()
            return
        }
        if let scheduledFor, scheduledFor.remindAt == round.remindAt, scheduledFor.due == round.nextCheckInDue {
            return
        }
        scheduledFor = (round.remindAt, round.nextCheckInDue)
        let center = UNUserNotificationCenter.current()
        center.removePendingNotificationRequests(withIdentifiers: [Self.remindIdentifier, Self.dueIdentifier])
        center.removeDeliveredNotifications(withIdentifiers: [Self.remindIdentifier, Self.dueIdentifier])
        var requests: [UNNotificationRequest] = []
        if round.remindAt > .now && round.remindAt < round.nextCheckInDue {
            requests.append(request(Self.remindIdentifier, at: round.remindAt, body: String(localized: "Check-in due soon.")))
        }
        if round.nextCheckInDue > .now {
            requests.append(request(Self.dueIdentifier, at: round.nextCheckInDue, body: String(localized: "Check-in due now.")))
        }
        for request in requests {
            center.add(request) { _ in }
        }
    }

    /// The round ended (or the vault is gone): no more reminders.
    func cancel() {
        scheduledFor = nil
        let center = UNUserNotificationCenter.current()
        center.removePendingNotificationRequests(withIdentifiers: [Self.remindIdentifier, Self.dueIdentifier])
        center.removeDeliveredNotifications(withIdentifiers: [Self.remindIdentifier, Self.dueIdentifier])
    }

    /// She tapped a Nightround notification (or its "Check in" action): the
    /// app opens at the PIN, then on the screen the notification is about.
    func opened(category: String) {
        switch category {
        case Self.categoryIdentifier:
            app?.open(.round)
        case TeamAlertNotifier.safetyCategoryIdentifier:
            app?.open(.safetyAlerts)
        default:
            break
        }
    }

    private func request(_ identifier: String, at date: Date, body: String) -> UNNotificationRequest {
        let content = UNMutableNotificationContent()
        content.title = String(localized: "Nightround")
        content.body = body
        content.categoryIdentifier = Self.categoryIdentifier
        content.threadIdentifier = Self.categoryIdentifier
        content.sound = .default
        let when = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let trigger = UNCalendarNotificationTrigger(dateMatching: when, repeats: false)
        return UNNotificationRequest(identifier: identifier, content: content, trigger: trigger)
    }
}
