import SwiftUI

/// Setting up this phone for a worker: the details her supervisor gives her,
/// then her PIN. Shown first on a new phone, and again after the vault was
/// erased or access withdrawn (with a notice saying which). The details come
/// from the supervisor's QR code (`QRScannerView`) or are typed; changes a
/// wipe kept for the server are sent first.
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
            .sheet(isPresented: Binding(get: { model.isScanning }, set: { if !$0 { model.stopScan() } })) {
                scanner
            }
            .task {
                await model.deliverKeptChanges()
            }
        }
    }

    private var scanner: some View {
        VStack(spacing: Theme.spacing) {
            Text("Point the camera at the QR code on your supervisor's screen.")
                .foregroundStyle(Theme.text)
                .multilineTextAlignment(.center)
            QRScannerView(
                onText: { model.scanned($0) },
                onUnavailable: { model.stopScan($0) }
            )
            .aspectRatio(1, contentMode: .fit)
            .clipShape(RoundedRectangle(cornerRadius: Theme.corner))
            if let problem = model.scanProblem {
                ProblemText(problem)
            }
            Spacer(minLength: 0)
        }
        .padding(Theme.spacing)
        .bottomActions {
            Button("Type the code instead") {
                model.stopScan()
            }
            .buttonStyle(SecondaryButtonStyle())
            .accessibilityLabel("Close the camera and type the code")
        }
        .background(Theme.background)
    }

    private var details: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: Theme.spacing) {
                if let message = model.message {
                    ProblemText(message)
                }
                if let kept = model.keptChanges {
                    Text(kept)
                        .foregroundStyle(Theme.accent)
                    if model.canRetryKeptChanges {
                        Button("Send them now") {
                            Task { await model.deliverKeptChanges() }
                        }
                        .buttonStyle(SecondaryButtonStyle())
                        .accessibilityLabel("Send the changes this phone had not sent")
                    }
                }
                Text("Your supervisor gives you the server address and a one-time code, or shows them as a QR code.")
                    .foregroundStyle(Theme.secondaryText)
                Button {
                    model.startScan()
                } label: {
                    Label("Scan the QR code", systemImage: "qrcode.viewfinder")
                }
                .buttonStyle(SecondaryButtonStyle())
                .accessibilityLabel("Scan the enrolment QR code with the camera")
                if let problem = model.scanProblem, !model.isScanning {
                    ProblemText(problem)
                }
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
