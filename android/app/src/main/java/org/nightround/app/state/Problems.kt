package org.nightround.app.state

import uniffi.nightround_ffi.NightroundException

/**
 * Turns the core's errors into plain, calm words for the person holding the
 * phone. Nothing here blames her or the woman she is talking to, and nothing
 * repeats what was typed (the core's messages never contain record text).
 */
object Problems {
    const val NO_VAULT_OPEN = "The records are not open. Enter your PIN."
    const val GONE = "The records on this phone are no longer there."
    const val INTERNAL = "Something went wrong inside the app. Nothing was changed."
    const val REVOKED =
        "Access for this phone was withdrawn, so its records were erased. Ask your supervisor for a new enrolment code."
    const val TOO_MANY_PINS =
        "Too many PINs that didn't match, so the records on this phone were erased. Ask your supervisor for a new enrolment code."
    const val MISSING_CORE = "This copy of the app is incomplete: its core library is missing. Install it again."
    const val SIGNED_OUT = "Signed out. The records on this phone were erased."

    fun words(e: NightroundException): String = when (e) {
        is NightroundException.Locked -> "The app locked itself to keep the records safe. Enter your PIN to carry on."
        is NightroundException.WrongPin -> wrongPin(e.attemptsLeft.toInt())
        is NightroundException.TooSoon ->
            "Unlocking was interrupted several times. Try again in ${e.waitSeconds} seconds. Nothing has been erased."
        is NightroundException.Shredded -> "The records on this phone have been erased."
        is NightroundException.Invalid -> sentence(e.detail)
        is NightroundException.Damaged ->
            "The records file on this phone is damaged and can't be opened. Ask your supervisor to enrol this phone again."
        is NightroundException.SchemaTooNew ->
            "These records were written by a newer version of Nightround. Update the app to open them."
        is NightroundException.NotFound -> "That record isn't on this phone any more."
        is NightroundException.KeyStore ->
            "The phone's secure key store didn't answer (${e.detail}). Unlock the phone and try again."
        is NightroundException.DiskFull -> "The phone's storage is full, so nothing was saved. Free some space and try again."
        is NightroundException.Storage -> "The phone couldn't write the records (${e.detail}). Try again."
        is NightroundException.AlreadyExists -> "This phone already holds records. Sign out first to enrol again."
        is NightroundException.NoVault -> "There are no records on this phone yet. Enrol to start."
        is NightroundException.LeaseExpired ->
            "This phone hasn't synced for too long. Connect to the internet and sync to carry on."
        is NightroundException.NotEnrolled -> "This phone isn't enrolled with a server yet."
        is NightroundException.Revoked -> REVOKED
        is NightroundException.Offline ->
            "No connection right now. Everything is kept on the phone and will go when there is signal (${e.detail})."
        is NightroundException.ServerRefused -> "The server said: ${sentence(e.detail)}"
        is NightroundException.Cancelled -> "The sync was stopped. Everything is kept on this phone and will go next time."
        is NightroundException.Internal -> INTERNAL
    }

    fun wrongPin(attemptsLeft: Int): String = when {
        attemptsLeft <= 0 -> "That PIN didn't match."
        attemptsLeft == 1 -> "That PIN didn't match. One more try before the records on this phone are erased."
        else -> "That PIN didn't match. $attemptsLeft more tries before the records on this phone are erased."
    }

    /** The core's messages start in lower case so they can be embedded; a screen shows them as a sentence. */
    fun sentence(text: String): String {
        val t = text.trim()
        if (t.isEmpty()) return t
        val first = t.substring(0, 1).uppercase() + t.substring(1)
        return if (first.endsWith(".") || first.endsWith("?") || first.endsWith("!")) first else "$first."
    }
}
