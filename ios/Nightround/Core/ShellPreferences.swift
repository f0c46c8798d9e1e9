import Foundation
import Observation

/// The few settings the shell keeps for itself. None is secret (no record,
/// no PIN, no key), so UserDefaults is the right place. The lock timeout is
/// here because the core takes its lock policy on each open and does not
/// keep it.
@MainActor
@Observable
final class ShellPreferences {
    /// The idle lock choices offered in Settings, in seconds.
    static let idleTimeoutChoices: [UInt32] = [60, 120, 300, 600]
    /// Two minutes unless she chooses otherwise.
    static let defaultIdleTimeout: UInt32 = 120

    private(set) var idleTimeoutSeconds: UInt32
    private(set) var biometricResume: Bool

    @ObservationIgnored private let defaults: UserDefaults

    init(defaults: UserDefaults = .standard) {
        self.defaults = defaults
        let stored = defaults.integer(forKey: Keys.idleTimeout)
        idleTimeoutSeconds = stored > 0 ? UInt32(stored) : Self.defaultIdleTimeout
        biometricResume = defaults.bool(forKey: Keys.biometricResume)
    }

    func setIdleTimeout(seconds: UInt32) {
        idleTimeoutSeconds = seconds
        defaults.set(Int(seconds), forKey: Keys.idleTimeout)
    }

    func setBiometricResume(_ on: Bool) {
        biometricResume = on
        defaults.set(on, forKey: Keys.biometricResume)
    }

    private enum Keys {
        static let idleTimeout = "lock.idleTimeoutSeconds"
        static let biometricResume = "lock.biometricResume"
    }
}
