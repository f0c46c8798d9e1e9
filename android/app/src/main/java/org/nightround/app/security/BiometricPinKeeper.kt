package org.nightround.app.security

import android.content.Context
import android.os.Build
import android.os.SystemClock
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import androidx.biometric.BiometricManager
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import java.security.GeneralSecurityException
import java.security.KeyFactory
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.PublicKey
import java.security.spec.MGF1ParameterSpec
import java.security.spec.X509EncodedKeySpec
import javax.crypto.Cipher
import javax.crypto.spec.OAEPParameterSpec
import javax.crypto.spec.PSource
import org.nightround.app.state.SessionPinKeeper

/**
 * Biometric re-unlock within one session, as a convenience only.
 *
 * Why this shape: the vault's data key is wrapped by a key derived from her
 * PIN *and* the keystore secret (ADR 0002); a fingerprint cannot stand in
 * for the PIN in that derivation, and storing a PIN-equivalent on disk would
 * make the fingerprint the only factor. So a biometric never replaces the
 * PIN's key material. Instead, after she types her PIN, the PIN is sealed
 * with the public half of a Keystore RSA key whose private half can only be
 * used straight after a strong (class 3) biometric, and the ciphertext is
 * kept in this object's memory only. A successful prompt releases the PIN
 * and the app unlocks the vault with it, exactly as if she had typed it.
 *
 * It ends, and only the typed PIN works again, when: the process dies (the
 * ciphertext was never written), she uses quick exit or signs out, the PIN
 * changes, a new fingerprint is enrolled (the key is invalidated), or
 * [SESSION_MILLIS] have passed since she typed it.
 */
class BiometricPinKeeper(private val context: Context) : SessionPinKeeper {
    private class Sealed(val ciphertext: ByteArray, val keptAtMillis: Long)

    @Volatile
    private var sealed: Sealed? = null

    override fun canOffer(): Boolean {
        val s = sealed ?: return false
        if (SystemClock.elapsedRealtime() - s.keptAtMillis > SESSION_MILLIS) {
            forget()
            return false
        }
        return strongBiometricReady() && hasKey()
    }

    /** Public-key encryption needs no prompt; called off the main thread (the first key takes a moment). */
    @Synchronized
    override fun keep(pin: CharArray) {
        if (!strongBiometricReady()) {
            forget()
            return
        }
        val bytes = ByteArray(pin.size) { pin[it].code.toByte() } // PIN digits are ASCII
        try {
            val cipher = Cipher.getInstance(RSA_OAEP)
            cipher.init(Cipher.ENCRYPT_MODE, publicKey(), OAEP)
            sealed = Sealed(cipher.doFinal(bytes), SystemClock.elapsedRealtime())
        } catch (_: GeneralSecurityException) {
            forget()
        } catch (_: java.security.ProviderException) {
            forget()
        } finally {
            bytes.fill(0)
        }
    }

    @Synchronized
    override fun forget() {
        sealed?.ciphertext?.fill(0)
        sealed = null
        runCatching { keyStore().deleteEntry(ALIAS) }
    }

    /** A cipher for the prompt's CryptoObject; null when there is nothing to unlock with. */
    fun decryptCipher(): Cipher? {
        if (sealed == null) return null
        return try {
            val key = keyStore().getKey(ALIAS, null) as? PrivateKey ?: return null
            Cipher.getInstance(RSA_OAEP).apply { init(Cipher.DECRYPT_MODE, key, OAEP) }
        } catch (_: KeyPermanentlyInvalidatedException) {
            forget() // a fingerprint was added or removed since
            null
        } catch (_: GeneralSecurityException) {
            null
        }
    }

    /** After a successful prompt: this session's PIN, which the caller wipes. */
    fun open(authenticated: Cipher): CharArray? {
        val s = sealed ?: return null
        return try {
            val bytes = authenticated.doFinal(s.ciphertext)
            CharArray(bytes.size) { bytes[it].toInt().toChar() }.also { bytes.fill(0) }
        } catch (_: GeneralSecurityException) {
            null
        }
    }

    private fun strongBiometricReady(): Boolean =
        BiometricManager.from(context).canAuthenticate(BIOMETRIC_STRONG) == BiometricManager.BIOMETRIC_SUCCESS

    private fun hasKey(): Boolean = runCatching { keyStore().containsAlias(ALIAS) }.getOrDefault(false)

    /**
     * The public key, made on first use. It is copied out of the Keystore
     * provider so encryption runs in software without any authentication.
     */
    private fun publicKey(): PublicKey {
        val ks = keyStore()
        val existing = ks.getCertificate(ALIAS)?.publicKey ?: generateKeyPair()
        return KeyFactory.getInstance(existing.algorithm).generatePublic(X509EncodedKeySpec(existing.encoded))
    }

    private fun generateKeyPair(): PublicKey {
        val builder = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_DECRYPT or KeyProperties.PURPOSE_ENCRYPT)
            .setKeySize(2048)
            .setDigests(KeyProperties.DIGEST_SHA256)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_RSA_OAEP)
            .setUserAuthenticationRequired(true)
            .setInvalidatedByBiometricEnrollment(true)
            .setUnlockedDeviceRequired(true)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            builder.setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG) // every use, biometric only
        } else {
            @Suppress("DEPRECATION")
            builder.setUserAuthenticationValidityDurationSeconds(-1)
        }
        val generator = KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_RSA, ANDROID_KEYSTORE)
        generator.initialize(builder.build())
        return generator.generateKeyPair().public
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

    companion object {
        /** A night's round at most. */
        const val SESSION_MILLIS = 12L * 60 * 60 * 1000

        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val ALIAS = "nightround.session-pin"
        private const val RSA_OAEP = "RSA/ECB/OAEPWithSHA-256AndMGF1Padding"

        // The Keystore only supports MGF1 with SHA-1 for OAEP; spell it out on both sides.
        private val OAEP = OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT)
    }
}
