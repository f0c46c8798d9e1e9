//! Erasure, retention, legal holds and subject access on PostgreSQL, as
//! `store/sqlite/data_protection.rs`. Legal holds and record history are
//! ported; the rest (held records, disposal, the pull's audit, deliveries)
//! is not yet (issue 12) and refuses with [`BEHIND`] rather than doing part
//! of a duty; [`super::PgStore::open`] refuses first, so no server runs on
//! this yet.

use super::db::Db;
use super::rows::{ms, ts, uuid};
use super::PgStore;
use crate::store::dashboard::NewAuditEntry;
use crate::store::data_protection::{
    DataProtectionStore, Delivery, Disposal, HeldRecord, HistoryValue,
};
use crate::store::sealed::open_history;
use crate::store::{PullPage, StoreError};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use uuid::Uuid;

/// Why the PostgreSQL backend refuses: it has not caught up with the
/// SQLite schema 9 (protocol v2's deliveries and retraction, legal holds,
/// scoped dashboard reads).
pub const BEHIND: &str = "the PostgreSQL backend has not caught up with SQLite schema 9 \
     (protocol v2 pull and deliveries, erasure, retention, legal holds, scoped dashboard reads); \
     use SQLite until issue 12 is finished";

/// Appends an audit line left for the chain to take up (as the trigger on
/// applied versions does): the next read or append chains it.
fn audit(db: &Db<'_>, e: &NewAuditEntry) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&ms(e.at), &e.actor, &e.action, &e.subject, &e.detail],
    )?;
    Ok(())
}

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
        person: Uuid,
        held: bool,
        entry: &NewAuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.pg.write(|db| {
            if held {
                db.exec(
                    "INSERT INTO legal_holds (person_id, placed_at) VALUES ($1, $2)
                     ON CONFLICT (person_id) DO NOTHING",
                    &[&person.to_string(), &ms(now)],
                )?;
            } else {
                db.exec(
                    "DELETE FROM legal_holds WHERE person_id = $1",
                    &[&person.to_string()],
                )?;
            }
            audit(db, entry)
        })
    }

    fn legal_holds(&self) -> Result<Vec<Uuid>, StoreError> {
        self.pg.snapshot(|db| {
            db.query("SELECT person_id FROM legal_holds ORDER BY person_id", &[])?
                .iter()
                .map(|r| uuid(&r.try_get::<_, String>(0)?))
                .collect()
        })
    }

    fn audit_pull(
        &self,
        _device: Uuid,
        _page: &PullPage,
        _now: Timestamp,
    ) -> Result<(), StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn history_of(&self, kind: RecordKind, id: Uuid) -> Result<Vec<HistoryValue>, StoreError> {
        let id = id.to_string();
        self.pg.snapshot(|db| {
            db.query(
                "SELECT field, version, value, recorded_at FROM record_history
                 WHERE id = $1 ORDER BY entry",
                &[&id],
            )?
            .iter()
            .map(|r| {
                let field: Option<String> = r.try_get(0)?;
                let version: String = r.try_get(1)?;
                let sealed: Vec<u8> = r.try_get(2)?;
                let value =
                    open_history(&self.key, kind, &id, field.as_deref(), &version, &sealed)?;
                Ok(HistoryValue {
                    version,
                    field,
                    value,
                    recorded_at: ts(r.try_get(3)?)?,
                })
            })
            .collect()
        })
    }

    fn deliveries_of(&self, _person: Uuid) -> Result<Vec<Delivery>, StoreError> {
        Err(StoreError::Config(BEHIND))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use crate::store::dashboard::DashboardStore;
    use nightround_core::crypto::DataKey;

    /// A hold placed is listed and audited; lifted, it is gone (and that
    /// is audited too); placing it twice keeps one.
    #[test]
    fn postgres_legal_holds_are_placed_lifted_and_audited() {
        let Ok(cluster) = std::env::var("NIGHTROUND_TEST_PG") else {
            eprintln!("\n*** SKIPPED: NIGHTROUND_TEST_PG is not set (scripts/pg.sh) ***\n");
            return;
        };
        let url = testing::create_database(&cluster).unwrap();
        let now = chrono::Utc::now();
        let store = PgStore::open_behind(&url, DataKey::generate(1), now).unwrap();
        let (a, b) = (Uuid::from_u128(2), Uuid::from_u128(1));
        let entry = |action: &str, who: Uuid| NewAuditEntry {
            at: now,
            actor: "sup".into(),
            action: action.into(),
            subject: Some(who.to_string()),
            detail: None,
        };
        store
            .set_legal_hold(a, true, &entry("hold", a), now)
            .unwrap();
        store
            .set_legal_hold(b, true, &entry("hold", b), now)
            .unwrap();
        store
            .set_legal_hold(a, true, &entry("hold", a), now)
            .unwrap();
        assert_eq!(store.legal_holds().unwrap(), vec![b, a]);
        store
            .set_legal_hold(a, false, &entry("lift", a), now)
            .unwrap();
        assert_eq!(store.legal_holds().unwrap(), vec![b]);
        let actions: Vec<String> = store
            .audit_entries(10, None)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions.iter().filter(|a| *a == "hold").count(), 3);
        assert_eq!(actions.iter().filter(|a| *a == "lift").count(), 1);
        assert!(store.verify_audit().unwrap().first_broken.is_none());
    }
}
