package org.nightround.app.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch

/** Someone the worker can pick by the name she gives. */
data class PersonOption(val id: String, val alias: String, val hint: String?)

/**
 * Type-ahead over the people on this phone: waits for a pause in typing, then
 * asks the core (aliases are sealed, so the core opens each profile). Only the
 * latest search reports back.
 */
class PeopleSearch(
    private val guard: VaultGuard,
    private val scope: CoroutineScope,
    private val onResult: (List<PersonOption>) -> Unit,
) {
    private var job: Job? = null

    fun search(text: String) {
        job?.cancel()
        val prefix = text.trim()
        if (prefix.isEmpty()) {
            onResult(emptyList())
            return
        }
        job = scope.launch {
            delay(PAUSE_MILLIS)
            val found = guard.call { vault -> vault.findPeople(prefix) }
            onResult(
                when (found) {
                    is Outcome.Done -> found.value.take(MAX_SUGGESTIONS).map { PersonOption(it.id, it.alias, it.description) }
                    is Outcome.Refused -> emptyList()
                },
            )
        }
    }

    companion object {
        const val PAUSE_MILLIS = 150L
        const val MAX_SUGGESTIONS = 6
    }
}
