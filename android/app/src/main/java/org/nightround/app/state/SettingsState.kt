package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** Changing the PIN: the current one, the new one, the new one again. */
enum class PinChangeStep { CURRENT, NEW, CONFIRM }

/** The settings screen, with the PIN change and sign-out confirmation in progress, if any. */
data class SettingsUi(
    val loading: Boolean = true,
    val workerName: String = "",
    val role: String = "",
    val organisation: String = "",
    val coreVersion: String = "",
    val lockTimeoutSeconds: Int = AppSession.DEFAULT_LOCK_SECONDS,
    val lockChoices: List<Int> = LOCK_CHOICES,
    /** Non-null while the PIN is being changed. */
    val pinStep: PinChangeStep? = null,
    val pinEntered: Int = 0,
    val minDigits: Int = PinBuffer.MIN_PIN_DIGITS,
    /** Non-null while sign-out is being confirmed: how many changes would be lost. */
    val confirmSignOut: Long? = null,
    val busy: Boolean = false,
    val problem: String? = null,
    val message: String? = null,
) {
    companion object {
        val LOCK_CHOICES = listOf(60, 120, 300)
    }
}

/**
 * Settings: the idle lock timeout, changing the PIN, and signing out, which
 * erases this phone's records after she confirms (and after telling her how
 * many changes have not reached the server yet).
 */
class SettingsState(
    private val session: AppSession,
    private val guard: VaultGuard,
    private val scope: CoroutineScope,
    private val coreVersion: () -> String,
) {
    private val current = PinBuffer()
    private val fresh = PinBuffer()
    private val again = PinBuffer()

    private val _ui = MutableStateFlow(SettingsUi(lockTimeoutSeconds = session.lockTimeoutSeconds()))
    val ui: StateFlow<SettingsUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            when (val r = guard.call { it.identity() }) {
                is Outcome.Done -> _ui.update {
                    it.copy(
                        loading = false,
                        workerName = r.value.displayName,
                        role = Labels.role(r.value.role),
                        organisation = r.value.organisation,
                        coreVersion = runCatching(coreVersion).getOrDefault(""),
                    )
                }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    fun lockTimeout(seconds: Int) {
        if (seconds !in _ui.value.lockChoices) return
        _ui.update { it.copy(lockTimeoutSeconds = seconds, message = null) }
        scope.launch { session.setLockTimeout(seconds) }
    }

    fun startPinChange() {
        wipePins()
        _ui.update { it.copy(pinStep = PinChangeStep.CURRENT, pinEntered = 0, problem = null, message = null) }
    }

    fun cancelPinChange() {
        wipePins()
        _ui.update { it.copy(pinStep = null, pinEntered = 0) }
    }

    fun pinPress(digit: Int) {
        val b = buffer() ?: return
        if (b.add(digit)) _ui.update { it.copy(pinEntered = b.size, problem = null) }
    }

    fun pinDelete() {
        val b = buffer() ?: return
        b.removeLast()
        _ui.update { it.copy(pinEntered = b.size) }
    }

    fun pinContinue() {
        val ui = _ui.value
        if (ui.busy || ui.pinEntered < ui.minDigits) return
        when (ui.pinStep) {
            PinChangeStep.CURRENT -> _ui.update { it.copy(pinStep = PinChangeStep.NEW, pinEntered = 0) }
            PinChangeStep.NEW -> _ui.update { it.copy(pinStep = PinChangeStep.CONFIRM, pinEntered = 0) }
            PinChangeStep.CONFIRM -> changePin()
            null -> Unit
        }
    }

    private fun changePin() {
        if (!fresh.sameAs(again)) {
            fresh.wipe()
            again.wipe()
            _ui.update { it.copy(pinStep = PinChangeStep.NEW, pinEntered = 0, problem = "The two new PINs were different. Choose the new PIN again.") }
            return
        }
        val old = current.copy()
        val new = fresh.copy()
        wipePins()
        _ui.update { it.copy(busy = true, pinEntered = 0) }
        scope.launch {
            val r = guard.call { vault -> vault.changePin(String(old), String(new)) }
            if (r is Outcome.Done) {
                session.forgetPinForBiometrics()
                session.keepPinForBiometrics(new.copyOf())
            }
            old.fill('\u0000')
            new.fill('\u0000')
            when (r) {
                is Outcome.Done -> _ui.update { it.copy(busy = false, pinStep = null, message = "Your PIN has been changed.") }
                is Outcome.Refused -> _ui.update { it.copy(busy = false, pinStep = PinChangeStep.CURRENT, problem = r.words) }
            }
        }
    }

    /** Asks for confirmation, saying how many changes would be lost. */
    fun askSignOut() {
        scope.launch {
            val waiting = when (val r = guard.call { it.pendingChanges() }) {
                is Outcome.Done -> r.value.toLong()
                is Outcome.Refused -> 0L
            }
            _ui.update { it.copy(confirmSignOut = waiting, message = null) }
        }
    }

    fun cancelSignOut() = _ui.update { it.copy(confirmSignOut = null) }

    /** Erases the vault and its keystore secret for good. */
    fun confirmSignOut() {
        if (_ui.value.confirmSignOut == null) return
        _ui.update { it.copy(confirmSignOut = null, busy = true) }
        scope.launch {
            when (val r = guard.call { it.wipe() }) {
                is Outcome.Done -> session.erased(Problems.SIGNED_OUT)
                is Outcome.Refused -> _ui.update { it.copy(busy = false, problem = r.words) }
            }
        }
    }

    private fun buffer(): PinBuffer? = when (_ui.value.pinStep) {
        PinChangeStep.CURRENT -> current
        PinChangeStep.NEW -> fresh
        PinChangeStep.CONFIRM -> again
        null -> null
    }.takeIf { !_ui.value.busy }

    private fun wipePins() {
        current.wipe()
        fresh.wipe()
        again.wipe()
    }
}
