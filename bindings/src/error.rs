//! The one error type that crosses to Kotlin and Swift. Each variant is
//! something a screen can act on; none carries record plaintext or key bytes.

use nightround_core::domain::ValidationError;
use nightround_core::CoreError;

/// Everything a vault call can fail with, as the apps tell it apart. Every
/// variant's message (Kotlin `.message`, Swift `description`) is a plain
/// sentence, never empty and never a backtrace: `Display` is exported and
/// the generated Kotlin reads `.message` from it (scripts/gen-bindings.sh).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum NightroundError {
    /// The vault is locked: show the PIN screen.
    #[error("the vault is locked; enter the PIN to carry on")]
    Locked,
    /// The PIN was wrong; after `attempts_left` more the vault is erased.
    #[error("wrong PIN: {attempts_left} more wrong PINs erase the records on this phone")]
    WrongPin { attempts_left: u32 },
    /// Unlocks were cut off before their check too often: wait, nothing is lost.
    #[error("unlocking was interrupted several times; try again in {wait_seconds} seconds (nothing was erased)")]
    TooSoon { wait_seconds: u32 },
    /// The vault was erased (wiped, too many wrong PINs, or revoked).
    #[error("the records on this phone have been erased")]
    Shredded,
    /// What she entered was refused; `reason` says which rule.
    #[error("{detail}")]
    Invalid {
        reason: ValidationError,
        detail: String,
    },
    /// The file is damaged or was tampered with.
    #[error("the vault file is damaged ({detail})")]
    Damaged { detail: String },
    /// The vault comes from a newer app.
    #[error("the vault was written by a newer app (schema {found}, this app knows {known}); update the app")]
    SchemaTooNew { found: u32, known: u32 },
    /// The record asked for is not on this phone.
    #[error("no such {what} on this phone")]
    NotFound { what: String },
    /// The platform keystore failed, or lost this vault's secret.
    #[error("the phone's key store failed: {detail}")]
    KeyStore { detail: String },
    /// The phone's storage is full; nothing was saved.
    #[error("the phone's storage is full; nothing was saved")]
    DiskFull,
    /// The phone could not write the vault file.
    #[error("the phone could not write the records ({detail})")]
    Storage { detail: String },
    /// A vault is already on this phone.
    #[error("a vault already exists on this phone")]
    AlreadyExists,
    /// There is no vault yet (or the file is not one): enrol.
    #[error("there is no vault on this phone yet")]
    NoVault,
    /// The phone has not synced for too long: connect and sync to carry on.
    #[error("this phone has not synced for too long; connect and sync to carry on")]
    LeaseExpired,
    /// The phone has no server to sync with yet.
    #[error("this phone is not enrolled with a server")]
    NotEnrolled,
    /// Access was withdrawn; the vault has been erased.
    #[error("this phone's access was withdrawn; its records have been erased")]
    Revoked,
    /// No signal or the server is down; everything is kept.
    #[error("{detail}")]
    Offline { detail: String },
    /// The server refused, in plain words.
    #[error("{detail}")]
    ServerRefused { detail: String },
    /// The sync was cancelled (`SyncHandle.cancel`); everything is kept.
    #[error("the sync was cancelled; everything is kept and will be sent later")]
    Cancelled,
    /// A bug in the core; the operation did nothing.
    #[error("something went wrong inside the app; nothing was changed")]
    Internal,
}

impl From<CoreError> for NightroundError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Locked => NightroundError::Locked,
            CoreError::WrongPin { attempts_left } => NightroundError::WrongPin { attempts_left },
            CoreError::Shredded => NightroundError::Shredded,
            CoreError::TooSoon { wait_seconds } => NightroundError::TooSoon { wait_seconds },
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
            CoreError::Offline(detail) => NightroundError::Offline {
                detail: non_empty(detail, "cannot reach the server; everything is kept"),
            },
            CoreError::Cancelled => NightroundError::Cancelled,
            CoreError::ServerRefused(detail) => NightroundError::ServerRefused {
                detail: non_empty(detail, "the server refused"),
            },
        }
    }
}

fn non_empty(detail: String, fallback: &str) -> String {
    if detail.trim().is_empty() {
        fallback.to_owned()
    } else {
        detail
    }
}

/// Parses an id the app passed, refusing a malformed one as a typed
/// `Invalid` (never a lifting error from the bindings).
pub fn parse_id(text: &str) -> Result<uuid::Uuid, NightroundError> {
    uuid::Uuid::parse_str(text.trim()).map_err(|_| invalid(ValidationError::MalformedId))
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
    fn every_variant_has_a_sentence_for_a_message() {
        let all = [
            NightroundError::Locked,
            NightroundError::WrongPin { attempts_left: 2 },
            NightroundError::TooSoon { wait_seconds: 4 },
            NightroundError::Shredded,
            invalid(ValidationError::MalformedId),
            NightroundError::Damaged {
                detail: "canary".into(),
            },
            NightroundError::SchemaTooNew { found: 9, known: 7 },
            NightroundError::NotFound {
                what: "person".into(),
            },
            NightroundError::KeyStore {
                detail: "locked".into(),
            },
            NightroundError::DiskFull,
            NightroundError::Storage {
                detail: "io".into(),
            },
            NightroundError::AlreadyExists,
            NightroundError::NoVault,
            NightroundError::LeaseExpired,
            NightroundError::NotEnrolled,
            NightroundError::Revoked,
            CoreError::Offline(String::new()).into(),
            CoreError::ServerRefused(" ".into()).into(),
            NightroundError::Cancelled,
            NightroundError::Internal,
        ];
        for e in all {
            let m = e.to_string();
            assert!(m.split_whitespace().count() >= 3, "{e:?} says only {m:?}");
        }
    }

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
