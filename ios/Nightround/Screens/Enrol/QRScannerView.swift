import AVFoundation
import SwiftUI
import UIKit

/// The back camera on the supervisor's enrolment QR code, with the
/// platform's own reader: an `AVCaptureSession` whose
/// `AVCaptureMetadataOutput` looks for QR codes only. Every code it reads
/// goes to `onText` on the main thread; the core decides whether it is an
/// enrolment code (`parseEnrolmentLink`). No frame is captured or kept.
///
/// The camera permission is asked for here, when she taps "Scan" (the
/// words are `NSCameraUsageDescription`). Refused, or no camera,
/// `onUnavailable` says so and the screen goes back to typing.
struct QRScannerView: UIViewControllerRepresentable {
    let onText: (String) -> Void
    let onUnavailable: (String) -> Void

    func makeUIViewController(context: Context) -> QRScannerController {
        let controller = QRScannerController()
        controller.onText = onText
        controller.onUnavailable = onUnavailable
        return controller
    }

    func updateUIViewController(_ controller: QRScannerController, context: Context) {
        controller.onText = onText
        controller.onUnavailable = onUnavailable
    }

    static func dismantleUIViewController(_ controller: QRScannerController, coordinator: ()) {
        controller.stop()
    }
}

/// The capture session, handed to its own queue to start and stop (Apple's
/// advice: both block). Only that queue and set-up on the main thread touch it.
private final class CaptureSessionBox: @unchecked Sendable {
    let session = AVCaptureSession()
}

/// Owns the capture session; runs it only while on screen.
final class QRScannerController: UIViewController, AVCaptureMetadataOutputObjectsDelegate {
    var onText: ((String) -> Void)?
    var onUnavailable: ((String) -> Void)?

    private let box = CaptureSessionBox()
    private var session: AVCaptureSession { box.session }
    /// Starting and stopping a session blocks; never on the main thread.
    private let sessionQueue = DispatchQueue(label: "org.nightround.qr-scanner")
    private var preview: AVCaptureVideoPreviewLayer?

    static let noPermission = String(localized: "The camera isn't allowed for Nightround, so type the server address and code instead. (Settings › Nightround › Camera turns it on.)")
    static let noCamera = String(localized: "This phone's camera isn't available, so type the server address and code instead.")

    override func viewDidLoad() {
        super.viewDidLoad()
        view.backgroundColor = .black
        view.isAccessibilityElement = true
        view.accessibilityLabel = String(localized: "Camera: point it at the QR code on your supervisor's screen")
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized:
            configure()
        case .notDetermined:
            AVCaptureDevice.requestAccess(for: .video) { granted in
                Task { @MainActor [weak self] in
                    if granted {
                        self?.configure()
                    } else {
                        self?.onUnavailable?(Self.noPermission)
                    }
                }
            }
        default:
            onUnavailable?(Self.noPermission)
        }
    }

    private func configure() {
        guard let camera = AVCaptureDevice.default(for: .video),
              let input = try? AVCaptureDeviceInput(device: camera),
              session.canAddInput(input)
        else {
            onUnavailable?(Self.noCamera)
            return
        }
        let output = AVCaptureMetadataOutput()
        session.beginConfiguration()
        session.addInput(input)
        guard session.canAddOutput(output) else {
            session.commitConfiguration()
            onUnavailable?(Self.noCamera)
            return
        }
        session.addOutput(output)
        // Only after the output joined the session are its types available.
        output.setMetadataObjectsDelegate(self, queue: .main)
        output.metadataObjectTypes = [.qr]
        session.commitConfiguration()

        let layer = AVCaptureVideoPreviewLayer(session: session)
        layer.videoGravity = .resizeAspectFill
        layer.frame = view.bounds
        view.layer.addSublayer(layer)
        preview = layer
        let box = self.box
        sessionQueue.async { box.session.startRunning() }
    }

    override func viewDidLayoutSubviews() {
        super.viewDidLayoutSubviews()
        preview?.frame = view.bounds
    }

    override func viewWillDisappear(_ animated: Bool) {
        super.viewWillDisappear(animated)
        stop()
    }

    func stop() {
        let box = self.box
        sessionQueue.async {
            if box.session.isRunning { box.session.stopRunning() }
        }
    }

    /// Called on the main queue (`setMetadataObjectsDelegate(self, queue: .main)`).
    nonisolated func metadataOutput(
        _ output: AVCaptureMetadataOutput,
        didOutput metadataObjects: [AVMetadataObject],
        from connection: AVCaptureConnection
    ) {
        let text = metadataObjects
            .compactMap { $0 as? AVMetadataMachineReadableCodeObject }
            .first { $0.type == .qr && $0.stringValue != nil }?
            .stringValue
        guard let text else { return }
        MainActor.assumeIsolated {
            onText?(text)
        }
    }
}
