//! The uniffi surface the Android and iOS apps call: thin wrappers over
//! `nightround-core`, and nothing else.
//!
//! - [`NightroundVault`]: one object per vault, a method per user action;
//! - [`PlatformKeyStore`]: the trait Kotlin (Android Keystore) and Swift
//!   (Keychain) implement;
//! - [`NightroundError`]: the one error type, carrying no plaintext.
//!
//! The records and enums the apps see are the core's own types, exported from
//! the core under its `ffi` feature.

mod error;
mod guard;
mod keystore;
mod vault;

pub use error::NightroundError;
pub use keystore::{KeyStoreFailure, PlatformKeyStore};
pub use vault::NightroundVault;

uniffi::setup_scaffolding!();

// Custom types declared in the core, used in this crate's signatures.
use nightround_core::Timestamp;
use uuid::Uuid;
uniffi::use_remote_type!(nightround_core::Timestamp);
uniffi::use_remote_type!(nightround_core::Uuid);

/// The library's version, so an app can show which core it runs.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The current time as the core sees it, for screens that default "since".
#[uniffi::export]
pub fn now() -> Timestamp {
    chrono::Utc::now()
}

/// Parses a UUID typed or scanned by a person; `None` if it is not one.
#[uniffi::export]
pub fn parse_id(text: String) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}
