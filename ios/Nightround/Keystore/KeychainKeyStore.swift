import CryptoKit
import Foundation
import NightroundCore
import Security

/// The core's `PlatformKeyStore` on the iOS Keychain: the "keystore secret"
/// half of the wrapping key in ADR 0002 (the PIN is the other half).
///
/// - Each secret is 32 fresh random bytes from `SecRandomCopyBytes`.
/// - It is kept as a generic-password item readable only while the phone is
///   unlocked and never leaving it (`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`:
///   no backup, no iCloud Keychain). A copied vault file is useless elsewhere.
/// - Where the phone has a Secure Enclave, the item holds the secret sealed
///   to a P-256 key that lives in the Enclave (ECIES), so reading the Keychain
///   item alone is not enough: the Enclave itself must open it. Simulators have
///   no Enclave and keep the plain item.
/// - Deleting a secret deletes the item and its Enclave key, which makes any
///   surviving copy of the sealed secret unreadable (crypto-shredding on wipe).
///
/// The core calls these methods from its own threads; Keychain calls are
/// thread-safe. Every failure is a `KeyStoreFailure.Unavailable` in plain
/// words, never with key bytes.
final class KeychainKeyStore: PlatformKeyStore {
    private let items: KeychainItems
    private let enclave: EnclaveWrapper
    /// Decided once: a phone does not gain or lose its Enclave.
    private let sealsWithEnclave: Bool

    init(service: String = "org.nightround.vault-secrets") {
        items = KeychainItems(service: service)
        enclave = EnclaveWrapper(tagPrefix: service + ".enclave.")
        sealsWithEnclave = SecureEnclave.isAvailable
    }

    func createSecret(name: String) throws -> Data {
        let secret = try Self.randomSecret()
        let stored: StoredSecret
        if sealsWithEnclave {
            stored = .sealedByEnclave(try enclave.seal(secret, name: name))
        } else {
            try enclave.deleteKey(name: name)
            stored = .plain(secret)
        }
        try items.put(stored.encoded, account: name)
        return secret
    }

    func loadSecret(name: String) throws -> Data? {
        guard let data = try items.get(account: name) else {
            return nil
        }
        switch try StoredSecret(decoding: data) {
        case .plain(let secret):
            return secret
        case .sealedByEnclave(let sealed):
            return try enclave.open(sealed, name: name)
        }
    }

    func deleteSecret(name: String) throws {
        try items.delete(account: name)
        try enclave.deleteKey(name: name)
    }

    private static func randomSecret() throws -> Data {
        var bytes = [UInt8](repeating: 0, count: 32)
        let status = SecRandomCopyBytes(kSecRandomDefault, bytes.count, &bytes)
        guard status == errSecSuccess else {
            throw KeychainWords.failure("the phone could not make a random key", status: status)
        }
        return Data(bytes)
    }
}
