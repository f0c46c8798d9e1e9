import NightroundCore
import SwiftUI

/// Settings: who the phone is for, when it locks, Face ID within a session,
/// the PIN and the duress PIN, sync, and signing out (which erases this phone's records after
/// she confirms).
struct SettingsScreen: View {
    private let gateway: VaultGateway
    @Environment(AppModel.self) private var app
    @State private var model: SettingsModel
    @State private var confirmsSignOut = false

    init(gateway: VaultGateway) {
        self.gateway = gateway
        _model = State(initialValue: SettingsModel(gateway: gateway))
    }

    var body: some View {
        NavigationStack {
            ScrollView {
                VStack(alignment: .leading, spacing: Theme.spacing) {
                    if let problem = model.problem {
                        ProblemText(problem)
                    }
                    if let identity = model.identity {
                        Card("This phone is for") {
                            Text(identity.displayName)
                                .font(.title3.weight(.semibold))
                                .foregroundStyle(Theme.text)
                            Text("\(identity.role.label), \(identity.organisation)")
                                .foregroundStyle(Theme.secondaryText)
                        }
                    }
                    LockSettingsCard()
                    Card("PIN and sync") {
                        NavigationLink(value: AppRoute.changePin) {
                            Text("Change PIN")
                        }
                        .buttonStyle(SecondaryButtonStyle())
                        .accessibilityLabel("Change PIN")
                        NavigationLink(value: AppRoute.duressPin) {
                            Text("Duress PIN")
                        }
                        .buttonStyle(SecondaryButtonStyle())
                        .accessibilityLabel("Duress PIN: a second PIN that opens an empty app and erases the records")
                        NavigationLink(value: AppRoute.sync) {
                            Text("Sync")
                        }
                        .buttonStyle(SecondaryButtonStyle())
                        .accessibilityLabel("Open sync")
                    }
                    Card("Sign out") {
                        Text("Signing out erases everything Nightround holds on this phone. It cannot be undone.")
                            .foregroundStyle(Theme.secondaryText)
                        Button(model.isErasing ? "Erasing…" : "Sign out and erase") {
                            confirmsSignOut = true
                        }
                        .buttonStyle(DestructiveButtonStyle())
                        .disabled(model.isErasing)
                        .accessibilityLabel("Sign out and erase this phone's records")
                    }
                    Text("Core \(model.coreVersionText)")
                        .font(.footnote)
                        .foregroundStyle(Theme.secondaryText)
                }
                .padding(Theme.spacing)
            }
            .screenChrome("Settings")
            .appDestinations(gateway: gateway)
            .confirmationDialog("Erase everything on this phone?", isPresented: $confirmsSignOut, titleVisibility: .visible) {
                Button("Erase and sign out", role: .destructive) {
                    Task {
                        if await model.signOut() {
                            app.signedOut()
                        }
                    }
                }
                .accessibilityLabel("Erase and sign out")
                Button("Keep everything", role: .cancel) {}
                    .accessibilityLabel("Keep everything")
            } message: {
                Text(signOutMessage)
            }
            .task(id: app.dataVersion) {
                await model.load()
            }
        }
    }

    private var signOutMessage: String {
        guard model.pending > 0 else {
            return String(localized: "The team already has everything from this phone.")
        }
        return String(localized: "\(Int(model.pending)) changes have not reached the server yet and will be lost. Sync first if you can.")
    }
}

/// When the phone locks itself, and Face ID or Touch ID to come back.
private struct LockSettingsCard: View {
    @Environment(AppModel.self) private var app

    var body: some View {
        Card("Lock") {
            Text("Lock after")
                .foregroundStyle(Theme.secondaryText)
            FlowLayout {
                ForEach(ShellPreferences.idleTimeoutChoices, id: \.self) { seconds in
                    Chip(title: minutes(seconds), isOn: app.preferences.idleTimeoutSeconds == seconds) {
                        app.idleTimeoutChanged(to: seconds)
                    }
                }
            }
            if let biometry = app.resume.biometryName {
                Toggle(isOn: Binding(
                    get: { app.preferences.biometricResume },
                    set: { on in
                        app.preferences.setBiometricResume(on)
                        if !on { app.resume.forget() }
                    }
                )) {
                    VStack(alignment: .leading, spacing: 2) {
                        Text("Use \(biometry) to come back")
                            .foregroundStyle(Theme.text)
                        Text("Only during a round, after you have typed your PIN. The PIN is always needed after a quick exit or a restart.")
                            .font(.subheadline)
                            .foregroundStyle(Theme.secondaryText)
                    }
                }
                .frame(minHeight: Theme.minTouch)
                .tint(Theme.accent)
                .accessibilityLabel("Use \(biometry) to come back during a round")
            }
        }
    }

    private func minutes(_ seconds: UInt32) -> String {
        let minutes = Int(seconds / 60)
        return minutes == 1 ? String(localized: "1 minute") : String(localized: "\(minutes) minutes")
    }
}
