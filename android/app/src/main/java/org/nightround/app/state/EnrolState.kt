package org.nightround.app.state

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import uniffi.nightround_core.EnrolmentLink
import uniffi.nightround_ffi.EnrolledDevice
import uniffi.nightround_ffi.NightroundException
import uniffi.nightround_ffi.NightroundVault
import uniffi.nightround_ffi.enrolDevice
import uniffi.nightround_ffi.enrolFromLink
import uniffi.nightround_ffi.parseEnrolmentLink

/** Where enrolment is: the three fields, the PIN twice, or retrying the last save. */
enum class EnrolStep {
    DETAILS,
    CHOOSE_PIN,
    CONFIRM_PIN,

    /** The vault exists but keeping the credentials in it did not finish: retry without a PIN. */
    SAVING,
}

/** The enrolment screen: three fields, then a PIN chosen twice. */
data class EnrolUi(
    val step: EnrolStep = EnrolStep.DETAILS,
    val serverUrl: String = "",
    val code: String = "",
    val deviceName: String = "",
    val workerName: String? = null,
    val organisation: String? = null,
    val pinEntered: Int = 0,
    val minDigits: Int = PinBuffer.MIN_PIN_DIGITS,
    val maxDigits: Int = PinBuffer.MAX_PIN_DIGITS,
    val busy: Boolean = false,
    val problem: String? = null,
    /** Why the last vault went, shown once on the first step. */
    val notice: String? = null,
    /** The camera is open on the supervisor's QR code. */
    val scanning: Boolean = false,
    /** Why the last scan was not used (not our code, no camera): type the code instead. */
    val scanProblem: String? = null,
    /** The fields came from a QR code that also names the server's certificate to pin. */
    val fromQrCode: Boolean = false,
) {
    val canSubmitDetails: Boolean
        get() = !busy && serverUrl.isNotBlank() && code.isNotBlank() && deviceName.isNotBlank()

    val canContinuePin: Boolean get() = !busy && pinEntered >= minDigits
}

/**
 * Enrolment, in the order the core needs it: trade the supervisor's one-time
 * code for this phone's credentials ([enrolDevice]), then create the vault
 * with her PIN, then keep the credentials in it ([NightroundVault.setEnrolment]).
 *
 * The credentials are held in memory between the steps so that a PIN typed
 * differently twice, or a full disk, never spends a second code.
 */
class EnrolState(
    private val session: AppSession,
    private val home: VaultHome,
    private val sync: SyncScheduler,
    private val scope: CoroutineScope,
    defaultDeviceName: String,
    notice: String? = null,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val first = PinBuffer()
    private val second = PinBuffer()
    private var enrolled: EnrolledDevice? = null
    private var link: EnrolmentLink? = null
    private var lastRefusedScan: String? = null
    private var created: NightroundVault? = null

    private val _ui = MutableStateFlow(EnrolUi(deviceName = defaultDeviceName, notice = notice))
    val ui: StateFlow<EnrolUi> = _ui.asStateFlow()

    fun serverUrl(text: String) {
        link = null
        _ui.update { it.copy(serverUrl = text, problem = null, fromQrCode = false) }
    }

    /** A whole enrolment link pasted into the code field is read as if scanned. */
    fun code(text: String) {
        if (text.trim().startsWith(LINK_PREFIX)) {
            scanned(text)
            return
        }
        link = null
        _ui.update { it.copy(code = text, problem = null, fromQrCode = false) }
    }

    /** Opens the camera on the supervisor's QR code. */
    fun startScan() = _ui.update { it.copy(scanning = true, scanProblem = null, problem = null) }

    /**
     * The camera closed without a code: [why] is null when she chose to type
     * instead, or says why (no camera, permission refused).
     */
    fun stopScan(why: String? = null) = _ui.update { it.copy(scanning = false, scanProblem = why) }

    /**
     * What the scanner read. The core says whether it is an enrolment code
     * ([parseEnrolmentLink]); if it is, the fields are filled and enrolment
     * starts; if not, the camera keeps looking and the screen says why. The
     * scanner calls this for every frame with a code, so the same refused
     * text is only looked at once.
     */
    fun scanned(text: String) {
        if (_ui.value.busy || text == lastRefusedScan) return
        val read = try {
            parseEnrolmentLink(text)
        } catch (e: NightroundException) {
            lastRefusedScan = text
            _ui.update { it.copy(scanProblem = Problems.words(e)) }
            return
        } catch (_: Exception) {
            lastRefusedScan = text
            _ui.update { it.copy(scanProblem = Problems.INTERNAL) }
            return
        }
        link = read
        _ui.update {
            it.copy(
                scanning = false,
                scanProblem = null,
                problem = null,
                serverUrl = read.serverUrl,
                code = read.code,
                fromQrCode = true,
            )
        }
        submitDetails()
    }

    fun deviceName(text: String) = _ui.update { it.copy(deviceName = text, problem = null) }

    fun submitDetails() {
        val now = _ui.value
        if (!now.canSubmitDetails) return
        _ui.update { it.copy(busy = true, problem = null) }
        scope.launch {
            try {
                val scannedLink = link?.takeIf { it.serverUrl == now.serverUrl && it.code == now.code }
                val device = withContext(io) {
                    if (scannedLink != null) {
                        enrolFromLink(scannedLink, now.deviceName.trim())
                    } else {
                        enrolDevice(withScheme(now.serverUrl), null, now.code.trim(), now.deviceName.trim())
                    }
                }
                enrolled = device
                _ui.update {
                    it.copy(
                        step = EnrolStep.CHOOSE_PIN,
                        busy = false,
                        workerName = device.identity.displayName,
                        organisation = device.identity.organisation,
                        notice = null,
                    )
                }
            } catch (e: CancellationException) {
                throw e
            } catch (e: NightroundException) {
                _ui.update { it.copy(busy = false, problem = Problems.words(e)) }
            } catch (_: Exception) {
                _ui.update { it.copy(busy = false, problem = Problems.INTERNAL) }
            }
        }
    }

    fun press(digit: Int) {
        val buffer = current() ?: return
        if (buffer.add(digit)) _ui.update { it.copy(pinEntered = buffer.size, problem = null) }
    }

    fun delete() {
        val buffer = current() ?: return
        buffer.removeLast()
        _ui.update { it.copy(pinEntered = buffer.size) }
    }

    /** From the first PIN to the confirmation, or from the confirmation to creating the vault. */
    fun continuePin() {
        if (!_ui.value.canContinuePin) return
        when (_ui.value.step) {
            EnrolStep.CHOOSE_PIN -> _ui.update { it.copy(step = EnrolStep.CONFIRM_PIN, pinEntered = 0) }
            EnrolStep.CONFIRM_PIN -> finish()
            EnrolStep.DETAILS, EnrolStep.SAVING -> Unit
        }
    }

    /** Back from the PIN steps to change the details (the code is already spent). */
    fun startPinAgain() {
        first.wipe()
        second.wipe()
        _ui.update { it.copy(step = EnrolStep.CHOOSE_PIN, pinEntered = 0) }
    }

    private fun current(): PinBuffer? = when (_ui.value.step) {
        EnrolStep.CHOOSE_PIN -> first
        EnrolStep.CONFIRM_PIN -> second
        EnrolStep.DETAILS, EnrolStep.SAVING -> null
    }.takeIf { !_ui.value.busy }

    private fun finish() {
        val device = enrolled ?: return
        if (!first.sameAs(second)) {
            first.wipe()
            second.wipe()
            _ui.update {
                it.copy(step = EnrolStep.CHOOSE_PIN, pinEntered = 0, problem = "The two PINs were different. Choose your PIN again.")
            }
            return
        }
        val pin = first.copy()
        first.wipe()
        second.wipe()
        _ui.update { it.copy(busy = true, pinEntered = 0, problem = null) }
        scope.launch {
            try {
                created = withContext(io) {
                    NightroundVault.create(home.vaultPath, home.keyStore, String(pin), device.identity)
                }
                session.keepPinForBiometrics(pin.copyOf())
                keepCredentials()
            } catch (e: CancellationException) {
                throw e
            } catch (e: NightroundException) {
                _ui.update { it.copy(busy = false, step = EnrolStep.CHOOSE_PIN, problem = Problems.words(e)) }
            } catch (_: Exception) {
                _ui.update { it.copy(busy = false, step = EnrolStep.CHOOSE_PIN, problem = Problems.INTERNAL) }
            } finally {
                pin.fill('\u0000')
            }
        }
    }

    /** After a failure at the last step: keep the credentials in the vault that already exists. */
    fun retrySaving() {
        if (_ui.value.step != EnrolStep.SAVING || _ui.value.busy) return
        _ui.update { it.copy(busy = true, problem = null) }
        scope.launch { keepCredentials() }
    }

    private suspend fun keepCredentials() {
        val vault = created ?: return
        val device = enrolled ?: return
        try {
            withContext(io) { vault.setEnrolment(device.enrolment) }
            created = null
            enrolled = null
            link = null
            _ui.update { it.copy(busy = false) }
            session.adopt(vault)
            sync.syncSoon()
        } catch (e: CancellationException) {
            throw e
        } catch (e: NightroundException) {
            _ui.update { it.copy(busy = false, step = EnrolStep.SAVING, problem = Problems.words(e)) }
        } catch (_: Exception) {
            _ui.update { it.copy(busy = false, step = EnrolStep.SAVING, problem = Problems.INTERNAL) }
        }
    }

    private companion object {
        /** What the dashboard's QR codes start with (docs/dashboard.md). */
        const val LINK_PREFIX = "nightround:"
    }

    /** A supervisor may type "nightround.example.org"; the core accepts only https (or loopback http). */
    private fun withScheme(url: String): String {
        val t = url.trim()
        return if (t.contains("://")) t else "https://$t"
    }
}
