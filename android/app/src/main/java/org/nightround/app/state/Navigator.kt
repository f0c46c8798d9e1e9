package org.nightround.app.state

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.nightround_core.Uuid

/** Every screen behind the PIN, with what it needs to open. */
sealed interface Screen {
    data object Tonight : Screen

    data class QuickContact(val personId: Uuid? = null) : Screen

    data class Person(val id: Uuid) : Screen

    /** Her profile's edit form. */
    data class EditPerson(val id: Uuid) : Screen

    /** Supplies without a contact: the drop box topped up, some left with a hostel. */
    data object Restock : Screen

    data class Concern(val reportedBy: Uuid? = null) : Screen

    data class Referral(val personId: Uuid? = null) : Screen

    data object Alerts : Screen

    /** The lone-worker round: start, check in, need help, end. Also opened by the check-in reminder. */
    data object Round : Screen

    data object Directory : Screen

    data object Sync : Screen

    data object Settings : Screen

    /** Setting, changing or removing the duress PIN (from Settings). */
    data object DuressPin : Screen
}

/**
 * The back stack of the unlocked app, as plain data. "Tonight" is always at
 * the bottom so back never leaves the app by accident; a new Navigator is
 * made on each unlock, so nothing of the last session's path survives a lock.
 */
class Navigator {
    private val _stack = MutableStateFlow<List<Screen>>(listOf(Screen.Tonight))
    val stack: StateFlow<List<Screen>> = _stack.asStateFlow()

    val current: Screen get() = _stack.value.last()

    val canGoBack: Boolean get() = _stack.value.size > 1

    fun go(screen: Screen) {
        if (current != screen) _stack.value = _stack.value + screen
    }

    /** Replaces the current screen, e.g. a saved form by the next step. */
    fun replace(screen: Screen) {
        _stack.value = _stack.value.dropLast(1).ifEmpty { listOf(Screen.Tonight) } + screen
    }

    /** Returns false when already at "Tonight". */
    fun back(): Boolean {
        if (!canGoBack) return false
        _stack.value = _stack.value.dropLast(1)
        return true
    }

    fun home() {
        _stack.value = listOf(Screen.Tonight)
    }
}
