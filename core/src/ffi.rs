//! uniffi scaffolding for the core's plain data types, compiled only with the
//! `ffi` feature. The records and enums the apps receive are the core's own
//! types, so there is no second copy to drift; the callable surface (the
//! vault object, the keystore trait, the one error type) is in `bindings/`.

use uuid::Uuid;

/// A moment crosses as the platform's own instant type (Kotlin `Instant`,
/// Swift `Date`).
pub type Timestamp = crate::Timestamp;

uniffi::custom_type!(Timestamp, std::time::SystemTime, {
    remote,
    lower: |t| t.into(),
    try_lift: |t| Ok(t.into()),
});

uniffi::custom_type!(Uuid, String, {
    remote,
    lower: |id| id.to_string(),
    try_lift: |s| Uuid::parse_str(&s).map_err(|_| uniffi::deps::anyhow::anyhow!("not a UUID")),
});
