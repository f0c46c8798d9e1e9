package org.nightround.app.state

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import uniffi.nightround_ffi.NightroundException
import uniffi.nightround_ffi.NightroundVault

/**
 * Runs vault calls off the main thread and turns every failure into plain
 * words, passing the app-wide ones (locked, erased, lease expired) to the
 * session. Every state holder goes through here, so no screen can forget to
 * show the PIN screen when the core locks itself.
 */
class VaultGuard(
    private val session: AppSession,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    suspend fun <T> call(block: (NightroundVault) -> T): Outcome<T> {
        val vault = session.vaultOrNull() ?: return Outcome.Refused(Problems.NO_VAULT_OPEN)
        return try {
            Outcome.Done(withContext(io) { block(vault) })
        } catch (e: CancellationException) {
            throw e
        } catch (e: NightroundException) {
            session.onVaultProblem(e)
            Outcome.Refused(Problems.words(e), (e as? NightroundException.Invalid)?.reason)
        } catch (_: uniffi.nightround_ffi.InternalException) {
            Outcome.Refused(Problems.INTERNAL)
        } catch (_: uniffi.nightround_core.InternalException) {
            Outcome.Refused(Problems.INTERNAL)
        } catch (_: IllegalStateException) {
            // uniffi: "object has already been destroyed" after a wipe or revocation.
            Outcome.Refused(Problems.GONE)
        }
    }
}
