import NightroundCore
import SwiftUI

/// A colleague who called for help or missed a check-in comes first (loudest
/// where she is that colleague's buddy), then team alerts in force, the ones
/// for where she is first, so a warning about the road she is standing on is
/// the next thing she reads.
struct AlertsScreen: View {
    private let gateway: VaultGateway
    @Environment(AppModel.self) private var app
    @State private var model: AlertsModel
    @State private var path: [AppRoute] = []

    init(gateway: VaultGateway) {
        self.gateway = gateway
        _model = State(initialValue: AlertsModel(gateway: gateway))
    }

    var body: some View {
        NavigationStack(path: $path) {
            ScrollView {
                LazyVStack(alignment: .leading, spacing: Theme.spacing) {
                    if let problem = model.problem {
                        ProblemText(problem)
                    }
                    if let content = model.content {
                        if !content.toMe.isEmpty {
                            safetySection(title: String(localized: "You are their buddy"), alerts: content.toMe)
                        }
                        if !content.safety.isEmpty {
                            safetySection(title: String(localized: "Team safety"), alerts: content.safety)
                        }
                        if content.here.isEmpty && content.elsewhere.isEmpty {
                            Text("No team alerts in force.")
                                .foregroundStyle(Theme.secondaryText)
                        }
                        if !content.here.isEmpty {
                            section(title: content.hereName.map { String(localized: "Around \($0)") } ?? String(localized: "Around you"), alerts: content.here)
                        }
                        if !content.elsewhere.isEmpty {
                            section(title: content.here.isEmpty ? String(localized: "Team alerts") : String(localized: "Elsewhere"), alerts: content.elsewhere)
                        }
                    }
                }
                .padding(Theme.spacing)
            }
            .refreshable {
                await app.syncNow()
                await model.load()
            }
            .screenChrome("Team alerts")
            .bottomActions {
                Button("Report a concern") {
                    path.append(.concern)
                }
                .buttonStyle(PrimaryButtonStyle())
                .accessibilityLabel("Report a concern")
            }
            .appDestinations(gateway: gateway)
            .task(id: app.dataVersion) {
                await model.load()
            }
        }
    }

    private func safetySection(title: String, alerts: [SafetyAlertView]) -> some View {
        VStack(alignment: .leading, spacing: 10) {
            Text(title)
                .font(.headline)
                .foregroundStyle(alerts.contains(where: \.toMeAsBuddy) ? Theme.danger : Theme.secondaryText)
                .accessibilityAddTraits(.isHeader)
            ForEach(alerts, id: \.listKey) { alert in
                SafetyAlertCard(alert: alert)
            }
        }
    }

    private func section(title: String, alerts: [AlertView]) -> some View {
        VStack(alignment: .leading, spacing: 10) {
            Text(title)
                .font(.headline)
                .foregroundStyle(Theme.secondaryText)
                .accessibilityAddTraits(.isHeader)
            ForEach(alerts) { alert in
                AlertCard(alert: alert)
            }
        }
    }
}
