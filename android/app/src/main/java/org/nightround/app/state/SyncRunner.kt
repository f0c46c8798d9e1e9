package org.nightround.app.state

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import uniffi.nightround_core.SyncReport
import uniffi.nightround_ffi.NightroundException

/**
 * The one way the app syncs, shared by the "sync now" button and the
 * background worker: one sync at a time, off the main thread, and a revoked
 * phone goes straight to the enrol screen.
 */
class SyncRunner(
    private val session: AppSession,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val mutex = Mutex()

    /** How a sync attempt ended, in terms a worker or a screen can act on. */
    sealed interface Result {
        data class Synced(val sent: Long, val alreadyThere: Long, val heldBack: Long, val received: Long, val waiting: Long) : Result

        /** Nothing to do until she unlocks or enrols; not worth retrying. */
        data class NotNow(val words: String) : Result

        /** No signal or the server is down: retry later, everything is kept. */
        data class Offline(val words: String) : Result

        /** The server or the phone refused; retrying later may help. */
        data class Refused(val words: String) : Result

        /** Access was withdrawn and the vault erased. */
        data class Erased(val words: String) : Result
    }

    /**
     * Syncs, and again while changes arrived during the run (a contact saved
     * while the last batch was in flight), at most [maxPasses] times.
     */
    suspend fun syncUntilQuiet(maxPasses: Int = 3): Result = mutex.withLock {
        val vault = session.vaultOrNull() ?: return@withLock Result.NotNow(Problems.NO_VAULT_OPEN)
        var total = Result.Synced(0, 0, 0, 0, 0)
        try {
            repeat(maxPasses) {
                // isLocked() first: it applies the idle timeout, so a background
                // sync never keeps an idle session alive. A locked vault still
                // sends its outbox (by the copies sealed to the server); what
                // others sent waits for the next unlocked sync.
                withContext(io) { vault.isLocked() }
                val report: SyncReport = withContext(io) { vault.sync() }
                total = total.plus(report)
                if (report.pending == 0uL || report.pushed == 0uL) return@withLock total
            }
            total
        } catch (e: CancellationException) {
            throw e
        } catch (e: NightroundException) {
            when (e) {
                is NightroundException.Revoked -> {
                    session.erased(Problems.REVOKED)
                    Result.Erased(Problems.REVOKED)
                }
                is NightroundException.Shredded -> {
                    session.onVaultProblem(e)
                    Result.Erased(Problems.words(e))
                }
                is NightroundException.Locked -> {
                    session.onVaultProblem(e)
                    Result.NotNow("Unlock the app to sync.")
                }
                is NightroundException.NotEnrolled, is NightroundException.NoVault -> Result.NotNow(Problems.words(e))
                is NightroundException.Offline -> Result.Offline(Problems.words(e))
                else -> Result.Refused(Problems.words(e))
            }
        } catch (_: IllegalStateException) {
            Result.NotNow(Problems.GONE)
        } catch (_: Exception) {
            Result.Refused(Problems.INTERNAL)
        }
    }

    private fun Result.Synced.plus(r: SyncReport) = Result.Synced(
        sent = sent + r.pushed.toLong(),
        alreadyThere = alreadyThere + r.duplicates.toLong(),
        heldBack = heldBack + r.rejected.toLong(),
        received = received + r.pulled.toLong(),
        waiting = r.pending.toLong(),
    )
}
