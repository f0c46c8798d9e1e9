package org.nightround.app.state

import uniffi.nightround_ffi.PlatformKeyStore

/**
 * Where this phone keeps its vault and the keystore that guards it.
 *
 * The state layer never touches files or the Android Keystore itself: the
 * Android glue supplies both, so the same state code runs on a plain JVM with
 * an in-memory keystore.
 */
interface VaultHome {
    /** The vault file, in storage that is never backed up. */
    val vaultPath: String

    /** The platform keystore the core asks for its 32-byte secrets. */
    val keyStore: PlatformKeyStore
}

/**
 * The few preferences that are not records and hold nothing about anyone.
 *
 * The lock timeout lives here (not in the vault) because the core keeps its
 * lock policy in memory only and the app must re-apply it on every open.
 */
interface SettingsStore {
    var lockTimeoutSeconds: Int
}

/**
 * Asks for a sync soon, without waiting for it. On Android this is an
 * expedited WorkManager job; state holders call it after every record so a
 * team alert leaves the phone as soon as there is signal.
 */
fun interface SyncScheduler {
    fun syncSoon()
}

/**
 * Keeps the PIN typed in this session so that a biometric prompt can unlock
 * the vault again after the app went to the background.
 *
 * It is a convenience only: the vault's keys are still derived from the PIN
 * (ADR 0002). The Android implementation holds the PIN only in memory, sealed
 * by a biometric-bound Keystore key, and forgets it on quick exit, sign out,
 * PIN change and process death.
 */
interface SessionPinKeeper {
    /** Whether a biometric re-unlock can be offered right now. */
    fun canOffer(): Boolean

    /** Seals [pin] for this session; the caller wipes its own copy. */
    fun keep(pin: CharArray)

    /** Forgets the sealed PIN and its key. */
    fun forget()

    /** A keeper that never offers anything: tests, phones without biometrics. */
    object None : SessionPinKeeper {
        override fun canOffer(): Boolean = false
        override fun keep(pin: CharArray) = Unit
        override fun forget() = Unit
    }
}
