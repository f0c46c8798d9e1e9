package org.nightround.app

import android.content.Context
import android.os.Build
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.MutableStateFlow
import org.nightround.app.platform.AndroidVaultHome
import org.nightround.app.platform.PrefsSettingsStore
import org.nightround.app.security.BiometricPinKeeper
import org.nightround.app.state.AppSession
import org.nightround.app.state.Screen
import org.nightround.app.state.SyncRunner
import org.nightround.app.state.VaultGuard
import org.nightround.app.sync.AndroidRoundWatcher
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
    val roundWatcher = AndroidRoundWatcher(context)

    /**
     * A screen a notification asked for (the check-in reminder: the round
     * screen), opened once she is past the PIN; UnlockedApp clears it.
     */
    val openNext = MutableStateFlow<Screen?>(null)

    /** A default for the enrolment form; she can change it. */
    val deviceName: String = Build.MODEL ?: "Android phone"


    /**
     * Syncs now, in the app's scope, so that leaving the screen does not
     * cancel the sync after "Need help now".
     */
    suspend fun syncNow(): SyncRunner.Result = appScope.async { syncRunner.syncUntilQuiet() }.await()

    fun coreVersion(): String = uniffi.nightround_ffi.coreVersion()
}
