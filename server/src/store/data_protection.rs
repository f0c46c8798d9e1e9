//! What the data-protection duties (erasure, the server's retention
//! schedule, legal holds) need from storage, behind its own trait so that a
//! backend implements it in one place. Deciding what goes is
//! `crate::erasure` and `crate::retention`; the store only carries it out.

use super::dashboard::NewAuditEntry;
use super::{PullPage, StoreError};
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

/// One earlier value of a record, opened (a whole version, or one field's
/// losing value in a merge).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryValue {
    pub version: String,
    /// `None`: the whole record as it was.
    pub field: Option<String>,
    pub value: Value,
    pub recorded_at: Timestamp,
}

/// One record of hers that went to one device (from the deliveries the
/// pull keeps), with who holds that device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub record_id: Uuid,
    pub kind: RecordKind,
    pub device_id: Uuid,
    pub worker_id: String,
    pub role: String,
    pub organisation_id: String,
    /// The receiving agency of an agency or police worker.
    pub agency_id: Option<String>,
    /// Why it went: own, organisation, consent, alert...
    pub route: String,
    /// The categories sent when projected (`None`: the whole record).
    pub categories: Option<String>,
    pub first_at: Timestamp,
    pub delivered_at: Timestamp,
    pub retracted_at: Option<Timestamp>,
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
    /// Appends one audit entry for a pull that carried changes or
    /// retractions: the device, and each record's kind, id and what of it
    /// went (the projection's categories from the deliveries, or `all`).
    /// An empty pull writes nothing.
    fn audit_pull(&self, device: Uuid, page: &PullPage, now: Timestamp) -> Result<(), StoreError>;
    /// A record's earlier values, oldest first (subject access).
    fn history_of(&self, kind: RecordKind, id: Uuid) -> Result<Vec<HistoryValue>, StoreError>;
    /// What of hers went to which device, oldest first ("shared with",
    /// subject access).
    fn deliveries_of(&self, person: Uuid) -> Result<Vec<Delivery>, StoreError>;
}
