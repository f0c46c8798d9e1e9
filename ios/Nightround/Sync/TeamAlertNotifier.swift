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

    private var asked = false

    /// Asks for permission the first time it is useful (after the first
    /// unlock), not at launch.
    func requestPermissionOnce() {
        guard !asked else { return }
        asked = true
        let center = UNUserNotificationCenter.current()
        center.setNotificationCategories([
            UNNotificationCategory(
                identifier: Self.categoryIdentifier,
                actions: [],
                intentIdentifiers: [],
                hiddenPreviewsBodyPlaceholder: String(localized: "Nightround"),
                options: []
            ),
        ])
        Task {
            _ = try? await center.requestAuthorization(options: [.alert, .sound])
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
}
