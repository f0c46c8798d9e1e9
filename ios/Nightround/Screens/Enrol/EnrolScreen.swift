import SwiftUI

/// Setting up this phone for a worker: the details her supervisor gives her,
/// then her PIN. Shown first on a new phone, and again after the vault was
/// erased or access withdrawn (with a notice saying which).
struct EnrolScreen: View {
    @State private var model: EnrolModel

    init(app: AppModel, notice: String?) {
        _model = State(initialValue: EnrolModel(app: app, notice: notice))
    }

    var body: some View {
        NavigationStack {
            Group {
                switch model.step {
                case .details:
                    details
                case .choosePin:
                    pinStep(title: "Choose a PIN", explanation: "You will type it every time Nightround locks. Nobody can recover it for you.")
                case .confirmPin:
                    pinStep(title: "Type your PIN again", explanation: "To be sure it is the one you meant.")
                }
            }
            .screenChrome("Set up this phone")
        }
    }

    private var details: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let message = model.message {
                    ProblemText(message)
                }
                Text("Your supervisor gives you the server address and a one-time code.")
                    .foregroundStyle(Theme.secondaryText)
                Card("Server address") {
                    PlainField("https://…", text: $model.serverURL, keyboard: .URL)
                }
                Card("One-time code") {
                    PlainField("Code", text: $model.code, keyboard: .asciiCapable)
                }
                Card("Name for this phone") {
                    PlainField("Phone name", text: $model.deviceName, capitalization: .words)
                }
            }
            .padding(Theme.spacing)
        }
        .bottomActions {
            Button("Continue") {
                model.continueToPin()
            }
            .buttonStyle(PrimaryButtonStyle())
            .accessibilityLabel("Continue to choosing a PIN")
        }
    }

    private func pinStep(title: LocalizedStringKey, explanation: LocalizedStringKey) -> some View {
        VStack(spacing: 18) {
            Text(title)
                .font(.title2.weight(.semibold))
                .foregroundStyle(Theme.text)
                .accessibilityAddTraits(.isHeader)
            Text(explanation)
                .foregroundStyle(Theme.secondaryText)
                .multilineTextAlignment(.center)
            if let message = model.message {
                ProblemText(message)
            }
            Spacer(minLength: 8)
            PinPad(digits: $model.pin, submitTitle: String(localized: "Next"), isBusy: model.isBusy) {
                model.pinEntered()
            }
            Button("Back") {
                model.back()
            }
            .buttonStyle(SecondaryButtonStyle())
            .disabled(model.isBusy)
            .accessibilityLabel("Back to the server details")
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, maxHeight: .infinity)
    }
}
