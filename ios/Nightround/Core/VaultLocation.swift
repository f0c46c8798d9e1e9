import Foundation

/// Where the vault file lives, and how its folder is protected.
///
/// - Application Support, not Documents: nothing of it appears in the Files app.
/// - Complete file protection on the folder as well as by entitlement, so the
///   SQLite side files (-wal, -shm) created later inherit it too.
/// - Excluded from backups: a copy is useless without this phone's keystore
///   secret, and a copy that cannot be erased by a wipe should not exist.
enum VaultLocation {
    static func vaultPath() throws -> String {
        let files = FileManager.default
        var folder = try files.url(
            for: .applicationSupportDirectory,
            in: .userDomainMask,
            appropriateFor: nil,
            create: true
        ).appendingPathComponent("Vault", isDirectory: true)
        try files.createDirectory(
            at: folder,
            withIntermediateDirectories: true,
            attributes: [.protectionKey: FileProtectionType.complete]
        )
        try files.setAttributes(
            [.protectionKey: FileProtectionType.complete],
            ofItemAtPath: folder.path(percentEncoded: false)
        )
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try folder.setResourceValues(values)
        return folder.appendingPathComponent("nightround.vault").path(percentEncoded: false)
    }
}
