package org.nightround.app.net

import android.content.Context

/**
 * Lets the core's HTTPS client check certificates with Android's trust store.
 *
 * The core syncs with reqwest + rustls, which on Android verifies server
 * certificates through rustls-platform-verifier; that crate calls back into
 * the JVM (its Kotlin half is the org.rustls:rustls-platform-verifier
 * dependency) and must be given the application context once, before the
 * first connection. Without it, every HTTPS connection without a pinned
 * certificate fails inside the core.
 *
 * The JNI entry point lives in libnightround_ffi.so (see android/README.md,
 * "TLS on Android"); until the library exports it, [ready] stays false and
 * the app tells the person enrolling that sync will not work on this build.
 */
object NativeTls {
    @Volatile
    var ready: Boolean = false
        private set

    fun init(context: Context) {
        ready = try {
            System.loadLibrary("nightround_ffi")
            nativeInit(context.applicationContext)
            true
        } catch (_: UnsatisfiedLinkError) {
            false
        }
    }

    @JvmStatic
    private external fun nativeInit(context: Context)
}
