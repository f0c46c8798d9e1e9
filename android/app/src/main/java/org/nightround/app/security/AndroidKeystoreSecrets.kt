package org.nightround.app.security

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.security.keystore.UserNotAuthenticatedException
import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.nio.ByteBuffer
import java.security.GeneralSecurityException
import java.security.KeyStore
import java.security.MessageDigest
import java.security.SecureRandom
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import uniffi.nightround_ffi.KeyStoreFailure
import uniffi.nightround_ffi.PlatformKeyStore

/**
 * The core's keystore half (ADR 0002) on the Android Keystore.
 *
 * Each secret the core asks for is 32 random bytes from [SecureRandom],
 * sealed with AES-256-GCM by a non-exportable Keystore key made for that
 * secret alone, and stored only as ciphertext in no-backup app storage.
 * Copying the vault file and this directory off the phone is therefore
 * useless: the key that opens them never leaves the secure hardware.
 *
 * The Keystore key needs no user authentication (the PIN is the vault's
 * user factor, and a sync may need the key without a prompt) but does need
 * the phone to be unlocked ([KeyGenParameterSpec.Builder.setUnlockedDeviceRequired]),
 * and lives in StrongBox where the phone has one.
 */
class AndroidKeystoreSecrets(
    private val directory: File,
    private val strongBoxAvailable: Boolean,
) : PlatformKeyStore {
    private val random = SecureRandom()

    @Synchronized
    override fun createSecret(name: String): ByteArray {
        val secret = ByteArray(SECRET_BYTES).also(random::nextBytes)
        try {
            val alias = alias(name)
            val key = newWrappingKey(alias)
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, key) // the Keystore picks a fresh random IV
            cipher.updateAAD(associatedData(name))
            val sealed = cipher.doFinal(secret)
            writeAtomically(sealedFile(name), encode(cipher.iv, sealed))
            return secret
        } catch (e: GeneralSecurityException) {
            secret.fill(0)
            throw unavailable("The phone's key store could not make a new key", e)
        } catch (e: IOException) {
            secret.fill(0)
            throw unavailable("The phone could not store the sealed key", e)
        } catch (e: java.security.ProviderException) {
            secret.fill(0)
            throw unavailable("The phone's key store could not make a new key", e)
        }
    }

    @Synchronized
    override fun loadSecret(name: String): ByteArray? {
        val file = sealedFile(name)
        if (!file.exists()) return null
        return try {
            // No key, no secret: the core reports "this vault's key is no longer in the key store".
            val key = keyStore().getKey(alias(name), null) as? SecretKey ?: return null
            val (iv, sealed) = decode(file.readBytes())
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, key, GCMParameterSpec(TAG_BITS, iv))
            cipher.updateAAD(associatedData(name))
            cipher.doFinal(sealed)
        } catch (e: UserNotAuthenticatedException) {
            throw unavailable("The phone is locked. Unlock the phone and try again", e)
        } catch (e: AEADBadTagException) {
            throw unavailable("The sealed key on this phone is damaged", e)
        } catch (e: GeneralSecurityException) {
            throw unavailable("The phone's key store could not open the key", e)
        } catch (e: IOException) {
            throw unavailable("The phone could not read the sealed key", e)
        } catch (e: IllegalArgumentException) {
            throw unavailable("The sealed key on this phone is damaged", e)
        }
    }

    @Synchronized
    override fun deleteSecret(name: String) {
        try {
            val file = sealedFile(name)
            if (file.exists()) {
                // Flash storage may keep old blocks; deleting the Keystore key
                // below is what makes the ciphertext useless for good.
                runCatching { file.writeBytes(ByteArray(file.length().toInt())) }
                if (!file.delete() && file.exists()) throw IOException("could not delete ${file.name}")
            }
            val ks = keyStore()
            val alias = alias(name)
            if (ks.containsAlias(alias)) ks.deleteEntry(alias)
        } catch (e: GeneralSecurityException) {
            throw unavailable("The phone's key store could not delete the key", e)
        } catch (e: IOException) {
            throw unavailable("The phone could not delete the sealed key", e)
        }
    }

    private fun newWrappingKey(alias: String): SecretKey {
        val ks = keyStore()
        if (ks.containsAlias(alias)) ks.deleteEntry(alias) // "replacing any"
        if (strongBoxAvailable) {
            try {
                return generate(alias, strongBox = true)
            } catch (_: StrongBoxUnavailableException) {
                // Advertised but busy or unable: fall back to the TEE.
            }
        }
        return generate(alias, strongBox = false)
    }

    private fun generate(alias: String, strongBox: Boolean): SecretKey {
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setKeySize(KEY_BITS)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setRandomizedEncryptionRequired(true)
            .setUserAuthenticationRequired(false)
            .setUnlockedDeviceRequired(true)
            .setIsStrongBoxBacked(strongBox)
            .build()
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(spec)
        return generator.generateKey()
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

    /** One alias per secret (per vault and per PIN change), derived from the core's name. */
    private fun alias(name: String): String = "nightround.vault.${digest(name)}"

    private fun sealedFile(name: String): File = File(directory, "${digest(name)}.sealed")

    /** Binds each ciphertext to its name, so sealed files cannot be swapped. */
    private fun associatedData(name: String): ByteArray = "nightround.keystore.v1:$name".toByteArray(Charsets.UTF_8)

    private fun digest(name: String): String =
        MessageDigest.getInstance("SHA-256").digest(name.toByteArray(Charsets.UTF_8))
            .take(16).joinToString("") { "%02x".format(it) }

    private fun encode(iv: ByteArray, sealed: ByteArray): ByteArray =
        ByteBuffer.allocate(2 + iv.size + sealed.size).put(FORMAT).put(iv.size.toByte()).put(iv).put(sealed).array()

    private fun decode(bytes: ByteArray): Pair<ByteArray, ByteArray> {
        require(bytes.size > 2 && bytes[0] == FORMAT) { "unknown sealed-key format" }
        val ivLength = bytes[1].toInt()
        require(ivLength in 12..16 && bytes.size > 2 + ivLength) { "truncated sealed key" }
        return bytes.copyOfRange(2, 2 + ivLength) to bytes.copyOfRange(2 + ivLength, bytes.size)
    }

    private fun writeAtomically(target: File, bytes: ByteArray) {
        directory.mkdirs()
        val tmp = File(directory, "${target.name}.tmp")
        FileOutputStream(tmp).use { out ->
            out.write(bytes)
            out.fd.sync()
        }
        if (!tmp.renameTo(target)) {
            tmp.delete()
            throw IOException("could not move ${target.name} into place")
        }
    }

    /** Plain words for the core (which passes them on to the screen), never key material. */
    private fun unavailable(words: String, cause: Throwable): KeyStoreFailure =
        KeyStoreFailure.Unavailable("$words (${cause.javaClass.simpleName}).")

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val KEY_BITS = 256
        const val TAG_BITS = 128
        const val SECRET_BYTES = 32
        const val FORMAT: Byte = 1
    }
}
