//! Storage behind one trait, with two backends: the embedded SQLite one
//! ([`sqlite::SqliteStore`], the default) and PostgreSQL
//! ([`postgres::PgStore`], chosen with `--database postgres://...`).
//!
//! The trait speaks in whole operations (redeem a code, apply a push, read a
//! pull page), each of which a backend runs in one transaction. What to do
//! with a change is decided by backend-independent code (`apply`, `merge`,
//! `policy`); a backend loads the current state, asks, and writes the answer.

pub mod audit_chain;
pub mod copy;
pub mod dashboard;
pub mod dashboard_index;
pub mod data_protection;
#[cfg(test)]
pub(crate) mod group_commit_phones;
pub mod links;
pub mod open;
pub mod partnership;
pub mod postgres;
pub mod pull;
pub mod safety;
pub mod schema;
pub mod sealed;
pub mod sqlite;

use crate::policy::Viewer;
use crate::validate::Incoming;
use nightround_core::crypto::EnvelopeError;
use nightround_core::domain::{Directory, RecordKind, Role, WorkerIdentity};
use nightround_core::sync::protocol::{Ack, Change, PulledChange, Retraction};
use nightround_core::Timestamp;
use uuid::Uuid;

/// Why the store failed. None of these carry a record body or a secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database settings: {0}")]
    Config(&'static str),
    #[error("a sealed value would not open: {0}")]
    Sealed(#[from] EnvelopeError),
    #[error("stored data is damaged: {0}")]
    Corrupt(&'static str),
    #[error("the database is at schema {found}; this server knows schemas up to {known}")]
    SchemaTooNew { found: u32, known: u32 },
    #[error("the database was sealed under another server key")]
    WrongKey,
    #[error("{0} already exists")]
    Duplicate(&'static str),
    /// The COMMIT shared by a group of pushes failed (ADR 0020): nothing of
    /// this push was kept; the member whose turn ran the COMMIT got
    /// the database's own error.
    #[error("database: the commit shared by this push's group failed")]
    GroupCommit,
    #[error("directory revision {given} is not newer than the current revision {current}")]
    StaleDirectory { current: u32, given: u32 },
}

impl StoreError {
    /// Whether the database was only busy (SQLite `BUSY` or `LOCKED`, no
    /// pooled connection free in time): worth a retry, answered `503`.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            StoreError::Pool(deadpool_postgres::PoolError::Timeout(_)) => true,
            _ => false,
        }
    }
}

/// One member organisation of the partnership (Aspirations, Essex Police...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// A short stable id, e.g. `essex_police`.
    pub id: String,
    /// The name phones show, and the `organisation` in a worker's identity.
    pub name: String,
    pub created_at: Timestamp,
}

/// A person who records or reviews, with the role that decides what she may
/// see and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    pub id: String,
    pub organisation_id: String,
    pub display_name: String,
    pub role: Role,
    /// The directory agency a receiving-agency worker acts for; `None` for
    /// every other role.
    pub agency_id: Option<String>,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// One enrolled phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub worker_id: String,
    pub name: String,
    pub enrolled_at: Timestamp,
    /// The last successful push or pull.
    pub last_sync_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A device with the worker and organisation it acts for: who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolledDevice {
    pub device: Device,
    pub worker: Worker,
    pub organisation: Organisation,
}

impl EnrolledDevice {
    /// The identity the phone stamps on what it records.
    pub fn identity(&self) -> WorkerIdentity {
        WorkerIdentity {
            worker_id: self.worker.id.clone(),
            display_name: self.worker.display_name.clone(),
            role: self.worker.role,
            organisation: self.organisation.name.clone(),
        }
    }

    /// Revoking the device or its worker shuts it out.
    pub fn is_revoked(&self) -> bool {
        self.device.revoked_at.is_some() || self.worker.revoked_at.is_some()
    }

    /// The device as the policy sees it.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            role: self.worker.role,
            worker_id: &self.worker.id,
            organisation_id: &self.organisation.id,
            agency_id: self.worker.agency_id.as_deref(),
        }
    }
}

/// An enrolment code as stored: only its keyed hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub hash: [u8; 32],
    pub worker_id: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The device a redeemed code creates; the token is kept only as its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub id: Uuid,
    pub name: String,
    pub token_hash: [u8; 32],
}

/// A record's plaintext columns: only what ordering and the policy need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMeta {
    pub kind: RecordKind,
    pub id: Uuid,
    pub version: String,
    pub seq: u64,
    /// The organisation of the device that first stored it.
    pub organisation_id: String,
    /// The worker whose device first stored it.
    pub author_worker_id: String,
    /// The person it is about (a person record's own id).
    pub person_id: Option<Uuid>,
    /// The agency a consent or referral names.
    pub agency_id: Option<String>,
    /// A concern's team-alert end.
    pub alert_until: Option<Timestamp>,
    /// When a consent stops being in force (review date or withdrawal).
    pub consent_until: Option<Timestamp>,
    pub tombstone: bool,
}

/// One change of a push with the verdict of the stateless checks. The
/// duplicate check comes first, so a replay is `duplicate` even if the
/// rules have tightened since.
#[derive(Debug)]
pub struct PushItem<'a> {
    pub change: &'a Change,
    pub verdict: Result<Incoming, crate::refusal::Refusal>,
    /// Whether the pushing device holds this version readable, so that its
    /// pulls need not send it back (protocol version 2). A sealed copy
    /// delivered by a locked or shredded phone is not: it comes back.
    pub held_by_device: bool,
}

/// What a pull asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullQuery {
    pub cursor: u64,
    /// At most `MAX_PULL_CHANGES`.
    pub limit: usize,
    pub directory_revision: u32,
}

/// One pull page before the server adds its time.
#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    pub changes: Vec<PulledChange>,
    pub next_cursor: u64,
    pub more: bool,
    pub directory: Option<Directory>,
    /// What the device received before and may no longer hold.
    pub retract: Vec<Retraction>,
}

/// Where the server keeps everything. Each method is one transaction.
pub trait Store: Send + Sync + partnership::PartnershipStore + links::LinkStore {
    /// Fails with [`StoreError::Duplicate`] when the id is taken.
    fn add_organisation(&self, org: &Organisation) -> Result<(), StoreError>;
    fn organisation(&self, id: &str) -> Result<Option<Organisation>, StoreError>;
    fn organisations(&self) -> Result<Vec<Organisation>, StoreError>;
    fn add_worker(&self, worker: &Worker) -> Result<(), StoreError>;
    fn worker(&self, id: &str) -> Result<Option<Worker>, StoreError>;
    fn workers(&self) -> Result<Vec<Worker>, StoreError>;
    /// Returns false when there is no such worker.
    fn revoke_worker(&self, id: &str, at: Timestamp) -> Result<bool, StoreError>;
    fn add_enrolment_code(&self, code: &StoredCode) -> Result<(), StoreError>;
    /// Uses the code and creates the device, atomically; `None` when the code
    /// is unknown, used or expired, or its worker was revoked.
    fn redeem_enrolment_code(
        &self,
        hash: &[u8; 32],
        device: &NewDevice,
        now: Timestamp,
    ) -> Result<Option<EnrolledDevice>, StoreError>;
    /// The device a token hash belongs to, revoked or not.
    fn device_by_token(&self, hash: &[u8; 32]) -> Result<Option<EnrolledDevice>, StoreError>;
    /// Returns false when there is no such device.
    fn revoke_device(&self, id: Uuid, at: Timestamp) -> Result<bool, StoreError>;
    fn devices(&self) -> Result<Vec<EnrolledDevice>, StoreError>;
    fn directory(&self) -> Result<Directory, StoreError>;
    /// Replaces the directory; its revision must be newer.
    fn set_directory(&self, dir: &Directory, now: Timestamp) -> Result<(), StoreError>;
    /// Applies a push in one transaction and returns one ack per item, in
    /// order. Marks the device synced.
    fn push(
        &self,
        caller: &EnrolledDevice,
        items: &[PushItem<'_>],
        now: Timestamp,
    ) -> Result<Vec<Ack>, StoreError>;
    /// Records, quietly, that the duress PIN was used on a device.
    fn report_duress(&self, device: Uuid, at: Timestamp) -> Result<(), StoreError>;
    /// Whether the duress PIN was ever reported on this device (asked on
    /// every pull, so one lookup rather than reading the whole list).
    fn has_duress_report(&self, device: Uuid) -> Result<bool, StoreError>;
    /// Every duress report, oldest first: (device, when).
    fn duress_reports(&self) -> Result<Vec<(Uuid, Timestamp)>, StoreError>;
    /// One page of what changed after the cursor that the caller may see.
    /// Marks the device synced.
    fn pull(
        &self,
        caller: &EnrolledDevice,
        query: &PullQuery,
        now: Timestamp,
    ) -> Result<PullPage, StoreError>;
}

/// The stored name of a role (the wire name).
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::OutreachWorker => "outreach_worker",
        Role::PoliceOfficer => "police_officer",
        Role::Supervisor => "supervisor",
        Role::ReceivingAgency => "receiving_agency",
    }
}

/// The inverse of [`role_name`].
pub fn parse_role(s: &str) -> Option<Role> {
    [
        Role::OutreachWorker,
        Role::PoliceOfficer,
        Role::Supervisor,
        Role::ReceivingAgency,
    ]
    .into_iter()
    .find(|r| role_name(*r) == s)
}
