package org.nightround.app

import android.content.Intent
import android.graphics.Color
import android.os.Build
import android.os.Bundle
import android.view.WindowManager
import androidx.activity.SystemBarStyle
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.fragment.app.FragmentActivity
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.lifecycleScope
import androidx.lifecycle.repeatOnLifecycle
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import org.nightround.app.lifecycle.QuickExit
import org.nightround.app.platform.Dialer
import org.nightround.app.security.BiometricUnlockPrompt
import org.nightround.app.state.Screen
import org.nightround.app.sync.RoundNotifications
import org.nightround.app.ui.AppActions
import org.nightround.app.ui.AppRoot
import org.nightround.app.ui.components.IncognitoKeyboard
import org.nightround.app.ui.theme.NightroundTheme

/**
 * The one window. It is FLAG_SECURE before anything is drawn (no screenshots,
 * no screen recording, a blank card in the app switcher); the Compose dialogs
 * set the same flag on their own windows (SecureFlagPolicy.SecureOn).
 *
 * It is a FragmentActivity only because BiometricPrompt needs one.
 */
class MainActivity : FragmentActivity() {
    private val graph: AppGraph get() = (application as NightroundApp).graph

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) setRecentsScreenshotEnabled(false)
        enableEdgeToEdge(
            statusBarStyle = SystemBarStyle.dark(Color.TRANSPARENT),
            navigationBarStyle = SystemBarStyle.dark(Color.TRANSPARENT),
        )

        openFrom(intent)

        val biometric = BiometricUnlockPrompt(this, graph.pinKeeper)
        val actions = AppActions(
            quickExit = { QuickExit.leave(this, graph.session) },
            biometricUnlock = { onPin, onProblem -> biometric.show(onPin, onProblem) },
            dial = { number -> Dialer.dial(this, number) },
        )
        setContent {
            NightroundTheme {
                IncognitoKeyboard {
                    AppRoot(graph = graph, actions = actions)
                }
            }
        }

        // The core locks itself after the idle timeout, but only notices on the
        // next call; this makes the PIN screen appear on time even if she
        // leaves the phone on a screen that makes no calls.
        lifecycleScope.launch {
            repeatOnLifecycle(Lifecycle.State.RESUMED) {
                while (true) {
                    graph.session.checkIdle()
                    delay(IDLE_CHECK_MILLIS)
                }
            }
        }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        openFrom(intent)
    }

    /**
     * A notification's tap names a screen (only a name: never a record). It
     * opens after the PIN, since the vault is locked while the app is away.
     */
    private fun openFrom(intent: Intent?) {
        when (intent?.getStringExtra(RoundNotifications.EXTRA_OPEN)) {
            RoundNotifications.OPEN_ROUND -> graph.openNext.value = Screen.Round
            RoundNotifications.OPEN_ALERTS -> graph.openNext.value = Screen.Alerts
        }
        intent?.removeExtra(RoundNotifications.EXTRA_OPEN)
    }

    /** Any touch or key press counts as activity for the idle lock. */
    override fun onUserInteraction() {
        super.onUserInteraction()
        graph.session.noteInteraction()
    }

    private companion object {
        const val IDLE_CHECK_MILLIS = 5_000L
    }
}
