package org.nightround.app.ui.components

import androidx.compose.foundation.gestures.awaitEachGesture
import androidx.compose.foundation.gestures.awaitFirstDown
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.input.pointer.PointerEventPass
import androidx.compose.ui.input.pointer.PointerId
import androidx.compose.ui.input.pointer.pointerInput

/**
 * Quick exit by gesture: a two-finger double tap anywhere. It watches touches
 * on their way down to the screen (the Initial pass) and never consumes
 * them, so every button and list underneath works as usual; two quick
 * two-finger taps in a row are not something a normal tap or scroll makes.
 */
fun Modifier.quickExitGesture(onExit: () -> Unit): Modifier = pointerInput(Unit) {
    var lastTwoFingerTapAt = 0L
    awaitEachGesture {
        val first = awaitFirstDown(requireUnconsumed = false, pass = PointerEventPass.Initial)
        val startedAt = first.uptimeMillis
        val starts = mutableMapOf<PointerId, Offset>(first.id to first.position)
        var mostFingers = 1
        var moved = false
        var endedAt = startedAt
        do {
            val event = awaitPointerEvent(PointerEventPass.Initial)
            for (change in event.changes) {
                if (change.pressed && change.id !in starts) starts[change.id] = change.position
                val start = starts[change.id]
                if (start != null && (change.position - start).getDistance() > viewConfiguration.touchSlop) moved = true
                endedAt = maxOf(endedAt, change.uptimeMillis)
            }
            mostFingers = maxOf(mostFingers, event.changes.count { it.pressed })
        } while (event.changes.any { it.pressed })

        val twoFingerTap = mostFingers == 2 && !moved && endedAt - startedAt < viewConfiguration.longPressTimeoutMillis
        if (!twoFingerTap) {
            lastTwoFingerTapAt = 0L
        } else if (lastTwoFingerTapAt != 0L && startedAt - lastTwoFingerTapAt < DOUBLE_TAP_WINDOW_MILLIS) {
            lastTwoFingerTapAt = 0L
            onExit()
        } else {
            lastTwoFingerTapAt = endedAt
        }
    }
}

private const val DOUBLE_TAP_WINDOW_MILLIS = 500L
