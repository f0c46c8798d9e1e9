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
/// The details can come from the supervisor's QR code instead
/// (`QRScannerView`): the core reads it (`parseEnrolmentLink`) and enrols
/// with the certificate it names pinned (`enrolFromLink`). Before any of
/// this, changes a wipe for wrong PINs kept for the server are sent
/// (`deliverUndelivered`).
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
    /// The camera is open on the supervisor's QR code.
    private(set) var isScanning = false
    /// Why the last scan was not used (not our code, no camera).
    private(set) var scanProblem: String?
    /// What happened to the changes a wipe kept for the server, if anything.
    private(set) var keptChanges: String?
    private(set) var canRetryKeptChanges = false

    @ObservationIgnored private let app: AppModel
    @ObservationIgnored private var chosenPin = ""
    @ObservationIgnored private var enrolled: EnrolledDevice?
    @ObservationIgnored private var created: NightroundVault?
    @ObservationIgnored private var link: EnrolmentLink?
    @ObservationIgnored private var lastRefusedScan: String?

    init(app: AppModel, notice: String?) {
        self.app = app
        self.message = notice
        self.deviceName = UIDevice.current.name
    }

    func startScan() {
        scanProblem = nil
        message = nil
        isScanning = true
    }

    /// The camera closed without a code: `why` says why, or is nil when she
    /// chose to type.
    func stopScan(_ why: String? = nil) {
        isScanning = false
        scanProblem = why
    }

    /// What the scanner read. The core says whether it is an enrolment code;
    /// if it is, the details are filled and she chooses her PIN; if not, the
    /// camera keeps looking and the screen says why. The scanner reports
    /// every frame with a code, so a refused text is looked at once.
    func scanned(_ text: String) {
        guard !isBusy, text != lastRefusedScan else { return }
        do {
            let read = try parseEnrolmentLink(text: text)
            link = read
            enrolled = nil
            serverURL = read.serverUrl
            code = read.code
            isScanning = false
            scanProblem = nil
            continueToPin()
        } catch {
            lastRefusedScan = text
            scanProblem = ErrorWording.describe(error)
        }
    }

    /// Sends what a wipe for wrong PINs kept beside the vault, sealed for
    /// the server (nothing to send says nothing).
    func deliverKeptChanges() async {
        canRetryKeptChanges = false
        do {
            let path = try VaultLocation.vaultPath()
            let taken = try await OffMain.run { try deliverUndelivered(vaultPath: path) }
            keptChanges = taken > 0
                ? String(localized: "\(Int(taken)) changes this phone had not sent reached the server.")
                : nil
        } catch NightroundError.Offline, NightroundError.Cancelled {
            keptChanges = String(localized: "Changes this phone had not sent are kept, sealed for the server. They go when there is signal.")
            canRetryKeptChanges = true
        } catch {
            keptChanges = ErrorWording.describe(error)
            canRetryKeptChanges = true
        }
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
        // Scanned and not edited since: the certificate it names is pinned.
        let scanned = link.flatMap { $0.serverUrl == url && $0.code == code ? $0 : nil }
        let device = try await OffMain.run {
            if let scanned {
                return try enrolFromLink(link: scanned, deviceName: name)
            }
            return try enrolDevice(serverUrl: url, pinnedCertPem: nil, code: code, deviceName: name)
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
