import Foundation
import NightroundCore
import UIKit
import UserNotifications

/// Reminds her to check in while a round is open: one notification at the
/// core's `remindAt` (a few minutes before the check-in is due) and one when
/// it is due. Both say only that a check-in is due: no name, no place.
///
/// The "Check in" action checks in from the lock screen without the app's
/// PIN: the vault stays locked and the core seals an "I am all right" to the
/// server from the keystore-only delivery package (`checkInWhileLocked`),
/// which the background sync that follows delivers. iOS asks for the
/// device's own passcode (or Face ID) first, `.authenticationRequired`. A
/// phone without a delivery package, or any other failure, gets a
/// notification that she has not checked in, which opens the round screen.
///
/// The notifications carry her round's id and check-in interval (never a name
/// or a place) because a locked vault cannot read the round: the next
/// reminders are scheduled at now + interval. Rescheduled after every start,
/// check-in and load of the round, removed when the round ends.
@MainActor
final class CheckInReminder {
    static let shared = CheckInReminder()

    static let categoryIdentifier = "org.nightround.check-in"
    /// Read by the notification delegate off the main actor, hence nonisolated.
    nonisolated static let checkInActionIdentifier = "org.nightround.check-in.all-right"
    /// What came of the action: no actions of its own, a tap opens the round.
    static let resultCategoryIdentifier = "org.nightround.check-in.result"
    private static let remindIdentifier = "org.nightround.check-in.remind"
    private static let dueIdentifier = "org.nightround.check-in.due"
    private static let resultIdentifier = "org.nightround.check-in.result"

    /// Keys of the reminders' `userInfo`: ids and numbers only.
    enum InfoKey {
        static let roundId = "roundId"
        static let intervalMinutes = "intervalMinutes"
    }

    /// What a reminder carries for its "Check in" action.
    struct ActionRequest: Sendable, Equatable {
        let roundId: Uuid
        let intervalMinutes: UInt32

        init(roundId: Uuid, intervalMinutes: UInt32) {
            self.roundId = roundId
            self.intervalMinutes = intervalMinutes
        }

        /// From a delivered reminder; nil for one without a round (one
        /// scheduled by an earlier version of the app).
        init?(userInfo: [AnyHashable: Any]) {
            guard let roundId = userInfo[InfoKey.roundId] as? String, !roundId.isEmpty,
                  let minutes = (userInfo[InfoKey.intervalMinutes] as? NSNumber)?.uint32Value, minutes > 0
            else { return nil }
            self.init(roundId: roundId, intervalMinutes: minutes)
        }

        var userInfo: [AnyHashable: Any] {
            [
                InfoKey.roundId: roundId,
                InfoKey.intervalMinutes: NSNumber(value: intervalMinutes),
            ]
        }
    }

    /// The running app, to reach the vault and open the round screen; set by
    /// `AppModel`.
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
                    // ADR 0004: a snatched phone cannot be made to say she is
                    // fine. `.authenticationRequired` makes iOS ask for the
                    // device's passcode (or Face ID) before the action runs,
                    // since the app's PIN is not asked. Not `.foreground`: the
                    // check-in is made with the vault locked and the app
                    // stays in the background (`ForegroundNotifications`).
                    options: [.authenticationRequired]
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
        let request = ActionRequest(roundId: round.round.id, intervalMinutes: round.round.checkInMinutes)
        schedule(remindAt: round.remindAt, due: round.nextCheckInDue, for: request)
    }

    /// The round ended (or the vault is gone): no more reminders.
    func cancel() {
        scheduledFor = nil
        let center = UNUserNotificationCenter.current()
        let identifiers = [Self.remindIdentifier, Self.dueIdentifier, Self.resultIdentifier]
        center.removePendingNotificationRequests(withIdentifiers: identifiers)
        center.removeDeliveredNotifications(withIdentifiers: identifiers)
    }

    /// She tapped a Nightround notification: the app opens at the PIN, then
    /// on the screen the notification is about.
    func opened(category: String) {
        switch category {
        case Self.categoryIdentifier, Self.resultCategoryIdentifier:
            app?.open(.round)
        case TeamAlertNotifier.safetyCategoryIdentifier:
            app?.open(.safetyAlerts)
        default:
            break
        }
    }

    /// The "Check in" action, after iOS has checked the device's passcode.
    /// The vault is not unlocked: the core seals the check-in to the server
    /// (off the main thread, through the gateway), the background sync path
    /// sends it, and the next reminders are the ones the core answered with
    /// (a locked vault cannot read the round; it was given the interval). Returns when all that is done; the
    /// caller holds a background task assertion until then.
    func checkInFromAction(_ request: ActionRequest?) async {
        guard let request, let app else {
            failed()
            return
        }
        let outcome: AppModel.ReminderCheckIn
        do {
            outcome = try await app.checkInFromReminder(roundId: request.roundId, checkInMinutes: request.intervalMinutes)
        } catch {
            // Locked: no delivery package on this phone (enrolled before
            // there was one); or anything else. She has not checked in.
            failed()
            return
        }
        if let next = outcome.next {
            // The round as the core sees it, at the next unlock, replaces these.
            scheduledFor = nil
            schedule(remindAt: next.remindAt, due: next.nextCheckInDue, for: request)
        }
        if outcome.sent {
            post(result: String(localized: "Checked in."), sound: false)
        } else {
            post(result: String(localized: "Checked in on this phone. It goes to the team when there is signal."), sound: false)
        }
    }

    /// The action could not check in: the round screen opens next time, and
    /// a notification says so (it opens the round screen, after the PIN).
    private func failed() {
        app?.open(.round)
        post(result: String(localized: "Not checked in. Open Nightround to check in."), sound: true)
    }

    /// Replaces the pending and delivered reminders with a new pair.
    private func schedule(remindAt: Date, due: Date, for round: ActionRequest) {
        let center = UNUserNotificationCenter.current()
        let identifiers = [Self.remindIdentifier, Self.dueIdentifier]
        center.removePendingNotificationRequests(withIdentifiers: identifiers)
        center.removeDeliveredNotifications(withIdentifiers: identifiers)
        var requests: [UNNotificationRequest] = []
        if remindAt > .now && remindAt < due {
            requests.append(request(Self.remindIdentifier, at: remindAt, body: String(localized: "Check-in due soon."), round: round))
        }
        if due > .now {
            requests.append(request(Self.dueIdentifier, at: due, body: String(localized: "Check-in due now."), round: round))
        }
        for request in requests {
            center.add(request) { _ in }
        }
    }

    private func request(_ identifier: String, at date: Date, body: String, round: ActionRequest) -> UNNotificationRequest {
        let content = UNMutableNotificationContent()
        content.title = String(localized: "Nightround")
        content.body = body
        content.categoryIdentifier = Self.categoryIdentifier
        content.threadIdentifier = Self.categoryIdentifier
        content.sound = .default
        // For the "Check in" action: the round's id and interval, nothing
        // anyone could read a person or a place from.
        content.userInfo = round.userInfo
        let when = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let trigger = UNCalendarNotificationTrigger(dateMatching: when, repeats: false)
        return UNNotificationRequest(identifier: identifier, content: content, trigger: trigger)
    }

    /// What came of the action, in fixed words; one at a time.
    private func post(result body: String, sound: Bool) {
        let content = UNMutableNotificationContent()
        content.title = String(localized: "Nightround")
        content.body = body
        content.categoryIdentifier = Self.resultCategoryIdentifier
        content.threadIdentifier = Self.categoryIdentifier
        content.sound = sound ? UNNotificationSound.default : nil
        let request = UNNotificationRequest(identifier: Self.resultIdentifier, content: content, trigger: nil)
        let center = UNUserNotificationCenter.current()
        center.removeDeliveredNotifications(withIdentifiers: [Self.resultIdentifier])
        center.add(request) { _ in }
    }
}

/// The time iOS gives a notification action: a background task assertion so
/// the check-in's sync can finish after the action returns, and the delegate's
/// completion handler. Both end once, whichever comes first: the work
/// finishing or iOS asking for the time back (the core's sync cannot be
/// interrupted, but abandoning it is safe: nothing leaves the sealed outbox
/// before the server acknowledges it).
@MainActor
final class NotificationActionTime {
    private var task: UIBackgroundTaskIdentifier = .invalid
    private var completion: (@Sendable () -> Void)?

    init(completion: @escaping @Sendable () -> Void) {
        self.completion = completion
        task = UIApplication.shared.beginBackgroundTask(withName: CheckInReminder.checkInActionIdentifier) { [weak self] in
            // iOS calls this on the main thread.
            MainActor.assumeIsolated {
                self?.finish()
            }
        }
    }

    func finish() {
        if task != .invalid {
            UIApplication.shared.endBackgroundTask(task)
            task = .invalid
        }
        completion?()
        completion = nil
    }
}
