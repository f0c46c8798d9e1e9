import Foundation
import NightroundCore
import Security

/// Generic-password items under one service name. Readable only while the
/// phone is unlocked, never synced or backed up
/// (`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`), and in the data-protection
/// keychain so the same rules hold on every platform the app may run on.
struct KeychainItems: Sendable {
    let service: String

    /// Stores `data` under `account`, replacing what was there.
    func put(_ data: Data, account: String) throws {
        try delete(account: account)
        var attributes = query(account: account)
        attributes[kSecValueData as String] = data
        attributes[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        let status = SecItemAdd(attributes as CFDictionary, nil)
        guard status == errSecSuccess else {
            throw KeychainWords.failure("the phone's key store did not keep the key", status: status)
        }
    }

    /// The data under `account`, or nil if there is none.
    func get(account: String) throws -> Data? {
        var lookup = query(account: account)
        lookup[kSecReturnData as String] = true
        lookup[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(lookup as CFDictionary, &result)
        switch status {
        case errSecSuccess:
            guard let data = result as? Data else {
                throw KeyStoreFailure.Unavailable(detail: "the phone's key store returned something that is not a key")
            }
            return data
        case errSecItemNotFound:
            return nil
        default:
            throw KeychainWords.failure("the phone's key store could not be read", status: status)
        }
    }

    /// Deletes the item; deleting one that is not there is not an error.
    func delete(account: String) throws {
        let status = SecItemDelete(query(account: account) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw KeychainWords.failure("the phone's key store did not delete the key", status: status)
        }
    }

    private func query(account: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecUseDataProtectionKeychain as String: true,
        ]
    }
}
