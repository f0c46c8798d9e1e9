package org.nightround.app.ui

import androidx.compose.runtime.Stable

/**
 * What the screens can ask of the Activity: the things that need an Android
 * window or another app (leaving, the biometric prompt, the dialler).
 */
@Stable
class AppActions(
    val quickExit: () -> Unit,
    val biometricUnlock: (onPin: (CharArray) -> Unit, onProblem: (String) -> Unit) -> Unit,
    val dial: (number: String) -> Boolean,
)
