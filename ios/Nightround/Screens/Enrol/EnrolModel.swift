import Foundation
import NightroundCore
import Observation
import UIKit

/// Enrolment: the supervisor's server and one-time code, a name for this
/// phone, then a PIN chosen and typed again. Then, in the core's order:
/// `enrolDevice` (trades the code for credentials and her identity),
/// `NightroundVault.create` (the encrypted vault, under her PIN and this
/// phone's keystore) and `setEnrolment` (keeps the credentials in the vault).
///
/// What is acceptable (the URL, the code, the PIN) is the core's and the
/// server's decision. Steps that succeeded are kept, so a refused PIN does not
/// spend the one-time code again.
@MainActor
@Observable
final class EnrolModel {
    enum Step: Equatable {
        case details
        case choosePin
        case confirmPin
    }

    var serverURL = ""
    var code = ""
    var deviceName: String
    /// The PIN pad's digits for the current step.
    var pin = ""
    private(set) var step: Step = .details
    private(set) var isBusy = false
    private(set) var message: String?

    @ObservationIgnored private let app: AppModel
    @ObservationIgnored private var chosenPin = ""
    @ObservationIgnored private var enrolled: EnrolledDevice?
    @ObservationIgnored private var created: NightroundVault?

    init(app: AppModel, notice: String?) {
        self.app = app
        self.message = notice
        self.deviceName = UIDevice.current.name
    }

    func continueToPin() {
        message = nil
        step = .choosePin
    }

    func back() {
        pin = ""
        chosenPin = ""
        message = nil
        step = .details
    }

    /// The PIN pad's arrow: first the choice, then the repeat.
    func pinEntered() {
        switch step {
        case .details:
            return
        case .choosePin:
            chosenPin = pin
            pin = ""
            message = nil
            step = .confirmPin
        case .confirmPin:
            let repeated = pin
            pin = ""
            guard repeated == chosenPin else {
                // Not a rule about PINs: she typed two different ones.
                chosenPin = ""
                step = .choosePin
                message = String(localized: "The two PINs were different. Choose your PIN again.")
                return
            }
            Task { await finish(pin: repeated) }
        }
    }

    private func finish(pin: String) async {
        isBusy = true
        defer { isBusy = false }
        do {
            let device = try await enrolledDevice()
            let vault = try await createdVault(device: device, pin: pin)
            let enrolment = device.enrolment
            try await OffMain.run { try vault.setEnrolment(enrolment: enrolment) }
            chosenPin = ""
            await app.enrolled(vault)
        } catch {
            message = ErrorWording.describe(error)
            chosenPin = ""
            // A refused PIN goes back to the PIN; anything before the code
            // was accepted goes back to the details.
            step = enrolled == nil ? .details : .choosePin
        }
    }

    private func enrolledDevice() async throws -> EnrolledDevice {
        if let enrolled {
            return enrolled
        }
        let url = serverURL
        let code = self.code
        let name = deviceName
        let device = try await OffMain.run {
            try enrolDevice(serverUrl: url, pinnedCertPem: nil, code: code, deviceName: name)
        }
        enrolled = device
        return device
    }

    private func createdVault(device: EnrolledDevice, pin: String) async throws -> NightroundVault {
        if let created {
            return created
        }
        let path = try VaultLocation.vaultPath()
        let keystore = KeychainKeyStore()
        let identity = device.identity
        let vault = try await OffMain.run {
            try NightroundVault.create(path: path, keystore: keystore, pin: pin, identity: identity)
        }
        created = vault
        return vault
    }
}
