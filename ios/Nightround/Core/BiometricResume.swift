import Foundation
import LocalAuthentication
import Security

/// Face ID or Touch ID as a convenience for coming back during a round,
/// never instead of the PIN.
///
/// The core only unlocks with the PIN, so after she types it (and only if
/// she turned this on) the PIN is kept in the Keychain behind
/// `.biometryCurrentSet`: the Secure Enclave releases it only after a
/// successful match of the biometrics enrolled now (adding a face or finger
/// later makes it unreadable). It is never in memory while the vault is
/// locked, never backed up (`ThisDeviceOnly`), and thrown away at the end of
/// the session: on launch, quick exit, sign out, a PIN change, and
/// `sessionLifetime` after she last typed the PIN. So the PIN is always needed
/// after a restart or a quick exit.
@MainActor
final class BiometricResume {
    /// A night's round; after this the PIN is needed again.
    static let sessionLifetime: TimeInterval = 8 * 60 * 60

    nonisolated private static let service = "org.nightround.resume"
    nonisolated private static let account = "pin"

    private var armedAt: Date?

    /// "Face ID" or "Touch ID" when the phone has usable biometrics, else nil.
    var biometryName: String? {
        let context = LAContext()
        guard context.canEvaluatePolicy(.deviceOwnerAuthenticationWithBiometrics, error: nil) else {
            return nil
        }
        switch context.biometryType {
        case .faceID: return "Face ID"
        case .touchID: return "Touch ID"
        case .opticID: return "Optic ID"
        default: return nil
        }
    }

    /// Whether a PIN from this session is waiting behind biometrics.
    var isArmed: Bool {
        guard let armedAt else { return false }
        if Date.now.timeIntervalSince(armedAt) > Self.sessionLifetime {
            forget()
            return false
        }
        return true
    }

    /// Keeps the PIN she just typed, replacing any earlier one.
    func arm(pin: String) {
        forget()
        guard let access = SecAccessControlCreateWithFlags(
            kCFAllocatorDefault,
            kSecAttrAccessibleWhenPasscodeSetThisDeviceOnly,
            .biometryCurrentSet,
            nil
        ) else { return }
        var attributes = Self.query
        attributes[kSecAttrAccessControl as String] = access
        attributes[kSecValueData as String] = Data(pin.utf8)
        if SecItemAdd(attributes as CFDictionary, nil) == errSecSuccess {
            armedAt = .now
        }
    }

    /// Asks for Face ID or Touch ID and returns the kept PIN; nil if she
    /// cancelled, the match failed, the biometrics changed, or nothing is kept.
    func recall(reason: String) async -> String? {
        guard isArmed else { return nil }
        // SecItemCopyMatching shows the prompt and blocks until she answers.
        let pin = try? await OffMain.run { () -> String? in
            let context = LAContext()
            context.localizedReason = reason
            // No "Enter Password" fallback: the PIN pad is the fallback.
            context.localizedFallbackTitle = ""
            var lookup = BiometricResume.query
            lookup[kSecReturnData as String] = true
            lookup[kSecMatchLimit as String] = kSecMatchLimitOne
            lookup[kSecUseAuthenticationContext as String] = context
            var result: CFTypeRef?
            guard SecItemCopyMatching(lookup as CFDictionary, &result) == errSecSuccess,
                  let data = result as? Data
            else { return nil }
            return String(data: data, encoding: .utf8)
        }
        guard let pin else {
            forget()
            return nil
        }
        return pin
    }

    /// Ends the session: the kept PIN is deleted.
    func forget() {
        armedAt = nil
        _ = SecItemDelete(Self.query as CFDictionary)
    }

    nonisolated private static var query: [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecUseDataProtectionKeychain as String: true,
        ]
    }
}
