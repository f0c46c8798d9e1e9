package org.nightround.app.state

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import uniffi.nightround_ffi.NightroundException

/** What the PIN screen shows: never the digits, only how many. */
data class UnlockUi(
    val entered: Int = 0,
    val minDigits: Int = PinBuffer.MIN_PIN_DIGITS,
    val maxDigits: Int = PinBuffer.MAX_PIN_DIGITS,
    val busy: Boolean = false,
    val problem: String? = null,
    val biometricOffered: Boolean = false,
) {
    val canSubmit: Boolean get() = !busy && entered >= minDigits
}

/**
 * The PIN pad in front of the vault. A correct PIN opens the session and asks
 * for a sync (changes made before the last lock may still be waiting); the
 * PIN is then handed to the [SessionPinKeeper] for biometric re-unlock.
 */
class UnlockState(
    private val session: AppSession,
    private val pinKeeper: SessionPinKeeper,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val pin = PinBuffer()
    private val _ui = MutableStateFlow(UnlockUi(biometricOffered = pinKeeper.canOffer()))
    val ui: StateFlow<UnlockUi> = _ui.asStateFlow()

    fun press(digit: Int) {
        if (_ui.value.busy) return
        if (pin.add(digit)) _ui.update { it.copy(entered = pin.size, problem = null) }
    }

    fun delete() {
        if (_ui.value.busy) return
        pin.removeLast()
        _ui.update { it.copy(entered = pin.size) }
    }

    fun submit() {
        if (!_ui.value.canSubmit) return
        val typed = pin.copy()
        pin.wipe()
        unlock(typed, keepForBiometrics = true)
    }

    /** The biometric prompt released this session's PIN. */
    fun unlockWithSessionPin(sessionPin: CharArray) {
        if (_ui.value.busy) {
            sessionPin.fill('\u0000')
            return
        }
        unlock(sessionPin, keepForBiometrics = false)
    }

    /** Re-reads whether a biometric unlock can be offered (after enrolment of a fingerprint, etc.). */
    fun refreshBiometric() {
        _ui.update { it.copy(biometricOffered = pinKeeper.canOffer()) }
    }

    private fun unlock(typed: CharArray, keepForBiometrics: Boolean) {
        val vault = session.vaultOrNull()
        if (vault == null) {
            typed.fill('\u0000')
            _ui.update { it.copy(problem = Problems.GONE) }
            return
        }
        _ui.update { it.copy(busy = true, entered = 0, problem = null) }
        scope.launch {
            try {
                withContext(io) {
                    // uniffi takes the PIN as a String, which cannot be wiped; the
                    // char array we hold is wiped below and the String is garbage at once.
                    vault.unlock(String(typed))
                }
                if (keepForBiometrics) session.keepPinForBiometrics(typed.copyOf())
                _ui.update { it.copy(busy = false) }
                session.unlocked()
                sync.syncSoon()
            } catch (e: CancellationException) {
                throw e
            } catch (e: NightroundException) {
                when (e) {
                    is NightroundException.Shredded -> session.erased(Problems.TOO_MANY_PINS)
                    is NightroundException.WrongPin -> {
                        if (!keepForBiometrics) pinKeeper.forget()
                        _ui.update { it.copy(busy = false, problem = Problems.wrongPin(e.attemptsLeft.toInt())) }
                    }
                    else -> _ui.update { it.copy(busy = false, problem = Problems.words(e)) }
                }
            } catch (_: Exception) {
                _ui.update { it.copy(busy = false, problem = Problems.INTERNAL) }
            } finally {
                typed.fill('\u0000')
                _ui.update { it.copy(biometricOffered = pinKeeper.canOffer()) }
            }
        }
    }
}
