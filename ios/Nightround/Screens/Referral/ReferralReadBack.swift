import NightroundCore
import SwiftUI

/// The form read back to her in plain words before it is saved: who gets her
/// information, what of it, how fast each service has committed to answer,
/// and what she needs. "She agrees" saves; "Change something" goes back.
struct ReferralReadBack: View {
    @Bindable var model: ReferralFormModel
    let onAgree: () -> Void

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                Text("Read this to her")
                    .font(.title2.weight(.semibold))
                    .foregroundStyle(Theme.text)
                    .accessibilityAddTraits(.isHeader)
                Card("Your information may go to") {
                    if model.chosenAgencies.isEmpty {
                        Text("No service chosen.")
                            .foregroundStyle(Theme.danger)
                    }
                    ForEach(model.chosenAgencies) { agency in
                        VStack(alignment: .leading, spacing: 2) {
                            Text(agency.name)
                                .foregroundStyle(Theme.text)
                            if let urgency = model.urgency {
                                Text("They aim to answer within \(Int(agency.response.hours(for: urgency))) hours.")
                                    .font(.subheadline)
                                    .foregroundStyle(Theme.secondaryText)
                            }
                        }
                        .accessibilityElement(children: .combine)
                    }
                }
                Card("What they may know") {
                    Text(InfoCategory.allCases.filter { model.covers.contains($0) }.map(\.label).joined(separator: ", "))
                        .foregroundStyle(Theme.text)
                }
                if let urgency = model.urgency {
                    Card("How urgent") {
                        Text(urgency.label)
                            .foregroundStyle(urgency.colour)
                    }
                }
                Card("What you need") {
                    Text(model.needs)
                        .foregroundStyle(Theme.text)
                }
                Card("How you agreed") {
                    Text(model.method.label)
                        .foregroundStyle(Theme.text)
                }
                Text("You can change your mind about any service at any time.")
                    .foregroundStyle(Theme.secondaryText)
            }
            .padding(Theme.spacing)
        }
        .bottomActions {
            Button(model.isSaving ? "Saving…" : "She agrees: save") {
                onAgree()
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(model.isSaving)
            .accessibilityLabel("She agrees: save the referral")
            Button("Change something") {
                model.edit()
            }
            .buttonStyle(SecondaryButtonStyle())
            .disabled(model.isSaving)
            .accessibilityLabel("Go back and change something")
        }
    }
}
