import NightroundCore
import SwiftUI

/// Reporting a dangerous man or vehicle. What happened, where and how serious
/// come first; the vehicle, who reported it and police consent are one tap
/// further. Shared as a team alert by default, because warning the others is
/// the point of the report.
struct ConcernScreen: View {
    @Environment(AppModel.self) private var app
    @Environment(\.dismiss) private var dismiss
    @State private var model: ConcernModel

    init(gateway: VaultGateway) {
        _model = State(initialValue: ConcernModel(gateway: gateway))
    }

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                Card("What happened") {
                    FlowLayout {
                        ForEach(ConcernCategory.allCases, id: \.self) { category in
                            Chip(title: category.label, isOn: model.category == category) {
                                model.category = category
                            }
                        }
                    }
                }
                Card("Describe him, or what happened") {
                    PlainField(String(localized: "Description"), text: $model.whatHappened, capitalization: .sentences, multiline: true)
                }
                Card("Where") {
                    FlowLayout {
                        ForEach(model.areas) { area in
                            Chip(title: area.name, isOn: model.areaId == area.id) {
                                model.areaId = area.id
                            }
                        }
                    }
                }
                Card("How serious") {
                    FlowLayout {
                        ForEach(Severity.allCases, id: \.self) { severity in
                            Chip(title: severity.label, isOn: model.severity == severity) {
                                model.severity = severity
                            }
                        }
                    }
                }
                TeamAlertSection(model: model)
                moreToggle
                if model.showsMore {
                    ConcernDetailsSection(model: model)
                }
            }
            .padding(Theme.spacing)
        }
        .screenChrome("Report a concern")
        .bottomActions {
            Button(model.isSaving ? "Saving…" : (model.sharesAsAlert ? "Save and alert the team" : "Save report")) {
                Task {
                    if await model.save() {
                        app.changesSaved()
                        dismiss()
                    }
                }
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(!model.canSave)
            .accessibilityLabel(model.sharesAsAlert ? "Save and alert the team" : "Save report")
        }
        .task {
            await model.load()
        }
    }

    private var moreToggle: some View {
        Button {
            withAnimation { model.showsMore.toggle() }
        } label: {
            HStack {
                Text(model.showsMore ? "Fewer details" : "Vehicle, who reported it, police")
                Spacer()
                Image(systemName: model.showsMore ? "chevron.up" : "chevron.down")
                    .accessibilityHidden(true)
            }
            .padding(.horizontal, Theme.spacing)
            .frame(minHeight: Theme.minTouch)
            .foregroundStyle(Theme.text)
            .background(Theme.surface, in: RoundedRectangle(cornerRadius: Theme.corner))
        }
        .buttonStyle(.plain)
        .accessibilityLabel(model.showsMore ? "Hide more details" : "More details: vehicle, who reported it, police")
    }
}

/// "Share as team alert", and for how long.
private struct TeamAlertSection: View {
    @Bindable var model: ConcernModel

    var body: some View {
        Card("Team alert") {
            Toggle("Share as team alert", isOn: $model.sharesAsAlert)
                .frame(minHeight: Theme.minTouch)
                .tint(Theme.accent)
                .accessibilityLabel("Share as team alert")
            if model.sharesAsAlert {
                FlowLayout {
                    ForEach(ConcernModel.alertDurations, id: \.self) { days in
                        Chip(title: days == 1 ? String(localized: "1 day") : String(localized: "\(days) days"), isOn: model.alertDays == days) {
                            model.alertDays = days
                        }
                    }
                }
            }
        }
    }
}

/// The vehicle, who reported it, and police consent.
private struct ConcernDetailsSection: View {
    @Bindable var model: ConcernModel

    var body: some View {
        Card("Vehicle") {
            PlainField(String(localized: "Make"), text: $model.vehicleMake, capitalization: .words)
            PlainField(String(localized: "Colour"), text: $model.vehicleColour)
            PlainField(String(localized: "Part of the registration"), text: $model.vehicleRegistration, capitalization: .characters, keyboard: .asciiCapable)
        }
        Card("Who reported it") {
            PersonPicker(search: model.reporter, anonymousTitle: String(localized: "Not named"))
        }
        Card("Police") {
            Toggle("She agrees this may be passed to the police", isOn: $model.policeConsent)
                .frame(minHeight: Theme.minTouch)
                .tint(Theme.accent)
                .accessibilityLabel("She agrees this may be passed to the police")
        }
    }
}
