import NightroundCore
import SwiftUI

/// The form read back to her before it is saved, in the core's words
/// (`previewReferralForm`): who gets her information, what of it, how fast
/// each service has committed to answer, what she needs, that she can change
/// her mind, and the question. "She agrees" saves; "Change something" goes back.
struct ReferralReadBackScreen: View {
    @Bindable var model: ReferralFormModel
    let onAgree: () -> Void

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                Text("Read this to her")
                    .font(.title2.weight(.semibold))
                    .foregroundStyle(Theme.text)
                    .accessibilityAddTraits(.isHeader)
                if let problem = model.problem {
                    ProblemText(problem)
                }
                ForEach(Array((model.preview?.lines ?? []).enumerated()), id: \.offset) { _, line in
                    Text(line)
                        .font(.title3)
                        .foregroundStyle(Theme.text)
                        .frame(maxWidth: .infinity, alignment: .leading)
                }
            }
            .padding(Theme.spacing)
        }
        .bottomActions {
            Button(model.isSaving ? "Saving…" : "She agrees: save") {
                onAgree()
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(model.isSaving || model.preview == nil)
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
