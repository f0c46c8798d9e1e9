import Foundation
import NightroundCore
import Observation

/// The duress PIN (ADR 0003): typed at the PIN screen instead of her PIN, it
/// opens an empty app that works, erases the records on this phone, and the
/// next sync tells her supervisor quietly. The core decides what a duress PIN
/// may be (digits, long enough, not her own PIN); this holds the two typings.
@MainActor
@Observable
final class DuressPinModel {
    enum Step: Equatable {
        case overview
        case choose
        case repeatIt
    }

    var pin = ""
    private(set) var step: Step = .overview
    private(set) var isSet = false
    private(set) var isBusy = false
    private(set) var problem: String?
    private(set) var message: String?

    @ObservationIgnored private let gateway: VaultGateway
    @ObservationIgnored private var chosen = ""

    init(gateway: VaultGateway) {
        self.gateway = gateway
    }

    func load() async {
        do {
            isSet = try await gateway.call { vault in try vault.hasDuressPin() }
            problem = nil
        } catch {
            problem = ErrorWording.describe(error)
        }
    }

    func start() {
        pin = ""
        chosen = ""
        problem = nil
        message = nil
        step = .choose
    }

    func cancel() {
        pin = ""
        chosen = ""
        step = .overview
    }

    /// The PIN pad's arrow: first the choice, then the repeat.
    func entered() async {
        let typed = pin
        pin = ""
        switch step {
        case .overview:
            return
        case .choose:
            chosen = typed
            problem = nil
            step = .repeatIt
        case .repeatIt:
            guard typed == chosen else {
                // Not a rule about PINs: she typed two different ones.
                chosen = ""
                step = .choose
                problem = String(localized: "The two duress PINs were different. Choose it again.")
                return
            }
            await set(typed)
        }
    }

    private func set(_ duressPin: String) async {
        isBusy = true
        defer { isBusy = false }
        do {
            try await gateway.call { vault in try vault.setDuressPin(duressPin: duressPin) }
            chosen = ""
            isSet = true
            step = .overview
            message = String(localized: "Duress PIN set. Typed at the PIN screen, it opens an empty app, erases the records on this phone and tells your supervisor quietly.")
        } catch {
            chosen = ""
            step = .choose
            problem = ErrorWording.describe(error)
        }
    }

    func clear() async {
        isBusy = true
        defer { isBusy = false }
        do {
            try await gateway.call { vault in try vault.clearDuressPin() }
            isSet = false
            message = String(localized: "Duress PIN removed.")
        } catch {
            problem = ErrorWording.describe(error)
        }
    }
}
