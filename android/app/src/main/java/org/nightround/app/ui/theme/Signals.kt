package org.nightround.app.ui.theme

import androidx.compose.ui.graphics.Color
import uniffi.nightround_core.Severity
import uniffi.nightround_core.Urgency

/** Red, amber and green, dimmed for the dark; always shown with their words too. */
object Signals {
    val Red = Color(0xFFC9706B)
    val Amber = Color(0xFFD1A45A)
    val Green = Color(0xFF79A77F)

    fun urgency(u: Urgency): Color = when (u) {
        Urgency.RED -> Red
        Urgency.AMBER -> Amber
        Urgency.GREEN -> Green
    }

    fun severity(s: Severity): Color = when (s) {
        Severity.HIGH -> Red
        Severity.MEDIUM -> Amber
        Severity.LOW -> Green
    }
}
