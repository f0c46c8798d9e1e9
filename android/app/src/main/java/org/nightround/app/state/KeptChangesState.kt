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
import uniffi.nightround_ffi.deliverUndelivered

/** The changes a wipe for wrong PINs kept for the server, as the enrol screen says. */
data class KeptChangesUi(
    val sending: Boolean = false,
    /** How many the server took on the last try; null before any. */
    val delivered: Long? = null,
    /** Why the last try failed (no signal, …): they are still kept, try again. */
    val problem: String? = null,
) {
    val words: String?
        get() = when {
            sending -> "Sending the changes this phone had not sent yet…"
            problem != null -> problem
            delivered != null && delivered > 0 ->
                "${Labels.plural(delivered.toInt(), "change")} this phone had not sent reached the server."
            else -> null
        }
    val canRetry: Boolean get() = !sending && problem != null
}

/**
 * After the records were erased for too many wrong PINs, the changes that
 * had not reached the server survive only as copies sealed to the server's
 * key beside the vault file (ADR 0003). Before she enrols again, this sends
 * them ([deliverUndelivered]); the server takes them and closes the old
 * phone. Nothing to send is not news: the screen says nothing then.
 */
class KeptChangesState(
    private val home: VaultHome,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _ui = MutableStateFlow(KeptChangesUi())
    val ui: StateFlow<KeptChangesUi> = _ui.asStateFlow()

    fun send() {
        if (_ui.value.sending) return
        _ui.update { it.copy(sending = true, problem = null) }
        scope.launch {
            try {
                val n = withContext(io) { deliverUndelivered(home.vaultPath) }
                _ui.update { it.copy(sending = false, delivered = n.toLong(), problem = null) }
            } catch (e: CancellationException) {
                throw e
            } catch (e: NightroundException) {
                val why = when (e) {
                    is NightroundException.Offline ->
                        "Changes this phone had not sent are kept, sealed for the server, and go when there is signal (${e.detail})."
                    is NightroundException.Cancelled ->
                        "Changes this phone had not sent are kept, sealed for the server, and go when there is signal."
                    else -> Problems.words(e)
                }
                _ui.update { it.copy(sending = false, problem = why) }
            } catch (_: Exception) {
                _ui.update { it.copy(sending = false, problem = Problems.INTERNAL) }
            }
        }
    }
}
