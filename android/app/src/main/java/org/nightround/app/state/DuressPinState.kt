package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** Setting the duress PIN: typed, then typed again. */
enum class DuressStep { CHOOSE, CONFIRM }

/** The duress PIN part of settings. */
data class DuressPinUi(
    val loading: Boolean = true,
    val isSet: Boolean = false,
    /** Non-null while a duress PIN is being chosen. */
    val step: DuressStep? = null,
    val pinEntered: Int = 0,
    val minDigits: Int = PinBuffer.MIN_PIN_DIGITS,
    val maxDigits: Int = PinBuffer.MAX_PIN_DIGITS,
    /** She asked to remove it and is being asked to confirm. */
    val confirmClear: Boolean = false,
    val busy: Boolean = false,
    val problem: String? = null,
    val message: String? = null,
) {
    val canContinue: Boolean get() = !busy && step != null && pinEntered >= minDigits
}

/**
 * The duress PIN (ADR 0003): typed at the PIN screen instead of her PIN, it
 * opens an empty, working app and erases the records, and the next sync
 * tells her supervisor quietly. The core decides what a duress PIN may be
 * (digits, long enough, not her PIN); this holds the two typings and says
 * what happened.
 */
class DuressPinState(
    private val guard: VaultGuard,
    private val scope: CoroutineScope,
) {
    private val first = PinBuffer()
    private val second = PinBuffer()

    private val _ui = MutableStateFlow(DuressPinUi())
    val ui: StateFlow<DuressPinUi> = _ui.asStateFlow()

    fun load() {
        scope.launch {
            when (val r = guard.call { it.hasDuressPin() }) {
                is Outcome.Done -> _ui.update { it.copy(loading = false, isSet = r.value) }
                is Outcome.Refused -> _ui.update { it.copy(loading = false, problem = r.words) }
            }
        }
    }

    /** Set a duress PIN, or replace the one set. */
    fun start() {
        wipe()
        _ui.update { it.copy(step = DuressStep.CHOOSE, pinEntered = 0, problem = null, message = null) }
    }

    fun cancel() {
        wipe()
        _ui.update { it.copy(step = null, pinEntered = 0) }
    }

    fun press(digit: Int) {
        val b = buffer() ?: return
        if (b.add(digit)) _ui.update { it.copy(pinEntered = b.size, problem = null) }
    }

    fun delete() {
        val b = buffer() ?: return
        b.removeLast()
        _ui.update { it.copy(pinEntered = b.size) }
    }

    fun continuePin() {
        if (!_ui.value.canContinue) return
        when (_ui.value.step) {
            DuressStep.CHOOSE -> _ui.update { it.copy(step = DuressStep.CONFIRM, pinEntered = 0) }
            DuressStep.CONFIRM -> save()
            null -> Unit
        }
    }

    private fun save() {
        if (!first.sameAs(second)) {
            wipe()
            _ui.update {
                it.copy(step = DuressStep.CHOOSE, pinEntered = 0, problem = "The two duress PINs were different. Choose it again.")
            }
            return
        }
        val pin = first.copy()
        wipe()
        _ui.update { it.copy(busy = true, pinEntered = 0) }
        scope.launch {
            val r = guard.call { it.setDuressPin(String(pin)) }
            pin.fill('\u0000')
            when (r) {
                is Outcome.Done -> _ui.update {
                    it.copy(busy = false, step = null, isSet = true, message = SET)
                }
                is Outcome.Refused -> _ui.update { it.copy(busy = false, step = DuressStep.CHOOSE, problem = r.words) }
            }
        }
    }

    fun askClear() = _ui.update { if (it.isSet) it.copy(confirmClear = true, message = null) else it }

    fun cancelClear() = _ui.update { it.copy(confirmClear = false) }

    fun confirmClear() {
        if (!_ui.value.confirmClear) return
        _ui.update { it.copy(confirmClear = false, busy = true) }
        scope.launch {
            when (val r = guard.call { it.clearDuressPin() }) {
                is Outcome.Done -> _ui.update { it.copy(busy = false, isSet = false, message = CLEARED) }
                is Outcome.Refused -> _ui.update { it.copy(busy = false, problem = r.words) }
            }
        }
    }

    private fun buffer(): PinBuffer? = when (_ui.value.step) {
        DuressStep.CHOOSE -> first
        DuressStep.CONFIRM -> second
        null -> null
    }.takeIf { !_ui.value.busy }

    private fun wipe() {
        first.wipe()
        second.wipe()
    }

    companion object {
        const val SET =
            "Duress PIN set. Typed at the PIN screen, it opens an empty app, erases the records on this phone and tells your supervisor quietly."
        const val CLEARED = "Duress PIN removed."
    }
}
