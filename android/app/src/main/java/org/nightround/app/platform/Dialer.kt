package org.nightround.app.platform

import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.net.Uri

/**
 * Opens the phone's dialler with an agency's number filled in. ACTION_DIAL
 * needs no permission and never places the call itself: she presses call.
 */
object Dialer {
    fun dial(context: Context, number: String): Boolean = try {
        context.startActivity(Intent(Intent.ACTION_DIAL, Uri.fromParts("tel", number, null)))
        true
    } catch (_: ActivityNotFoundException) {
        false
    }
}
