//! What the data-protection duties (erasure, the server's retention
//! schedule, legal holds) need from storage, behind its own trait so that a
//! backend implements it in one place. Deciding what goes is
//! `crate::erasure` and `crate::retention`; the store only carries it out.

use super::dashboard::NewAuditEntry;
use super::StoreError;
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A live (not deleted) record with its body opened, for the jobs that
/// decide what is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRecord {
    pub id: Uuid,
    pub kind: RecordKind,
    /// The woman the record is about (the plaintext link), if any.
    pub person_id: Option<Uuid>,
    pub organisation_id: String,
    pub body: Map<String, Value>,
}

/// What happens to one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Disposal {
    /// Becomes a tombstone: body and history gone, the id kept so that
    /// phones delete it on their next pull.
    Delete { id: Uuid },
    /// Kept with this body instead (a concern whose link to her is cut):
    /// a new version, its history (which holds the old body) gone.
    Rewrite { id: Uuid, body: Map<String, Value> },
}

/// Storage for erasure, retention and legal holds. Each method is one
/// transaction.
pub trait DataProtectionStore: Send + Sync {
    /// Every live record, opened (the retention job), or those of one
    /// woman: her own record and the ones whose plaintext link names her.
    fn held_records(&self, person: Option<Uuid>) -> Result<Vec<HeldRecord>, StoreError>;
    /// Carries out `items` and appends `audit` (ids and counts only) in one
    /// transaction; each changed record gets a new sequence number so that
    /// phones pull the change. Returns how many records changed.
    fn dispose(
        &self,
        items: &[Disposal],
        audit: &NewAuditEntry,
        now: Timestamp,
    ) -> Result<u32, StoreError>;
    /// Places or lifts a legal hold on a woman's records (the retention job
    /// leaves them alone), audited in the same transaction.
    fn set_legal_hold(
        &self,
        person: Uuid,
        held: bool,
        audit: &NewAuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// The women under a legal hold.
    fn legal_holds(&self) -> Result<Vec<Uuid>, StoreError>;
}
