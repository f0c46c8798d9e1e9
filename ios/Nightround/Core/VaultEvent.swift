import NightroundCore

/// What a vault call can report that concerns the whole app rather than the
/// screen that made it: the vault locked itself, is gone, or needs a sync.
/// `VaultGateway` recognises these once, so screens only show their own problems.
enum VaultEvent: Equatable, Sendable {
    /// Idle timeout passed: show the PIN screen.
    case locked
    /// Erased: too many wrong PINs, or wiped.
    case erased
    /// Access withdrawn by the supervisor; the core has erased the vault.
    case revoked
    /// Too long without a sync: only sync works until one succeeds.
    case leaseExpired
    /// The vault file is not there.
    case missing

    init?(_ error: NightroundError) {
        switch error {
        case .Locked: self = .locked
        case .Shredded: self = .erased
        case .Revoked: self = .revoked
        case .LeaseExpired: self = .leaseExpired
        case .NoVault: self = .missing
        default: return nil
        }
    }
}
