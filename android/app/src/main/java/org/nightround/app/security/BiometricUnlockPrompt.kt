package org.nightround.app.security

import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricPrompt
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity

/**
 * Shows the system biometric prompt bound to [BiometricPinKeeper]'s key and
 * hands the released PIN to the unlock screen. The prompt's own wording is
 * discreet: it says "Unlock", never what the app holds.
 */
class BiometricUnlockPrompt(
    private val activity: FragmentActivity,
    private val keeper: BiometricPinKeeper,
) {
    fun show(onPin: (CharArray) -> Unit, onProblem: (String) -> Unit) {
        val cipher = keeper.decryptCipher()
        if (cipher == null) {
            onProblem("Enter your PIN.")
            return
        }
        val callback = object : BiometricPrompt.AuthenticationCallback() {
            override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) {
                val authenticated = result.cryptoObject?.cipher
                val pin = authenticated?.let(keeper::open)
                if (pin == null) onProblem("Enter your PIN.") else onPin(pin)
            }

            override fun onAuthenticationError(errorCode: Int, errString: CharSequence) {
                val cancelled = errorCode == BiometricPrompt.ERROR_USER_CANCELED ||
                    errorCode == BiometricPrompt.ERROR_NEGATIVE_BUTTON ||
                    errorCode == BiometricPrompt.ERROR_CANCELED
                if (!cancelled) onProblem("$errString. Enter your PIN.")
            }
        }
        val prompt = BiometricPrompt(activity, ContextCompat.getMainExecutor(activity), callback)
        val info = BiometricPrompt.PromptInfo.Builder()
            .setTitle("Unlock")
            .setSubtitle("After a quick exit or a restart, your PIN is needed.")
            .setNegativeButtonText("Use PIN")
            .setAllowedAuthenticators(BIOMETRIC_STRONG)
            .setConfirmationRequired(false)
            .build()
        prompt.authenticate(info, BiometricPrompt.CryptoObject(cipher))
    }
}
