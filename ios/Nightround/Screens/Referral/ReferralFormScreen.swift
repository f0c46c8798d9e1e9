import NightroundCore
import SwiftUI

/// The referral form, then the read-back. Consent is asked agency by agency,
/// so that no referral later waits on doubts about what she agreed to.
struct ReferralFormScreen: View {
    @Environment(AppModel.self) private var app
    @Environment(\.dismiss) private var dismiss
    @State private var model: ReferralFormModel

    init(gateway: VaultGateway, personId: Uuid) {
        _model = State(initialValue: ReferralFormModel(gateway: gateway, personId: personId))
    }

    var body: some View {
        Group {
            switch model.step {
            case .form:
                form
            case .readBack:
                ReferralReadBackScreen(model: model) {
                    Task {
                        if await model.submit() {
                            app.changesSaved()
                            dismiss()
                        }
                    }
                }
            }
        }
        .screenChrome("Referral")
        .task {
            await model.load()
        }
    }

    private var form: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                if let alias = model.alias {
                    Text("For \(alias)")
                        .font(.title3.weight(.semibold))
                        .foregroundStyle(Theme.text)
                }
                Card("Which services may receive her information?") {
                    Text("Ask her about each one.")
                        .foregroundStyle(Theme.secondaryText)
                    ForEach(model.agencies) { agency in
                        AgencyConsentToggle(
                            agency: agency,
                            isOn: model.chosenAgencyIds.contains(agency.id),
                            toggle: { model.toggleAgency(agency.id) }
                        )
                    }
                }
                Card("What may be shared") {
                    FlowLayout {
                        ForEach(model.categories, id: \.category) { text in
                            Chip(title: text.label, isOn: model.covers.contains(text.category)) {
                                model.toggleCover(text.category)
                            }
                        }
                    }
                }
                Card("How she agreed") {
                    FlowLayout {
                        ForEach(ConsentMethod.allCases, id: \.self) { method in
                            Chip(title: method.label, isOn: model.method == method) {
                                model.method = method
                            }
                        }
                    }
                }
                Card("How urgent") {
                    FlowLayout {
                        ForEach(Urgency.allCases, id: \.self) { urgency in
                            Chip(title: urgency.label, isOn: model.urgency == urgency) {
                                model.urgency = urgency
                            }
                        }
                    }
                }
                Card("What she needs") {
                    PlainField(String(localized: "In her words where possible"), text: $model.needs, capitalization: .sentences, multiline: true)
                }
            }
            .padding(Theme.spacing)
        }
        .bottomActions {
            Button("Read it back to her") {
                Task { await model.readBack() }
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(!model.canReadBack)
            .accessibilityLabel("Read the referral back to her")
            .accessibilityHint(model.canReadBack ? "" : "Choose how urgent it is first")
        }
    }
}

/// One service with a clear yes/no for her consent to it.
private struct AgencyConsentToggle: View {
    let agency: Agency
    let isOn: Bool
    let toggle: () -> Void

    var body: some View {
        Button(action: toggle) {
            HStack(spacing: 12) {
                Image(systemName: isOn ? "checkmark.square.fill" : "square")
                    .font(.title2)
                    .foregroundStyle(isOn ? Theme.accent : Theme.secondaryText)
                VStack(alignment: .leading, spacing: 2) {
                    Text(agency.name)
                        .foregroundStyle(Theme.text)
                    Text(agency.offers)
                        .font(.subheadline)
                        .foregroundStyle(Theme.secondaryText)
                        .lineLimit(2)
                }
                Spacer(minLength: 0)
            }
            .frame(maxWidth: .infinity, minHeight: Theme.minTouch, alignment: .leading)
            .contentShape(Rectangle())
        }
        .buttonStyle(.plain)
        .accessibilityLabel("She agrees to share with \(agency.name)")
        .accessibilityValue(isOn ? "Yes" : "No")
        .accessibilityAddTraits(isOn ? .isSelected : [])
    }
}
