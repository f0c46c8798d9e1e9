package org.nightround.app

import android.content.Context
import android.os.Build
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import org.nightround.app.platform.AndroidVaultHome
import org.nightround.app.platform.PrefsSettingsStore
import org.nightround.app.security.BiometricPinKeeper
import org.nightround.app.state.AppSession
import org.nightround.app.state.SyncRunner
import org.nightround.app.state.VaultGuard
import org.nightround.app.sync.WorkManagerSync

/**
 * The process-wide objects, wired once: the Android pieces (keystore,
 * preferences, biometrics, WorkManager) plugged into the plain-Kotlin state
 * layer. Screens, the background lock and the sync worker all share these.
 */
class AppGraph(context: Context) {
    val appScope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)
    val home = AndroidVaultHome(context)
    val settings = PrefsSettingsStore(context)
    val pinKeeper = BiometricPinKeeper(context)
    val session = AppSession(home, settings, pinKeeper, appScope)
    val guard = VaultGuard(session)
    val syncRunner = SyncRunner(session)
    val sync = WorkManagerSync(context)

    /** A default for the enrolment form; she can change it. */
    val deviceName: String = Build.MODEL ?: "Android phone"


    fun coreVersion(): String = uniffi.nightround_ffi.coreVersion()
}
