import SwiftUI

/// The PIN screen. The PIN is always enough and always available; Face ID or
/// Touch ID is offered only to come back within a session in which she has
/// typed it (see `BiometricResume`).
struct UnlockScreen: View {
    @State private var model: UnlockModel

    init(app: AppModel, gateway: VaultGateway) {
        _model = State(initialValue: UnlockModel(app: app, gateway: gateway))
    }

    var body: some View {
        VStack(spacing: 20) {
            Spacer(minLength: 8)
            Image(systemName: "lock.fill")
                .font(.largeTitle)
                .foregroundStyle(Theme.secondaryText)
                .accessibilityHidden(true)
            Text("Enter your PIN")
                .font(.title2.weight(.semibold))
                .foregroundStyle(Theme.text)
                .accessibilityAddTraits(.isHeader)
            if let message = model.message {
                ProblemText(message)
            }
            Spacer(minLength: 8)
            PinPad(digits: $model.pin, submitTitle: String(localized: "Unlock"), isBusy: model.isBusy) {
                Task { await model.submit() }
            }
            if let title = model.biometryTitle {
                Button(title) {
                    Task { await model.useBiometry() }
                }
                .buttonStyle(SecondaryButtonStyle())
                .disabled(model.isBusy)
                .accessibilityLabel(title)
            }
        }
        .padding(Theme.spacing)
        .frame(maxWidth: .infinity, maxHeight: .infinity)
        .background(Theme.background.ignoresSafeArea())
        .overlay(alignment: .topTrailing) {
            QuickExitButton()
                .padding(.trailing, 8)
        }
        .task {
            await model.appeared()
        }
    }
}
