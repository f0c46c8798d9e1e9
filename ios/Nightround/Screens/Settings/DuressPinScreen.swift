import SwiftUI

/// Setting, changing or removing the duress PIN, from Settings.
struct DuressPinScreen: View {
    @State private var model: DuressPinModel
    @State private var confirmsClear = false

    init(gateway: VaultGateway) {
        _model = State(initialValue: DuressPinModel(gateway: gateway))
    }

    var body: some View {
        Group {
            switch model.step {
            case .overview:
                overview
            case .choose, .repeatIt:
                pinStep
            }
        }
        .screenChrome("Duress PIN")
        .task {
            await model.load()
        }
    }

    private var overview: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let problem = model.problem {
                    ProblemText(problem)
                }
                if let message = model.message {
                    Text(message)
                        .foregroundStyle(Theme.accent)
                }
                Card {
                    Text("If someone makes you open the app, type the duress PIN instead of your PIN. The app opens empty and works as usual, the records on this phone are erased, and the next sync tells your supervisor quietly. Changes not yet sent still reach the server.")
                        .foregroundStyle(Theme.text)
                    Text(model.isSet ? "A duress PIN is set." : "No duress PIN is set.")
                        .foregroundStyle(Theme.secondaryText)
                }
            }
            .padding(Theme.spacing)
        }
        .bottomActions {
            if model.isSet {
                Button("Remove the duress PIN") {
                    confirmsClear = true
                }
                .buttonStyle(SecondaryButtonStyle())
                .disabled(model.isBusy)
                .accessibilityLabel("Remove the duress PIN")
            }
            Button(model.isSet ? "Change the duress PIN" : "Set a duress PIN") {
                model.start()
            }
            .buttonStyle(PrimaryButtonStyle())
            .disabled(model.isBusy)
            .accessibilityLabel(model.isSet ? "Change the duress PIN" : "Set a duress PIN")
        }
        .confirmationDialog("Remove the duress PIN?", isPresented: $confirmsClear, titleVisibility: .visible) {
            Button("Remove", role: .destructive) {
                Task { await model.clear() }
            }
            .accessibilityLabel("Remove the duress PIN")
            Button("Keep it", role: .cancel) {}
                .accessibilityLabel("Keep the duress PIN")
        } message: {
            Text("Only your own PIN will open the app.")
        }
    }

    private var pinStep: some View {
        VStack(spacing: 18) {
            Text(model.step == .choose ? "Choose a duress PIN" : "Type the duress PIN again")
                .font(.title2.weight(.semibold))
                .foregroundStyle(Theme.text)
                .accessibilityAddTraits(.isHeader)
            Text("At least six digits, and not your own PIN.")
                .foregroundStyle(Theme.secondaryText)
            if let problem = model.problem {
                ProblemText(problem)
            }
            Spacer(minLength: 8)
            PinPad(digits: $model.pin, submitTitle: String(localized: "Next"), isBusy: model.isBusy) {
                Task { await model.entered() }
            }
            Button("Cancel") {
                model.cancel()
            }
            .buttonStyle(SecondaryButtonStyle())
            .disabled(model.isBusy)
            .accessibilityLabel("Cancel setting the duress PIN")
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, maxHeight: .infinity)
    }
}
