package org.nightround.app.ui.components

import android.view.inputmethod.EditorInfo
import android.view.inputmethod.InputConnection
import androidx.compose.runtime.Composable
import androidx.compose.ui.platform.InterceptPlatformTextInput
import androidx.compose.ui.platform.PlatformTextInputMethodRequest

/**
 * Asks every keyboard opened inside [content] not to learn what is typed
 * (EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING, the "incognito" flag), so a
 * name or a note never resurfaces as a suggestion in another app, or syncs to
 * a keyboard's cloud dictionary. Compose's KeyboardOptions has no switch for
 * this flag, so the root intercepts each text input session and adds it;
 * every field, including ones added later, is covered.
 *
 * It is a request: Gboard and SwiftKey honour it, a third-party keyboard may
 * not. Fields also turn autocorrect off (see [PlainField]).
 */
@Composable
fun IncognitoKeyboard(content: @Composable () -> Unit) {
    InterceptPlatformTextInput(
        interceptor = { request, nextHandler ->
            // Delegation keeps any members a newer Compose adds to the request.
            val incognito = object : PlatformTextInputMethodRequest by request {
                override fun createInputConnection(outAttributes: EditorInfo): InputConnection {
                    val connection = request.createInputConnection(outAttributes)
                    outAttributes.imeOptions = outAttributes.imeOptions or EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING
                    return connection
                }
            }
            nextHandler.startInputMethod(incognito)
        },
        content = content,
    )
}
