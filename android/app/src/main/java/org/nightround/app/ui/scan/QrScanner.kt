package org.nightround.app.ui.scan

import android.Manifest
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.ImageAnalysis
import androidx.camera.mlkit.vision.MlKitAnalyzer
import androidx.camera.view.CameraController
import androidx.camera.view.LifecycleCameraController
import androidx.camera.view.PreviewView
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberUpdatedState
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.LocalLifecycleOwner
import com.google.mlkit.vision.barcode.BarcodeScannerOptions
import com.google.mlkit.vision.barcode.BarcodeScanning
import com.google.mlkit.vision.barcode.common.Barcode
import java.util.concurrent.Executors

/**
 * The phone's back camera on the supervisor's enrolment QR code: CameraX for
 * the camera, ML Kit's barcode scanner (its model bundled in the app, so
 * nothing is downloaded and no Google service sees the code) for reading
 * it. Every QR code it reads goes to [onText] on the main thread; the core
 * decides whether it is an enrolment code (`parseEnrolmentLink`).
 *
 * The camera permission is asked for here, when she taps "Scan", and only
 * here. Refused, or no camera, [onUnavailable] says so in words and the
 * screen goes back to typing. No frame is ever kept or saved.
 */
@Composable
fun QrScanner(onText: (String) -> Unit, onUnavailable: (String) -> Unit, modifier: Modifier = Modifier) {
    val context = LocalContext.current
    val lifecycleOwner = LocalLifecycleOwner.current
    val currentOnText by rememberUpdatedState(onText)
    val currentOnUnavailable by rememberUpdatedState(onUnavailable)
    var granted by remember {
        mutableStateOf(ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED)
    }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { ok ->
        granted = ok
        if (!ok) currentOnUnavailable(NO_PERMISSION)
    }
    LaunchedEffect(Unit) {
        if (!context.packageManager.hasSystemFeature(PackageManager.FEATURE_CAMERA_ANY)) {
            currentOnUnavailable(NO_CAMERA)
        } else if (!granted) {
            ask.launch(Manifest.permission.CAMERA)
        }
    }
    if (!granted) return

    val previewView = remember { PreviewView(context) }
    DisposableEffect(lifecycleOwner) {
        val analysis = Executors.newSingleThreadExecutor()
        val main = ContextCompat.getMainExecutor(context)
        val scanner = BarcodeScanning.getClient(
            BarcodeScannerOptions.Builder().setBarcodeFormats(Barcode.FORMAT_QR_CODE).build(),
        )
        val controller = LifecycleCameraController(context).apply {
            setEnabledUseCases(CameraController.IMAGE_ANALYSIS)
            imageAnalysisBackpressureStrategy = ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST
            setImageAnalysisAnalyzer(
                analysis,
                MlKitAnalyzer(listOf(scanner), ImageAnalysis.COORDINATE_SYSTEM_VIEW_REFERENCED, main) { result ->
                    result.getValue(scanner)?.firstNotNullOfOrNull { it.rawValue }?.let { currentOnText(it) }
                },
            )
        }
        try {
            controller.bindToLifecycle(lifecycleOwner)
            previewView.controller = controller
        } catch (_: Exception) {
            currentOnUnavailable(NO_CAMERA)
        }
        onDispose {
            previewView.controller = null
            controller.unbind()
            scanner.close()
            analysis.shutdown()
        }
    }
    AndroidView(
        factory = { previewView },
        modifier = modifier.semantics { contentDescription = "Camera: point it at the QR code on your supervisor's screen" },
    )
}

private const val NO_PERMISSION = "The camera wasn't allowed, so type the server address and code instead."
private const val NO_CAMERA = "This phone's camera isn't available, so type the server address and code instead."
