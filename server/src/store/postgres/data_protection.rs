//! Erasure, retention, legal holds and subject access on PostgreSQL, as
//! `store/sqlite/data_protection.rs`: the same statements, and the
//! decisions (what a held record is, what a disposal writes, what the
//! pull's audit entry says) from `store/data_protection.rs`, shared by both.
//!
//! A disposal's old row versions stay in the table's pages until VACUUM
//! removes them, as SQLite's freed pages stay in its WAL until a
//! checkpoint: after each disposal the two tables are vacuumed (best
//! effort, outside the transaction, as SQLite's checkpoint is).

use super::db::{get, Db};
use super::records::load_current;
use super::rows::{ms, next_seq, read_record, seq_param, ts, uuid, RECORD_COLUMNS};
use super::PgStore;
use crate::store::dashboard::NewAuditEntry;
use crate::store::data_protection::{
    disposal_write, held_record, pull_audit_entry, with_expanded, DataProtectionStore, Delivery,
    DeliveryRow, Disposal, HeldRecord, HistoryValue, DELIVERY_SELECT, HOLDER_SELECT,
};
use crate::store::pull::pages::{expand, HerSeq, PageRow};
use crate::store::sealed::open_history;
use crate::store::{PullPage, StoreError};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use uuid::Uuid;

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
    fn held_records(&self, person: Option<Uuid>) -> Result<Vec<HeldRecord>, StoreError> {
        let rows = self.pg.snapshot(|db| match person {
            Some(p) => db.query(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM records
                     WHERE NOT tombstone AND (id = $1 OR person_id = $1) ORDER BY seq"
                ),
                &[&p.to_string()],
            ),
            None => db.query(
                &format!("SELECT {RECORD_COLUMNS} FROM records WHERE NOT tombstone ORDER BY seq"),
                &[],
            ),
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (meta, sealed) = read_record(&row)?;
            out.extend(held_record(&self.key, meta, sealed)?);
        }
        Ok(out)
    }

    fn dispose(
        &self,
        items: &[Disposal],
        entry: &NewAuditEntry,
        now: Timestamp,
    ) -> Result<u32, StoreError> {
        let changed = self.pg.write(|db| {
            let mut changed = 0;
            for item in items {
                let id = item.id().to_string();
                let current = load_current(db, &self.key, &id)?;
                let Some(write) = disposal_write(&self.key, item, current.as_ref(), now)? else {
                    continue;
                };
                let seq = seq_param(next_seq(db)?);
                match write.sealed {
                    None => db.exec(
                        "UPDATE records SET version = $1, seq = $2, tombstone = TRUE, body = NULL,
                             key_id = NULL, device_id = NULL, alert_until = NULL
                         WHERE id = $3",
                        &[&write.version, &seq, &id],
                    )?,
                    Some(sealed) => db.exec(
                        "UPDATE records SET version = $1, seq = $2, body = $3, key_id = $4,
                             device_id = NULL
                         WHERE id = $5",
                        &[
                            &write.version,
                            &seq,
                            &sealed,
                            &i64::from(self.key.id()),
                            &id,
                        ],
                    )?,
                };
                // Every earlier value, sealed or not, goes with the old body.
                db.exec("DELETE FROM record_history WHERE id = $1", &[&id])?;
                changed += 1;
            }
            audit(db, entry)?;
            Ok(changed)
        })?;
        if changed > 0 {
            // The old row versions hold the old sealed bodies until vacuumed.
            // Best effort, as SQLite's checkpoint: the disposal has committed.
            if let Err(e) = self.pg.simple("VACUUM records, record_history") {
                tracing::warn!(error = %e, "could not vacuum after a disposal");
            }
        }
        Ok(changed)
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

    fn audit_pull(&self, device: Uuid, page: &PullPage, now: Timestamp) -> Result<(), StoreError> {
        if page.changes.is_empty() && page.retract.is_empty() {
            return Ok(());
        }
        let device_text = device.to_string();
        self.pg.write(|db| {
            let entry = pull_audit_entry(device, page, now, |id| {
                Ok(db
                    .opt::<Option<String>>(
                        "SELECT categories FROM deliveries WHERE device_id = $1 AND record_id = $2",
                        &[&device_text, &id.to_string()],
                    )?
                    .flatten())
            })?;
            match entry {
                Some(entry) => audit(db, &entry),
                None => Ok(()),
            }
        })
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

    fn deliveries_of(&self, person: Uuid) -> Result<Vec<Delivery>, StoreError> {
        let p = person.to_string();
        self.pg.snapshot(|db| {
            let rows = db
                .query(
                    &format!(
                        "{DELIVERY_SELECT}
                         WHERE d.person_id = $1 OR d.record_id = $1
                         ORDER BY d.first_at, d.record_id, d.device_id"
                    ),
                    &[&p],
                )?
                .iter()
                .map(|r| {
                    DeliveryRow {
                        record_id: get(r, 0)?,
                        kind: get(r, 1)?,
                        device_id: get(r, 2)?,
                        worker_id: get(r, 3)?,
                        role: get(r, 4)?,
                        organisation_id: get(r, 5)?,
                        agency_id: get(r, 6)?,
                        route: get(r, 7)?,
                        categories: get(r, 8)?,
                        first_at: get(r, 9)?,
                        delivered_at: get(r, 10)?,
                        retracted_at: get(r, 11)?,
                    }
                    .into_delivery()
                })
                .collect::<Result<Vec<_>, _>>()?;
            // Her records' sequence numbers, then the pages that hold them.
            let her = db
                .query(
                    "SELECT s.seq, s.id, r.kind FROM record_seqs s JOIN records r ON r.id = s.id
                     WHERE r.person_id = $1 OR r.id = $1",
                    &[&p],
                )?
                .iter()
                .map(|r| {
                    let seq: i64 = get(r, 0)?;
                    let id: String = get(r, 1)?;
                    let kind: String = get(r, 2)?;
                    Ok(HerSeq {
                        seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt("a seq"))?,
                        record_id: uuid(&id)?,
                        kind: RecordKind::parse(&kind)
                            .ok_or(StoreError::Corrupt("a record kind"))?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let (Some(lo), Some(hi)) = (
                her.iter().map(|h| h.seq).min(),
                her.iter().map(|h| h.seq).max(),
            ) else {
                return with_expanded(rows, Vec::new(), |_| Ok(None));
            };
            let pages = db
                .query(
                    "SELECT device_id, organisation_runs, own_runs, at FROM delivery_pages
                     WHERE last_seq >= $1 AND first_seq <= $2",
                    &[&seq_param(lo), &seq_param(hi)],
                )?
                .iter()
                .map(|r| {
                    Ok(PageRow {
                        device: get(r, 0)?,
                        organisation_runs: get(r, 1)?,
                        own_runs: get(r, 2)?,
                        at: ts(get(r, 3)?)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let expanded = expand(&her, &pages)?;
            let holder_sql = format!("{HOLDER_SELECT} $1");
            with_expanded(rows, expanded, |device| {
                db.row(&holder_sql, &[&device])?
                    .map(|r| Ok((get(&r, 0)?, get(&r, 1)?, get(&r, 2)?, get(&r, 3)?)))
                    .transpose()
            })
        })
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
        let store = PgStore::open(&url, DataKey::generate(1), now).unwrap();
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
