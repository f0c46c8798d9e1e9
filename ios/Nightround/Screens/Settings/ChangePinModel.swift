import Foundation
import NightroundCore
import Observation

/// Changing the PIN: the current one, the new one, the new one again. The
/// core checks the current PIN and whether the new one is acceptable, and
/// rewraps the same data key (records are not re-encrypted).
@MainActor
@Observable
final class ChangePinModel {
    enum Step: Equatable {
        case current
        case new
        case repeatNew
    }

    var pin = ""
    private(set) var step: Step = .current
    private(set) var message: String?
    private(set) var isBusy = false

    @ObservationIgnored private let gateway: VaultGateway
    @ObservationIgnored private var current = ""
    @ObservationIgnored private var chosen = ""

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    /// The arrow on the PIN pad. Returns the new PIN once the core accepted it.
    func entered() async -> String? {
        let typed = pin
        pin = ""
        switch step {
        case .current:
            current = typed
            message = nil
            step = .new
            return nil
        case .new:
            chosen = typed
            message = nil
            step = .repeatNew
            return nil
        case .repeatNew:
            guard typed == chosen else {
                // Not a rule about PINs: she typed two different ones.
                chosen = ""
                step = .new
                message = String(localized: "The two new PINs were different. Choose the new PIN again.")
                return nil
            }
            return await change(to: typed)
        }
    }

    private func change(to newPin: String) async -> String? {
        isBusy = true
        defer { isBusy = false }
        let currentPin = current
        do {
            try await gateway.call { vault in try vault.changePin(current: currentPin, newPin: newPin) }
            current = ""
            chosen = ""
            return newPin
        } catch NightroundError.WrongPin {
            restart(saying: String(localized: "That was not your current PIN. Nothing was changed."))
        } catch {
            restart(saying: ErrorWording.describe(error))
        }
        return nil
    }

    private func restart(saying text: String) {
        current = ""
        chosen = ""
        step = .current
        message = text
    }
}
