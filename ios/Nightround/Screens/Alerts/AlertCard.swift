import NightroundCore
import SwiftUI

/// One team alert: what happened, where, how serious, the vehicle as far as
/// it was seen, and until when the alert stands.
struct AlertCard: View {
    let alert: AlertView

    var body: some View {
        let concern = alert.concern
        VStack(alignment: .leading, spacing: 6) {
            HStack {
                Text(concern.category.label)
                    .font(.headline)
                    .foregroundStyle(Theme.text)
                Spacer()
                Text(concern.severity.label)
                    .font(.subheadline.weight(.semibold))
                    .foregroundStyle(concern.severity == .high ? Theme.danger : Theme.accent)
            }
            Text("\(alert.areaName) · \(concern.at.formatted(.relative(presentation: .named)))")
                .foregroundStyle(Theme.secondaryText)
            Text(concern.description)
                .foregroundStyle(Theme.text)
            if let vehicle = concern.vehicle {
                Text(vehicleLine(vehicle))
                    .foregroundStyle(Theme.text)
            }
            if let until = concern.alertUntil {
                Text("Alert until \(until.formatted(date: .abbreviated, time: .shortened))")
                    .font(.footnote)
                    .foregroundStyle(Theme.secondaryText)
            }
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, alignment: .leading)
        .background(Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
        .accessibilityElement(children: .combine)
    }

    private func vehicleLine(_ vehicle: Vehicle) -> String {
        let parts = [vehicle.colour, vehicle.make, vehicle.partialRegistration].compactMap { $0 }
        return String(localized: "Vehicle: \(parts.joined(separator: " "))")
    }
}
