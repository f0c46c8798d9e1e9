import SwiftUI

/// Three PIN pads in a row: current, new, new again.
struct ChangePinScreen: View {
    @Environment(AppModel.self) private var app
    @Environment(\.dismiss) private var dismiss
    @State private var model: ChangePinModel

    init(gateway: VaultGateway) {
        _model = State(initialValue: ChangePinModel(gateway: gateway))
    }

    var body: some View {
        VStack(spacing: 18) {
            Text(title)
                .font(.title2.weight(.semibold))
                .foregroundStyle(Theme.text)
                .accessibilityAddTraits(.isHeader)
            if let message = model.message {
                ProblemText(message)
            }
            Spacer(minLength: 8)
            PinPad(digits: $model.pin, submitTitle: String(localized: "Next"), isBusy: model.isBusy) {
                Task {
                    if let newPin = await model.entered() {
                        // A PIN kept for Face ID must follow the change.
                        if app.resume.isArmed {
                            app.resume.arm(pin: newPin)
                        }
                        dismiss()
                    }
                }
            }
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, maxHeight: .infinity)
        .screenChrome("Change PIN")
    }

    private var title: LocalizedStringKey {
        switch model.step {
        case .current: return "Your current PIN"
        case .new: return "Choose a new PIN"
        case .repeatNew: return "Type the new PIN again"
        }
    }
}
