import Foundation
import NightroundCore
import Observation

/// Colleagues' help calls and missed rounds first, those where she is the
/// buddy before the rest (the core's order); then active team alerts, those
/// for the area she is working in first (the area of her last contact, as the
/// core remembers it), then the rest, each group in the core's order (most
/// severe, then most recent).
struct AlertsContent: Equatable, Sendable {
    let toMe: [SafetyAlertView]
    let safety: [SafetyAlertView]
    let hereName: String?
    let here: [AlertView]
    let elsewhere: [AlertView]
}

@MainActor
@Observable
final class AlertsModel {
    private(set) var content: AlertsContent?
    private(set) var problem: String?

    @ObservationIgnored private let gateway: VaultGateway

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    func load() async {
        do {
            content = try await gateway.call { vault -> AlertsContent in
                let safety = try vault.safetyAlerts()
                let alerts = try vault.activeAlerts()
                let hereId = try vault.lastArea()
                let hereName = try vault.directory().areas.first { $0.id == hereId }?.name
                // A display grouping, not a rule: the README wishes for the
                // core to order by area itself.
                return AlertsContent(
                    toMe: safety.filter(\.toMeAsBuddy),
                    safety: safety.filter { !$0.toMeAsBuddy },
                    hereName: hereName,
                    here: alerts.filter { $0.concern.areaId == hereId },
                    elsewhere: alerts.filter { $0.concern.areaId != hereId }
                )
            }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }
}
