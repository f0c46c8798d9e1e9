import Foundation
import NightroundCore
import Security

/// Seals and opens secrets with a P-256 key held in the Secure Enclave, one
/// key per secret name. The private key never leaves the Enclave and is
/// usable only while the phone is unlocked; ECIES (cofactor ECDH, X9.63 KDF
/// with SHA-256, AES-GCM) binds the sealed secret to this one phone.
struct EnclaveWrapper: Sendable {
    let tagPrefix: String

    private static let algorithm: SecKeyAlgorithm = .eciesEncryptionCofactorVariableIVX963SHA256AESGCM

    /// Makes a fresh Enclave key for `name` (replacing any) and seals `secret` to it.
    func seal(_ secret: Data, name: String) throws -> Data {
        try deleteKey(name: name)
        let privateKey = try createKey(name: name)
        guard let publicKey = SecKeyCopyPublicKey(privateKey),
              SecKeyIsAlgorithmSupported(publicKey, .encrypt, Self.algorithm)
        else {
            throw KeyStoreFailure.Unavailable(detail: "the phone's secure chip cannot seal keys")
        }
        var error: Unmanaged<CFError>?
        guard let sealed = SecKeyCreateEncryptedData(publicKey, Self.algorithm, secret as CFData, &error) else {
            throw KeychainWords.failure("the phone's secure chip could not seal the key", error: error)
        }
        return sealed as Data
    }

    /// Opens what `seal` made, with the Enclave key for `name`.
    func open(_ sealed: Data, name: String) throws -> Data {
        guard let privateKey = try loadKey(name: name) else {
            throw KeyStoreFailure.Unavailable(detail: "the phone's secure chip no longer holds this vault's key")
        }
        var error: Unmanaged<CFError>?
        guard let secret = SecKeyCreateDecryptedData(privateKey, Self.algorithm, sealed as CFData, &error) else {
            throw KeychainWords.failure("the phone's secure chip could not open the key", error: error)
        }
        return secret as Data
    }

    /// Deletes the Enclave key for `name`; a missing key is not an error.
    func deleteKey(name: String) throws {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag(name),
            kSecUseDataProtectionKeychain as String: true,
        ]
        let status = SecItemDelete(query as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw KeychainWords.failure("the phone's secure chip did not delete the key", status: status)
        }
    }

    private func createKey(name: String) throws -> SecKey {
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            kCFAllocatorDefault,
            kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
            .privateKeyUsage,
            &error
        ) else {
            throw KeychainWords.failure("the phone's secure chip refused the key's access rules", error: error)
        }
        let attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecAttrTokenID as String: kSecAttrTokenIDSecureEnclave,
            kSecUseDataProtectionKeychain as String: true,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag(name),
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            throw KeychainWords.failure("the phone's secure chip could not make a key", error: error)
        }
        return key
    }

    private func loadKey(name: String) throws -> SecKey? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag(name),
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecUseDataProtectionKeychain as String: true,
            kSecReturnRef as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let item, CFGetTypeID(item) == SecKeyGetTypeID() else {
                throw KeyStoreFailure.Unavailable(detail: "the phone's secure chip returned something that is not a key")
            }
            return (item as! SecKey)
        case errSecItemNotFound:
            return nil
        default:
            throw KeychainWords.failure("the phone's secure chip could not be read", status: status)
        }
    }

    private func tag(_ name: String) -> Data {
        Data((tagPrefix + name).utf8)
    }
}
