import Foundation
import UserNotifications

/// Tells her that something new reached the team, and nothing more. The
/// notification names no person, place or man, so a lock screen, a paired
/// watch or a glance at her phone gives nothing away; the details are in the
/// app, behind the PIN. Its category also carries a hidden-previews
/// placeholder for phones set to hide previews.
@MainActor
final class TeamAlertNotifier {
    static let categoryIdentifier = "org.nightround.team-update"

    static let safetyCategoryIdentifier = "org.nightround.safety"

    private var asked = false

    /// Registers every category the app posts (team news, safety alerts, the
    /// check-in reminder with its "Check in" action and what came of that
    /// action). Called at launch, so the action works on a reminder tapped
    /// before the app was opened (the action launches it in the background);
    /// iOS keeps one set, so all categories are registered here together.
    static func registerCategories() {
        let quiet = { (identifier: String) in
            UNNotificationCategory(
                identifier: identifier,
                actions: [],
                intentIdentifiers: [],
                hiddenPreviewsBodyPlaceholder: String(localized: "Nightround"),
                options: []
            )
        }
        UNUserNotificationCenter.current().setNotificationCategories([
            quiet(categoryIdentifier),
            quiet(safetyCategoryIdentifier),
            CheckInReminder.category,
            quiet(CheckInReminder.resultCategoryIdentifier),
        ])
    }

    /// Asks for permission the first time it is useful (after the first
    /// unlock), not at launch.
    func requestPermissionOnce() {
        guard !asked else { return }
        asked = true
        Task {
            _ = try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound])
        }
    }

    /// A generic notice that a new team alert arrived.
    func announceTeamUpdate() {
        let content = UNMutableNotificationContent()
        content.title = String(localized: "Nightround")
        content.body = String(localized: "There is something new for the team.")
        content.categoryIdentifier = Self.categoryIdentifier
        content.threadIdentifier = Self.categoryIdentifier
        content.sound = .default
        let request = UNNotificationRequest(identifier: UUID().uuidString, content: content, trigger: nil)
        Task {
            try? await UNUserNotificationCenter.current().add(request)
        }
    }

    /// A colleague's help call or missed round reached this phone. The words
    /// are fixed: no name, no place, no organisation on the lock screen; who
    /// and where are on the alerts screen, behind the PIN.
    func announceSafetyAlert() {
        let content = UNMutableNotificationContent()
        content.title = String(localized: "Nightround")
        content.body = String(localized: "Urgent: a team member may need help. Open Nightround.")
        content.categoryIdentifier = Self.safetyCategoryIdentifier
        content.threadIdentifier = Self.safetyCategoryIdentifier
        content.sound = .default
        let request = UNNotificationRequest(identifier: UUID().uuidString, content: content, trigger: nil)
        Task {
            try? await UNUserNotificationCenter.current().add(request)
        }
    }
}
