package org.nightround.app.ui.theme

import androidx.compose.ui.unit.dp

/** Sizes for gloved, cold or shaking hands in the dark. */
object Dimens {
    /** The smallest touch target anywhere in the app. */
    val Touch = 56.dp

    /** Primary actions and PIN keys. */
    val BigTouch = 72.dp

    val Gap = 12.dp
    val Edge = 16.dp
}
