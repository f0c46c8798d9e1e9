package org.nightround.app.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.CoroutineScope

/**
 * Makes a screen's state holder once per [key], with a coroutine scope that
 * ends when the screen leaves. Holders are deliberately not saved across
 * process death or in the instance-state bundle: a restarted app starts
 * locked, and form contents never reach disk.
 */
@Composable
fun <T : Any> rememberHolder(key: Any?, create: (CoroutineScope) -> T): T {
    val scope = rememberCoroutineScope()
    return remember(key) { create(scope) }
}
