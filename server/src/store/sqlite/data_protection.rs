//! [`DataProtectionStore`] in the SQLite backend: erasure and retention
//! carried out in one transaction each, legal holds.

use super::records::load_current;
use super::rows::{ms, next_seq, read_record, seq_param, ts, uuid, RECORD_COLUMNS};
use super::SqliteStore;
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
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

/// Appends an audit line left for the chain to take up (as the trigger on
/// applied versions does): the next read or append chains it.
fn audit(conn: &Connection, e: &NewAuditEntry) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        (ms(e.at), &e.actor, &e.action, &e.subject, &e.detail),
    )?;
    Ok(())
}

impl DataProtectionStore for SqliteStore {
    fn held_records(&self, person: Option<Uuid>) -> Result<Vec<HeldRecord>, StoreError> {
        let conn = self.lock();
        let raws = match person {
            Some(p) => conn
                .prepare(&format!(
                    "SELECT {RECORD_COLUMNS} FROM records
                     WHERE tombstone = 0 AND (id = ?1 OR person_id = ?1) ORDER BY seq"
                ))?
                .query_map([p.to_string()], read_record)?
                .collect::<Result<Vec<_>, _>>()?,
            None => conn
                .prepare(&format!(
                    "SELECT {RECORD_COLUMNS} FROM records WHERE tombstone = 0 ORDER BY seq"
                ))?
                .query_map([], read_record)?
                .collect::<Result<Vec<_>, _>>()?,
        };
        let mut out = Vec::with_capacity(raws.len());
        for raw in raws {
            let (meta, sealed) = raw.into_meta()?;
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
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut changed = 0;
        for item in items {
            let id = item.id().to_string();
            let current = load_current(&tx, &self.key, &id)?;
            let Some(write) = disposal_write(&self.key, item, current.as_ref(), now)? else {
                continue;
            };
            let seq = seq_param(next_seq(&tx)?);
            match write.sealed {
                None => {
                    tx.execute(
                        "UPDATE records SET version = ?1, seq = ?2, tombstone = 1, body = NULL,
                             key_id = NULL, device_id = NULL, alert_until = NULL
                         WHERE id = ?3",
                        (&write.version, seq, &id),
                    )?;
                }
                Some(sealed) => {
                    tx.execute(
                        "UPDATE records SET version = ?1, seq = ?2, body = ?3, key_id = ?4,
                             device_id = NULL
                         WHERE id = ?5",
                        (&write.version, seq, sealed, self.key.id(), &id),
                    )?;
                }
            }
            // Every earlier value, sealed or not, goes with the old body.
            tx.execute("DELETE FROM record_history WHERE id = ?1", [&id])?;
            changed += 1;
        }
        audit(&tx, entry)?;
        tx.commit()?;
        // secure_delete overwrote the freed pages; push them out of the WAL.
        drop(conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())));
        Ok(changed)
    }

    fn set_legal_hold(
        &self,
        person: Uuid,
        held: bool,
        entry: &NewAuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if held {
            tx.execute(
                "INSERT INTO legal_holds (person_id, placed_at) VALUES (?1, ?2)
                 ON CONFLICT (person_id) DO NOTHING",
                (person.to_string(), ms(now)),
            )?;
        } else {
            tx.execute(
                "DELETE FROM legal_holds WHERE person_id = ?1",
                [person.to_string()],
            )?;
        }
        audit(&tx, entry)?;
        tx.commit()?;
        Ok(())
    }

    fn legal_holds(&self) -> Result<Vec<Uuid>, StoreError> {
        let conn = self.lock();
        let ids: Vec<String> = conn
            .prepare("SELECT person_id FROM legal_holds ORDER BY person_id")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter().map(|s| uuid(s)).collect()
    }

    fn history_of(&self, kind: RecordKind, id: Uuid) -> Result<Vec<HistoryValue>, StoreError> {
        let conn = self.lock();
        let id = id.to_string();
        let rows: Vec<(Option<String>, String, Vec<u8>, i64)> = conn
            .prepare(
                "SELECT field, version, value, recorded_at FROM record_history
                 WHERE id = ?1 ORDER BY entry",
            )?
            .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(field, version, sealed, at)| {
                let value =
                    open_history(&self.key, kind, &id, field.as_deref(), &version, &sealed)?;
                Ok(HistoryValue {
                    version,
                    field,
                    value,
                    recorded_at: ts(at)?,
                })
            })
            .collect()
    }

    fn deliveries_of(&self, person: Uuid) -> Result<Vec<Delivery>, StoreError> {
        let conn = self.lock();
        let p = person.to_string();
        let rows: Vec<DeliveryRow> = conn
            .prepare(&format!(
                "{DELIVERY_SELECT}
                 WHERE d.person_id = ?1 OR d.record_id = ?1
                 ORDER BY d.first_at, d.record_id, d.device_id"
            ))?
            .query_map([&p], |r| {
                Ok(DeliveryRow {
                    record_id: r.get(0)?,
                    kind: r.get(1)?,
                    device_id: r.get(2)?,
                    worker_id: r.get(3)?,
                    role: r.get(4)?,
                    organisation_id: r.get(5)?,
                    agency_id: r.get(6)?,
                    route: r.get(7)?,
                    categories: r.get(8)?,
                    first_at: r.get(9)?,
                    delivered_at: r.get(10)?,
                    retracted_at: r.get(11)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let rows = rows
            .into_iter()
            .map(DeliveryRow::into_delivery)
            .collect::<Result<Vec<_>, _>>()?;
        // Her records' sequence numbers, then the pages that hold them.
        let her: Vec<(i64, String, String)> = conn
            .prepare_cached(
                "SELECT s.seq, s.id, r.kind FROM record_seqs s JOIN records r ON r.id = s.id
                 WHERE r.person_id = ?1 OR r.id = ?1",
            )?
            .query_map([&p], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let her = her
            .into_iter()
            .map(|(seq, id, kind)| {
                Ok(HerSeq {
                    seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt("a seq"))?,
                    record_id: uuid(&id)?,
                    kind: RecordKind::parse(&kind).ok_or(StoreError::Corrupt("a record kind"))?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let (Some(lo), Some(hi)) = (
            her.iter().map(|h| h.seq).min(),
            her.iter().map(|h| h.seq).max(),
        ) else {
            return with_expanded(rows, Vec::new(), |_| Ok(None));
        };
        let pages: Vec<(String, String, String, i64)> = conn
            .prepare_cached(
                "SELECT device_id, organisation_runs, own_runs, at FROM delivery_pages
                 WHERE last_seq >= ?1 AND first_seq <= ?2",
            )?
            .query_map((seq_param(lo), seq_param(hi)), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        let pages = pages
            .into_iter()
            .map(|(device, organisation_runs, own_runs, at)| {
                Ok(PageRow {
                    device,
                    organisation_runs,
                    own_runs,
                    at: ts(at)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let expanded = expand(&her, &pages)?;
        let mut st = conn.prepare_cached(&format!("{HOLDER_SELECT} ?1"))?;
        with_expanded(rows, expanded, |device| {
            Ok(st
                .query_row([device], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?)
        })
    }

    fn audit_pull(&self, device: Uuid, page: &PullPage, now: Timestamp) -> Result<(), StoreError> {
        if page.changes.is_empty() && page.retract.is_empty() {
            return Ok(());
        }
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let device_text = device.to_string();
        let entry = {
            let mut st = tx.prepare_cached(
                "SELECT categories FROM deliveries WHERE device_id = ?1 AND record_id = ?2",
            )?;
            pull_audit_entry(device, page, now, |id| {
                Ok(st
                    .query_row((&device_text, id.to_string()), |r| {
                        r.get::<_, Option<String>>(0)
                    })
                    .optional()?
                    .flatten())
            })?
        };
        if let Some(entry) = entry {
            audit(&tx, &entry)?;
        }
        tx.commit()?;
        Ok(())
    }
}
