//! Nightround's headless core.
//!
//! The phone apps only draw screens and hold the platform keystore; everything
//! they show or accept is decided here, so that it can be tested here:
//!
//! - [`domain`]: the records an outreach round produces and their validation;
//! - [`crypto`]: the sealed envelope, the key hierarchy and the keyed index hash;
//! - [`vault`]: the encrypted SQLite store, its migrations, queries and outbox;
//! - [`keystore`]: the trait the platform keystore implements.

pub mod clock;
pub mod crypto;
pub mod domain;
pub mod error;
#[cfg(feature = "ffi")]
pub mod ffi;
#[cfg(feature = "ffi")]
uniffi::setup_scaffolding!();
pub mod keystore;
pub mod sync;
pub mod vault;

pub use error::{CoreError, CorruptKind};
pub use vault::Vault;

/// Moments are UTC instants; the phone shows them in local time.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
