import NightroundCore
import SwiftUI

/// Her profile, as she describes herself. Saved, it goes back to her page.
struct PersonEditScreen: View {
    @Environment(AppModel.self) private var app
    @Environment(\.dismiss) private var dismiss
    @State private var model: PersonEditModel

    init(gateway: VaultGateway, personId: Uuid) {
        _model = State(initialValue: PersonEditModel(gateway: gateway, personId: personId))
    }

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                Card("Known as") {
                    PlainField("Known as", text: $model.alias, capitalization: .words)
                }
                Card("How she describes herself") {
                    PlainField("Description", text: $model.selfDescription, capitalization: .sentences, multiline: true)
                }
                Card("Year of birth, if she said") {
                    PlainField("Year", text: $model.birthYear, keyboard: .numberPad)
                }
                Card("Key worker") {
                    PlainField("Key worker", text: $model.keyWorker, capitalization: .words)
                }
                Card {
                    Toggle("Prefers a female worker", isOn: $model.prefersFemaleWorker)
                        .frame(minHeight: Theme.minTouch)
                        .tint(Theme.accent)
                        .accessibilityLabel("Prefers a female worker")
                    Toggle("Registered with outreach", isOn: $model.registeredWithOutreach)
                        .frame(minHeight: Theme.minTouch)
                        .tint(Theme.accent)
                        .accessibilityLabel("Registered with outreach")
                }
            }
            .padding(Theme.spacing)
        }
        .screenChrome("Edit profile")
        .bottomActions {
            Button(model.isSaving ? "Saving…" : "Save") {
                Task {
                    if await model.save() {
                        app.changesSaved()
                        dismiss()
                    }
                }
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(!model.isLoaded || model.isSaving)
            .accessibilityLabel("Save her profile")
        }
        .task {
            await model.load()
        }
    }
}
