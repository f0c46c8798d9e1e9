import Foundation
import NightroundCore
import Observation

/// The PIN screen's state: the digits being typed, whether the core is
/// checking them, and what it said. Whether a PIN is right, how many tries
/// are left and when the vault is erased are all the core's answers.
@MainActor
@Observable
final class UnlockModel {
    /// The digits typed so far; cleared as soon as they are sent.
    var pin = ""
    private(set) var isBusy = false
    private(set) var message: String?

    @ObservationIgnored private let app: AppModel
    @ObservationIgnored private let gateway: VaultGateway
    @ObservationIgnored private var offeredBiometry = false

    init(app: AppModel, gateway: VaultGateway) {
        self.app = app
        self.gateway = gateway
    }

    /// "Use Face ID" when she turned it on and typed her PIN earlier in this
    /// session; nil otherwise.
    var biometryTitle: String? {
        guard app.preferences.biometricResume, app.resume.isArmed,
              let name = app.resume.biometryName
        else { return nil }
        return String(localized: "Use \(name)")
    }

    /// On appearing: say how many wrong PINs there have been, and offer Face
    /// ID once if it is available.
    func appeared() async {
        if let failed = try? await gateway.call({ vault in try vault.failedUnlocks() }), failed > 0 {
            message = String(localized: "\(Int(failed)) wrong PINs since the last unlock.")
        }
        if !offeredBiometry, biometryTitle != nil {
            offeredBiometry = true
            await useBiometry()
        }
    }

    func submit() async {
        guard !isBusy, !pin.isEmpty else { return }
        let typed = pin
        pin = ""
        await unlock(with: typed, fromBiometry: false)
    }

    func useBiometry() async {
        guard !isBusy else { return }
        isBusy = true
        let kept = await app.resume.recall(reason: String(localized: "Come back to Nightround"))
        isBusy = false
        guard let kept else { return }
        await unlock(with: kept, fromBiometry: true)
    }

    private func unlock(with pin: String, fromBiometry: Bool) async {
        isBusy = true
        defer { isBusy = false }
        do {
            try await gateway.call { vault in try vault.unlock(pin: pin) }
            if app.preferences.biometricResume, !fromBiometry {
                app.resume.arm(pin: pin)
            }
            message = nil
            app.unlocked()
        } catch {
            if fromBiometry {
                // A kept PIN that no longer works is thrown away.
                app.resume.forget()
            }
            message = ErrorWording.describe(error)
        }
    }
}
