//! Sync between the phone and the server (`docs/sync-protocol.md`):
//!
//! - `protocol`: the wire types, shared with the server;
//! - `transport`: HTTPS with the server's certificate pinned;
//! - `backoff`: exponential backoff with jitter;
//! - `control`: cancel a running sync, and read its progress;
//! - `engine`: the one `sync` call the app makes, and enrolment;
//! - `enrolment_link`: the dashboard's enrolment QR code, read and enrolled
//!   with (its certificate pinned by fingerprint);
//! - `live`: the long-poll that hears urgent records in seconds while a
//!   round is open, and syncs when it does.
//!
//! The vault's side (outbox batches, acks, pulled pages) is in
//! `vault/sync_store.rs`.

pub mod backoff;
pub mod control;
pub mod engine;
pub mod enrolment_link;
pub mod live;
pub mod protocol;
pub mod transport;

pub use backoff::Backoff;
pub use control::{SyncControl, SyncProgress};
pub use engine::{deliver_undelivered, enrol, SyncOptions, SyncReport};
pub use enrolment_link::{enrol_with_link, parse_enrolment_link, EnrolmentLink};
pub use live::ListenReport;
