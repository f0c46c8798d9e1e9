//! Erasure, retention, legal holds and subject access on PostgreSQL: not
//! yet ported from `store/sqlite/data_protection.rs` (issue 12). Every
//! method refuses with [`BEHIND`] rather than doing part of a duty; and
//! [`super::PgStore::open`] refuses first, so no server runs on this.

use super::PgStore;
use crate::store::dashboard::NewAuditEntry;
use crate::store::data_protection::{
    DataProtectionStore, Delivery, Disposal, HeldRecord, HistoryValue,
};
use crate::store::{PullPage, StoreError};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use uuid::Uuid;

/// Why the PostgreSQL backend refuses: it has not caught up with the
/// SQLite schema 8 (protocol v2's deliveries and retraction, legal holds,
/// scoped dashboard reads).
pub const BEHIND: &str = "the PostgreSQL backend has not caught up with SQLite schema 8 \
     (protocol v2 pull and deliveries, erasure, retention, legal holds, scoped dashboard reads); \
     use SQLite until issue 12 is finished";

impl DataProtectionStore for PgStore {
    fn held_records(&self, _person: Option<Uuid>) -> Result<Vec<HeldRecord>, StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn dispose(
        &self,
        _items: &[Disposal],
        _audit: &NewAuditEntry,
        _now: Timestamp,
    ) -> Result<u32, StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn set_legal_hold(
        &self,
        _person: Uuid,
        _held: bool,
        _audit: &NewAuditEntry,
        _now: Timestamp,
    ) -> Result<(), StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn legal_holds(&self) -> Result<Vec<Uuid>, StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn audit_pull(
        &self,
        _device: Uuid,
        _page: &PullPage,
        _now: Timestamp,
    ) -> Result<(), StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn history_of(&self, _kind: RecordKind, _id: Uuid) -> Result<Vec<HistoryValue>, StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn deliveries_of(&self, _person: Uuid) -> Result<Vec<Delivery>, StoreError> {
        Err(StoreError::Config(BEHIND))
    }
}
