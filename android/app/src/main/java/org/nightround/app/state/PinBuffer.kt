package org.nightround.app.state

/**
 * The digits typed on a PIN pad, held in a char array that is wiped after
 * use. Screens only ever see how many digits there are.
 */
class PinBuffer(private val maxDigits: Int = MAX_PIN_DIGITS) {
    private var chars = CharArray(maxDigits)
    private var length = 0

    val size: Int get() = length

    fun add(digit: Int): Boolean {
        if (digit !in 0..9 || length >= maxDigits) return false
        chars[length++] = '0' + digit
        return true
    }

    fun removeLast() {
        if (length > 0) chars[--length] = '\u0000'
    }

    /** A copy of the digits; the caller wipes it with [CharArray.fill]. */
    fun copy(): CharArray = chars.copyOf(length)

    fun sameAs(other: PinBuffer): Boolean = length == other.length && (0 until length).all { chars[it] == other.chars[it] }

    fun wipe() {
        chars.fill('\u0000')
        length = 0
    }

    companion object {
        /** The core's shortest PIN (core/src/domain/validation.rs, MIN_PIN_DIGITS). */
        const val MIN_PIN_DIGITS = 6
        const val MAX_PIN_DIGITS = 12
    }
}
