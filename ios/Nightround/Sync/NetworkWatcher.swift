import Foundation
import Network

/// Reports when the phone's network path changes, so what was recorded
/// without signal goes to the team as soon as it can. The app decides what
/// "came back" means; this only reports.
final class NetworkWatcher: Sendable {
    private let monitor = NWPathMonitor()
    private let queue = DispatchQueue(label: "org.nightround.network", qos: .utility)

    /// Starts watching; `onChange` gets whether the path can reach anything,
    /// on a background queue. Call once: a monitor cannot be restarted.
    func start(onChange: @escaping @Sendable (_ satisfied: Bool) -> Void) {
        monitor.pathUpdateHandler = { path in
            onChange(path.status == .satisfied)
        }
        monitor.start(queue: queue)
    }

    func stop() {
        monitor.cancel()
    }
}
