//! Nightround's sync server.
//!
//! The phones of an outreach partnership enrol here with a one-time code,
//! push what they recorded and pull what their role may see. The contract is
//! `docs/sync-protocol.md`; the wire types are `nightround_core::sync::protocol`.
//!
//! - [`start`] runs the server in-process (tests, the binary, the demo);
//! - [`Admin`] creates organisations, workers and enrolment codes, revokes
//!   devices and sets the directory, on the same store;
//! - [`policy`] is the one table of who may see and write what;
//! - [`store::Store`] is the storage trait; [`store::sqlite`] (the default)
//!   and [`store::postgres`] its backends;
//! - [`private_dir`] keeps the data directory 0700 and its files 0600;
//! - [`throttle`] rate-limits enrolment, sign-in and sync per address and token;
//! - [`watchdog`] raises lone-worker rounds that go quiet (ADR 0004);
//! - [`dashboard`] is the supervisor dashboard, served beside the sync API;
//! - [`demo`] is `nightround-server demo`: a simulated week through the real
//!   core and sync, then the dashboard.

pub mod admin;
pub mod api;
pub mod apply;
pub mod audit_anchor;
pub mod authorize;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod erasure;
pub mod error;
pub mod keys;
pub mod maintenance;
pub mod malloc_arenas;
pub mod merge;
pub mod partnership;
pub mod policy;
pub mod private_dir;
pub mod projection;
pub mod public_origin;
pub mod refusal;
pub mod retention;
pub mod secrets;
pub mod server;
pub mod shared_profiles;
pub mod store;
pub mod subject_access;
pub mod throttle;
pub mod tls;
pub mod validate;
pub mod watchdog;

pub use admin::{Admin, DeviceInfo, EnrolmentCode};
pub use config::{DataPaths, ServerConfig, TlsSetting};
pub use error::{Result, ServerError};
pub use server::{start, RunningServer};
