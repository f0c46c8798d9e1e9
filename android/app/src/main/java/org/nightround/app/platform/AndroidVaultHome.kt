package org.nightround.app.platform

import android.content.Context
import android.content.pm.PackageManager
import java.io.File
import org.nightround.app.security.AndroidKeystoreSecrets
import org.nightround.app.state.VaultHome
import uniffi.nightround_ffi.PlatformKeyStore

/**
 * The vault and its sealed keystore secrets live under [Context.getNoBackupFilesDir]:
 * never in a backup or a device transfer, whatever the backup rules say.
 */
class AndroidVaultHome(context: Context) : VaultHome {
    private val root: File = context.noBackupFilesDir

    override val vaultPath: String = File(File(root, "vault").apply { mkdirs() }, "nightround.vault").path

    override val keyStore: PlatformKeyStore = AndroidKeystoreSecrets(
        directory = File(root, "keystore"),
        strongBoxAvailable = context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE),
    )
}
