//! The core's error type. Variants carry kinds and numbers, never record
//! plaintext or key material, so an error can be logged or shown as it is.

use crate::crypto::envelope::EnvelopeError;
use crate::domain::validation::ValidationError;

/// Which part of the vault file failed its integrity check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptKind {
    /// The wrapped data key's checksum does not match: the key row was damaged.
    KeyRecord,
    /// The key unwrapped but the canary did not open: the file and key disagree.
    Canary,
    /// A record body could not be decoded after it decrypted.
    RecordBody,
    /// A plaintext column held a value the code cannot read.
    Column,
}

impl std::fmt::Display for CorruptKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CorruptKind::KeyRecord => "key record",
            CorruptKind::Canary => "canary",
            CorruptKind::RecordBody => "record body",
            CorruptKind::Column => "column",
        })
    }
}

/// Everything that can go wrong in the core, as the apps need to tell it apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error("the vault is locked")]
    Locked,
    #[error("wrong PIN ({attempts_left} attempts left before the vault is erased)")]
    WrongPin { attempts_left: u32 },
    #[error("the vault has been erased on this phone")]
    Shredded,
    /// Unlocks were cut off before their PIN was checked (the app killed, the
    /// battery flat): each one past the first few costs a growing wait, never
    /// the vault.
    #[error("unlocking was interrupted too often; try again in {wait_seconds} seconds")]
    TooSoon { wait_seconds: u32 },
    #[error("the vault file is damaged: {0}")]
    Corrupt(CorruptKind),
    #[error("a sealed record failed to open: {0}")]
    Envelope(#[from] EnvelopeError),
    #[error("{0}")]
    Validation(#[from] ValidationError),
    #[error("the vault was written by a newer app (schema {found}, this app knows {known})")]
    SchemaTooNew { found: u32, known: u32 },
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("the phone's key store failed: {0}")]
    KeyStore(String),
    #[error("the phone's key store no longer holds this vault's key")]
    KeyStoreSecretMissing,
    #[error("the phone's storage is full; nothing was saved")]
    DiskFull,
    #[error("storage error ({0})")]
    Storage(String),
    #[error("a vault already exists at this path")]
    AlreadyExists,
    #[error("no vault exists at this path")]
    NoVault,
    #[error("this phone has not synced for too long; connect and sync to carry on")]
    LeaseExpired,
    #[error("this phone is not enrolled with a server")]
    NotEnrolled,
    #[error("this phone's access was withdrawn; its data has been erased")]
    Revoked,
    #[error("cannot reach the server: {0}")]
    Offline(String),
    #[error("the server refused: {0}")]
    ServerRefused(String),
    /// The sync was cancelled from another thread; nothing half-done is kept.
    #[error("the sync was cancelled; everything is kept and will be sent later")]
    Cancelled,
}

impl From<rusqlite::Error> for CoreError {
    /// Keeps only SQLite's error code: messages can echo SQL, never values,
    /// but the code is all a caller can act on anyway.
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::SqliteFailure(code, _) => match code.code {
                rusqlite::ErrorCode::DiskFull => CoreError::DiskFull,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt => {
                    CoreError::Storage("database file is damaged".into())
                }
                other => CoreError::Storage(format!("{other:?}")),
            },
            rusqlite::Error::QueryReturnedNoRows => CoreError::NotFound("row"),
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => {
                CoreError::Corrupt(CorruptKind::Column)
            }
            _ => CoreError::Storage("sqlite".into()),
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
