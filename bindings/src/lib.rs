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

mod enrolment;
mod error;
mod guard;
mod keystore;
mod screens;
mod vault;

pub use enrolment::{enrol_from_link, parse_enrolment_link};
pub use error::NightroundError;
pub use keystore::{KeyStoreFailure, PlatformKeyStore};
pub use screens::{info_categories, info_category_text, text_field_max_chars};
pub use vault::{LockPolicySetting, NightroundVault, SyncHandle};

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

/// What enrolment gives the app: the credentials to keep in the vault
/// ([`NightroundVault::set_enrolment`]) and the worker to create it for.
#[derive(uniffi::Record)]
pub struct EnrolledDevice {
    pub enrolment: nightround_core::vault::Enrolment,
    pub identity: nightround_core::domain::WorkerIdentity,
}

/// Trades a one-time enrolment code (typed or scanned from the supervisor's
/// QR code) for this phone's credentials. Call before creating the vault.
#[uniffi::export]
pub fn enrol_device(
    server_url: String,
    pinned_cert_pem: Option<String>,
    code: String,
    device_name: String,
) -> Result<EnrolledDevice, NightroundError> {
    guard::guarded(|| {
        nightround_core::sync::enrol(&server_url, pinned_cert_pem.as_deref(), &code, &device_name)
            .map(|(enrolment, identity)| EnrolledDevice {
                enrolment,
                identity,
            })
    })
}

/// On start, before showing the enrol screen: delivers the unsent changes a
/// shred for wrong PINs left beside the vault at `vault_path`, if any.
/// Returns how many the server took.
#[uniffi::export]
pub fn deliver_undelivered(vault_path: String) -> Result<u64, NightroundError> {
    guard::guarded(|| nightround_core::sync::deliver_undelivered(std::path::Path::new(&vault_path)))
}

/// Where "tonight" starts for a phone at `utc_offset_minutes`: the most
/// recent local noon. The same on every screen and platform.
#[uniffi::export]
pub fn round_start(now: Timestamp, utc_offset_minutes: i32) -> Timestamp {
    nightround_core::vault::forms::round_start(now, utc_offset_minutes)
}

/// The statuses a referral may move to next.
#[uniffi::export]
pub fn next_statuses(
    status: nightround_core::domain::ReferralStatus,
) -> Vec<nightround_core::domain::ReferralStatus> {
    nightround_core::vault::forms::next_statuses(status)
}

/// Parses a UUID typed or scanned by a person; `None` if it is not one.
#[uniffi::export]
pub fn parse_id(text: String) -> Option<Uuid> {
    Uuid::parse_str(text.trim()).ok()
}
