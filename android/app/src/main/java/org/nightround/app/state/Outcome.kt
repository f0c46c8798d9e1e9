package org.nightround.app.state

import uniffi.nightround_core.ValidationError

/**
 * The result of one vault call as a screen sees it: the value, or plain words
 * saying why not (and, for a refused form, which rule it broke so the screen
 * can point at the field).
 */
sealed interface Outcome<out T> {
    data class Done<out T>(val value: T) : Outcome<T>

    data class Refused(val words: String, val reason: ValidationError? = null) : Outcome<Nothing>
}
