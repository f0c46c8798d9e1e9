//! The one error type that crosses to Kotlin and Swift. Each variant is
//! something a screen can act on; none carries record plaintext or key bytes.

use nightround_core::domain::ValidationError;
use nightround_core::CoreError;

/// Everything a vault call can fail with, as the apps tell it apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum NightroundError {
    /// The vault is locked: show the PIN screen.
    #[error("locked")]
    Locked,
    /// The PIN was wrong; after `attempts_left` more the vault is erased.
    #[error("wrong PIN")]
    WrongPin { attempts_left: u32 },
    /// The vault was erased (wiped, too many wrong PINs, or revoked).
    #[error("erased")]
    Shredded,
    /// What she entered was refused; `reason` says which rule.
    #[error("{detail}")]
    Invalid {
        reason: ValidationError,
        detail: String,
    },
    /// The file is damaged or was tampered with.
    #[error("damaged: {detail}")]
    Damaged { detail: String },
    /// The vault comes from a newer app.
    #[error("schema {found} is newer than {known}")]
    SchemaTooNew { found: u32, known: u32 },
    #[error("not found: {what}")]
    NotFound { what: String },
    /// The platform keystore failed, or lost this vault's secret.
    #[error("key store: {detail}")]
    KeyStore { detail: String },
    /// The phone's storage is full; nothing was saved.
    #[error("storage full")]
    DiskFull,
    #[error("storage: {detail}")]
    Storage { detail: String },
    #[error("a vault already exists")]
    AlreadyExists,
    #[error("no vault")]
    NoVault,
    /// The phone has not synced for too long: connect and sync to carry on.
    #[error("lease expired")]
    LeaseExpired,
    #[error("not enrolled")]
    NotEnrolled,
    /// Access was withdrawn; the vault has been erased.
    #[error("revoked")]
    Revoked,
    /// No signal or the server is down; everything is kept.
    #[error("{detail}")]
    Offline { detail: String },
    /// The server refused, in plain words.
    #[error("{detail}")]
    ServerRefused { detail: String },
    /// A bug in the core; the operation did nothing.
    #[error("internal error")]
    Internal,
}

impl From<CoreError> for NightroundError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Locked => NightroundError::Locked,
            CoreError::WrongPin { attempts_left } => NightroundError::WrongPin { attempts_left },
            CoreError::Shredded => NightroundError::Shredded,
            CoreError::Validation(reason) => invalid(reason),
            CoreError::Corrupt(kind) => NightroundError::Damaged {
                detail: kind.to_string(),
            },
            CoreError::Envelope(env) => NightroundError::Damaged {
                detail: env.to_string(),
            },
            CoreError::SchemaTooNew { found, known } => {
                NightroundError::SchemaTooNew { found, known }
            }
            CoreError::NotFound(what) => NightroundError::NotFound { what: what.into() },
            CoreError::KeyStore(detail) => NightroundError::KeyStore { detail },
            CoreError::KeyStoreSecretMissing => NightroundError::KeyStore {
                detail: "this vault's key is no longer in the phone's key store".into(),
            },
            CoreError::DiskFull => NightroundError::DiskFull,
            CoreError::Storage(detail) => NightroundError::Storage { detail },
            CoreError::AlreadyExists => NightroundError::AlreadyExists,
            CoreError::NoVault => NightroundError::NoVault,
            CoreError::LeaseExpired => NightroundError::LeaseExpired,
            CoreError::NotEnrolled => NightroundError::NotEnrolled,
            CoreError::Revoked => NightroundError::Revoked,
            CoreError::Offline(detail) => NightroundError::Offline { detail },
            CoreError::ServerRefused(detail) => NightroundError::ServerRefused { detail },
        }
    }
}

fn invalid(reason: ValidationError) -> NightroundError {
    NightroundError::Invalid {
        detail: reason.to_string(),
        reason,
    }
}

impl From<ValidationError> for NightroundError {
    fn from(reason: ValidationError) -> Self {
        invalid(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nightround_core::CorruptKind;

    #[test]
    fn every_core_error_maps_without_losing_its_kind() {
        assert_eq!(
            NightroundError::from(CoreError::Locked),
            NightroundError::Locked
        );
        assert_eq!(
            NightroundError::from(CoreError::WrongPin { attempts_left: 3 }),
            NightroundError::WrongPin { attempts_left: 3 }
        );
        assert_eq!(
            NightroundError::from(CoreError::Corrupt(CorruptKind::Canary)),
            NightroundError::Damaged {
                detail: "canary".into()
            }
        );
        match NightroundError::from(CoreError::Validation(ValidationError::EmptyAlias)) {
            NightroundError::Invalid { reason, detail } => {
                assert_eq!(reason, ValidationError::EmptyAlias);
                assert_eq!(detail, "a name she is known by is needed");
            }
            other => panic!("{other:?}"),
        }
    }
}
