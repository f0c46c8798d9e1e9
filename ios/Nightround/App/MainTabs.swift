import SwiftUI

/// The app once unlocked: a tab bar along the bottom, in thumb reach, with
/// tonight's round first. Team alerts carry a badge with how many are active
/// (colleagues' help calls and missed rounds included). A notification she
/// tapped picks the tab: the round lives on tonight's stack.
struct MainTabs: View {
    let gateway: VaultGateway
    @Environment(AppModel.self) private var app
    @State private var tab: TabID = .tonight

    /// Named so as not to shadow SwiftUI's own `Tab` (iOS 18).
    enum TabID: Hashable {
        case tonight, people, alerts, directory, settings
    }

    var body: some View {
        TabView(selection: $tab) {
            TonightScreen(gateway: gateway)
                .tabItem { Label("Tonight", systemImage: "moon.stars") }
                .tag(TabID.tonight)
            PeopleScreen(gateway: gateway)
                .tabItem { Label("People", systemImage: "person.2") }
                .tag(TabID.people)
            AlertsScreen(gateway: gateway)
                .tabItem { Label("Alerts", systemImage: "exclamationmark.triangle") }
                .tag(TabID.alerts)
                .badge(app.activeAlertCount)
            DirectoryScreen(gateway: gateway)
                .tabItem { Label("Services", systemImage: "book") }
                .tag(TabID.directory)
            SettingsScreen(gateway: gateway)
                .tabItem { Label("Settings", systemImage: "gearshape") }
                .tag(TabID.settings)
        }
        .toolbarBackground(Theme.background, for: .tabBar)
        .toolbarBackground(.visible, for: .tabBar)
        .onChange(of: app.opening, initial: true) { _, opening in
            switch opening {
            case .round:
                tab = .tonight
            case .safetyAlerts:
                tab = .alerts
                app.openingHandled()
            case nil:
                break
            }
        }
    }
}
