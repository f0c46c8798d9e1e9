//! The statements a pull needs from a backend, in the transaction of one
//! pull: everything else about a pull is decided once, in [`super`].

use crate::policy::Facts;
use crate::store::{RecordMeta, StoreError};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use uuid::Uuid;

/// A stored row: its plaintext columns and its sealed body.
pub type Stored = (RecordMeta, Option<Vec<u8>>);

/// One row sent to a device, as `deliveries` keeps it (lists as JSON).
#[derive(Debug)]
pub struct Delivery<'a> {
    pub device: &'a str,
    pub record_id: Uuid,
    pub kind: RecordKind,
    /// The woman it is about (a person record's own id).
    pub person_id: Option<Uuid>,
    pub version: &'a str,
    pub route: &'static str,
    pub conditional: bool,
    pub categories: Option<String>,
    pub withheld: String,
    pub at: Timestamp,
}

/// One conditional delivery still under review, as stored.
#[derive(Debug)]
pub struct UnderReview {
    pub record_id: String,
    pub kind: String,
    pub categories: Option<String>,
    pub withheld: Option<String>,
    pub retracted: bool,
    pub retract_fields: Option<String>,
    pub retract_cursor: Option<i64>,
}

/// The SQL of a pull, implemented by each backend's policy facts (which
/// hold the transaction and the directory), so the pull's logic is written
/// once.
pub trait PullSql: Facts {
    /// At most `limit` rows with `seq > after`, in seq order, leaving out
    /// the versions `device` pushed itself.
    fn rows_after(&self, after: u64, limit: usize, device: &str)
        -> Result<Vec<Stored>, StoreError>;
    /// The highest seq in use (0 for an empty store).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// Whether any row has `seq > after`.
    fn any_after(&self, after: u64) -> Result<bool, StoreError>;
    /// The row with this id (as stored text: an id that is no UUID finds
    /// nothing).
    fn stored(&self, id: &str) -> Result<Option<Stored>, StoreError>;
    /// Her consents in force at `now`, to any agency.
    fn consents_in_force(&self, person: Uuid, now: Timestamp) -> Result<Vec<Stored>, StoreError>;
    /// Writes (or renews, clearing any retraction) a delivery.
    fn record_delivery(&self, d: &Delivery<'_>) -> Result<(), StoreError>;
    /// The device's conditional deliveries not yet retracted, and those
    /// retracted on a page at or after `cursor` (not yet confirmed).
    fn under_review(&self, device: &str, cursor: u64) -> Result<Vec<UnderReview>, StoreError>;
    /// Notes the categories and withheld fields a delivery now carries.
    fn reshape_delivery(
        &self,
        device: &str,
        record_id: &str,
        categories: Option<&str>,
        withheld: &str,
    ) -> Result<(), StoreError>;
    /// Remembers a retraction: whole (`fields` `None`) or of some fields
    /// (a JSON list), sent on the page ending at `next_cursor`.
    fn retract_delivery(
        &self,
        device: &str,
        record_id: &str,
        fields: Option<&str>,
        next_cursor: u64,
        now: Timestamp,
    ) -> Result<(), StoreError>;
}
