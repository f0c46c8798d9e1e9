import Foundation
import NightroundCore
import Security

/// Keychain and Secure Enclave failures as `KeyStoreFailure.Unavailable` in
/// plain words: what failed, then why, as the core shows them on screen.
enum KeychainWords {
    static func failure(_ what: String, status: OSStatus) -> KeyStoreFailure {
        .Unavailable(detail: "\(what): \(reason(status))")
    }

    static func failure(_ what: String, error: Unmanaged<CFError>?) -> KeyStoreFailure {
        guard let error = error?.takeRetainedValue() else {
            return .Unavailable(detail: what)
        }
        let status = OSStatus(truncatingIfNeeded: CFErrorGetCode(error))
        return .Unavailable(detail: "\(what): \(reason(status))")
    }

    private static func reason(_ status: OSStatus) -> String {
        switch status {
        case errSecInteractionNotAllowed:
            return "the phone is locked, so its key store cannot be used"
        case errSecNotAvailable, errSecNoSuchKeychain:
            return "the phone's key store is not available"
        case errSecAuthFailed, errSecUserCanceled:
            return "the phone refused access to its key store"
        case errSecMissingEntitlement:
            return "the app is not allowed to use the key store (a build problem)"
        default:
            if let message = SecCopyErrorMessageString(status, nil) as String? {
                return message
            }
            return "error \(status)"
        }
    }
}
