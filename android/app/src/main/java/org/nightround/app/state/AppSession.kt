package org.nightround.app.state

import java.time.Clock
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import uniffi.nightround_ffi.NightroundException
import uniffi.nightround_ffi.NightroundVault

/**
 * The one vault of this phone and the gate in front of it: enrol, locked,
 * open, or broken. One instance lives for the whole process so that the
 * screens, the background lock and the sync worker all see the same vault
 * and the same lock state.
 *
 * Why here and not in the Activity: the vault must lock when the *process*
 * goes to the background and when the core's idle timer runs out, whichever
 * screen is showing; and a revoked device must land on the enrol screen even
 * when the revocation was discovered by a background sync.
 */
class AppSession(
    private val home: VaultHome,
    private val settings: SettingsStore,
    private val pinKeeper: SessionPinKeeper,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    private val clock: Clock = Clock.systemUTC(),
) {
    /** What stands between the person holding the phone and the records. */
    sealed interface Gate {
        data object Starting : Gate

        /** No vault on this phone: enrol. [why] says what happened to the last one, if anything. */
        data class Enrol(val why: String? = null) : Gate

        data object Locked : Gate

        data object Open : Gate

        /** The vault exists but cannot be opened; [words] say why and what to do. */
        data class Broken(val words: String) : Gate
    }

    private val _gate = MutableStateFlow<Gate>(Gate.Starting)
    val gate: StateFlow<Gate> = _gate.asStateFlow()

    private val _leaseExpired = MutableStateFlow(false)

    /** The core refuses everything but sync until the phone syncs again. */
    val leaseExpired: StateFlow<Boolean> = _leaseExpired.asStateFlow()

    @Volatile
    private var vault: NightroundVault? = null

    @Volatile
    private var lastKeepAliveMillis = 0L

    fun vaultOrNull(): NightroundVault? = vault

    /** Opens the vault if there is one (locked), or asks for enrolment. */
    suspend fun start() {
        val now = _gate.value
        if (now != Gate.Starting && now !is Gate.Broken) return
        val opened = withContext(io) {
            try {
                Result.success(NightroundVault.open(home.vaultPath, home.keyStore))
            } catch (e: NightroundException) {
                Result.failure(e)
            } catch (e: LinkageError) {
                // No core library in this build (or the wrong one for the bindings).
                Result.failure(e)
            }
        }
        opened.fold(
            onSuccess = { v ->
                vault = v
                applyLockPolicy(v)
                _gate.value = Gate.Locked
            },
            onFailure = { e ->
                _gate.value = when (e) {
                    is NightroundException.NoVault -> Gate.Enrol()
                    is NightroundException.Shredded -> Gate.Enrol(Problems.TOO_MANY_PINS)
                    is NightroundException -> Gate.Broken(Problems.words(e))
                    is LinkageError -> Gate.Broken(Problems.MISSING_CORE)
                    else -> Gate.Broken(Problems.INTERNAL)
                }
            },
        )
    }

    /** Takes the vault just created at enrolment; it is already unlocked. */
    fun adopt(created: NightroundVault) {
        vault?.takeIf { it !== created }?.close()
        vault = created
        applyLockPolicy(created)
        _leaseExpired.value = false
        _gate.value = Gate.Open
    }

    /** The PIN was accepted. */
    fun unlocked() {
        _leaseExpired.value = false
        _gate.value = Gate.Open
    }

    /**
     * Locks now: on going to the background, on the lock button, on quick
     * exit. The screen switches at once; the keys are zeroized by the core a
     * moment later on a worker thread so the main thread never waits for it.
     */
    fun lockNow() {
        if (_gate.value == Gate.Open) _gate.value = Gate.Locked
        val v = vault ?: return
        scope.launch(io) { runCatching { v.lock() } }
    }

    /** Quick exit: lock, and forget the biometric shortcut so only the PIN opens it again. */
    fun quickExit() {
        pinKeeper.forget()
        lockNow()
    }

    /**
     * Hands this session's PIN to the biometric keeper on a worker thread
     * (making its key can take a moment, and must not delay the unlock),
     * then wipes [pin].
     */
    fun keepPinForBiometrics(pin: CharArray) {
        scope.launch(io) {
            try {
                pinKeeper.keep(pin)
            } finally {
                pin.fill('\u0000')
            }
        }
    }

    /** The PIN changed: the biometric shortcut must not release the old one. */
    fun forgetPinForBiometrics() = pinKeeper.forget()

    /** Shows the PIN screen if the core's idle timer has run out. */
    suspend fun checkIdle() {
        val v = vault ?: return
        if (_gate.value != Gate.Open) return
        val locked = withContext(io) { runCatching { v.isLocked() }.getOrDefault(true) }
        if (locked && _gate.value == Gate.Open) _gate.value = Gate.Locked
    }

    /**
     * She is using the app (a touch, a key): tell the core, at most every
     * [KEEP_ALIVE_EVERY_MILLIS], so that typing a long note does not count as
     * idle. The core checks the idle timeout *before* it notes activity, so
     * this can never revive a session that has already expired.
     */
    fun noteInteraction() {
        val v = vault ?: return
        if (_gate.value != Gate.Open) return
        val nowMillis = clock.millis()
        if (nowMillis - lastKeepAliveMillis < KEEP_ALIVE_EVERY_MILLIS) return
        lastKeepAliveMillis = nowMillis
        scope.launch(io) {
            try {
                v.pendingChanges()
            } catch (e: CancellationException) {
                throw e
            } catch (e: NightroundException) {
                onVaultProblem(e)
            } catch (_: Exception) {
                // The vault was closed under us (wiped, revoked): the gate already says so.
            }
        }
    }

    /** Routes the errors that concern the whole app rather than one screen. */
    fun onVaultProblem(e: NightroundException) {
        when (e) {
            is NightroundException.Locked -> if (_gate.value == Gate.Open) _gate.value = Gate.Locked
            is NightroundException.Shredded -> erased(Problems.TOO_MANY_PINS.takeIf { _gate.value == Gate.Locked } ?: Problems.words(e))
            is NightroundException.Revoked -> erased(Problems.REVOKED)
            is NightroundException.LeaseExpired -> _leaseExpired.value = true
            else -> Unit
        }
    }

    /** The vault is gone (signed out, revoked, too many wrong PINs): back to enrolment. */
    fun erased(why: String) {
        pinKeeper.forget()
        val v = vault
        vault = null
        _leaseExpired.value = false
        _gate.value = Gate.Enrol(why)
        if (v != null) scope.launch(io) { runCatching { v.close() } }
    }

    /** Saves and applies a new idle timeout. */
    suspend fun setLockTimeout(seconds: Int) {
        require(seconds > 0) { "a lock timeout is at least one second" }
        settings.lockTimeoutSeconds = seconds
        val v = vault ?: return
        withContext(io) { applyLockPolicy(v) }
    }

    fun lockTimeoutSeconds(): Int = settings.lockTimeoutSeconds.takeIf { it > 0 } ?: DEFAULT_LOCK_SECONDS

    /** The core keeps its lock policy in memory only, so it is applied on every open. */
    private fun applyLockPolicy(v: NightroundVault) {
        try {
            v.setLockPolicy(lockTimeoutSeconds().toUInt(), MAX_WRONG_PINS.toUInt())
        } catch (_: NightroundException) {
            // Only refused for zero values, which lockTimeoutSeconds() never returns.
        }
    }

    companion object {
        /** Two minutes idle, as the partnership agreed (setLockPolicy(120, 10)). */
        const val DEFAULT_LOCK_SECONDS = 120
        const val MAX_WRONG_PINS = 10
        const val KEEP_ALIVE_EVERY_MILLIS = 20_000L
    }
}
