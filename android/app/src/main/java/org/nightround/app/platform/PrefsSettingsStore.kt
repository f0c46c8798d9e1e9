package org.nightround.app.platform

import android.content.Context
import android.content.SharedPreferences
import androidx.core.content.edit
import org.nightround.app.state.AppSession
import org.nightround.app.state.SettingsStore

/** The lock timeout, the one setting outside the vault; it says nothing about anyone. */
class PrefsSettingsStore(context: Context) : SettingsStore {
    private val prefs: SharedPreferences = context.getSharedPreferences("settings", Context.MODE_PRIVATE)

    override var lockTimeoutSeconds: Int
        get() = prefs.getInt(KEY_LOCK, AppSession.DEFAULT_LOCK_SECONDS)
        set(value) = prefs.edit { putInt(KEY_LOCK, value) }

    private companion object {
        const val KEY_LOCK = "lock_timeout_seconds"
    }
}
