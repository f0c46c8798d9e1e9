//! A pull page in the SQLite backend: the statements the shared pull
//! ([`crate::store::pull`]) needs; the page read on a pooled reader (one
//! snapshot, beside the writer: in WAL a reader sees a prefix of the
//! commits, so no sequence number is skipped), then what it decided written
//! in one short `BEGIN IMMEDIATE` transaction on the writer.

use super::records::SqlFacts;
use super::rows::{mark_synced, ms, read_directory, read_record, seq_param, RECORD_COLUMNS};
use crate::policy::Viewer;
use crate::store::pull::{
    self, DeliveredPage, Delivery, Dialect, PageWrites, PullSql, Stored, UnderReview,
};
use crate::store::{EnrolledDevice, PullPage, PullQuery, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

/// The pre-filtered rows statement ([`pull::prefiltered_rows`]) in
/// SQLite's words. It names the partial indexes it reads: without
/// statistics SQLite's planner would rather walk every row in seq order.
fn rows_sql() -> String {
    pull::prefiltered_rows(&Dialect {
        columns: RECORD_COLUMNS,
        after: "?1",
        limit: "?2",
        device: "?3",
        organisation: "?4",
        worker: "?5",
        now: "?6",
        not_deleted: "tombstone = 0",
        alerts: "records INDEXED BY records_by_alert",
        consents: "records INDEXED BY records_consents_in_force",
        any_array: false,
    })
}

impl PullSql for SqlFacts<'_> {
    fn rows_after(
        &self,
        after: u64,
        limit: usize,
        device: &str,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<Stored>, StoreError> {
        let raws: Vec<_> = self
            .conn
            .prepare_cached(&rows_sql())?
            .query_map(
                rusqlite::params![
                    seq_param(after),
                    i64::try_from(limit).unwrap_or(i64::MAX),
                    device,
                    viewer.organisation_id,
                    viewer.worker_id,
                    ms(now),
                ],
                read_record,
            )?
            .collect::<Result<_, _>>()?;
        raws.into_iter().map(|raw| raw.into_meta()).collect()
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        let last: Option<i64> = self
            .conn
            .query_row("SELECT MAX(seq) FROM records", [], |r| r.get(0))?;
        Ok(last.and_then(|l| u64::try_from(l).ok()).unwrap_or(0))
    }

    fn any_after(&self, after: u64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM records WHERE seq > ?1)")?
            .query_row([seq_param(after)], |r| r.get(0))?)
    }

    fn stored(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1"
            ))?
            .query_row([id], read_record)
            .optional()?
            .map(|raw| raw.into_meta())
            .transpose()
    }

    fn consents_in_force(&self, person: Uuid, now: Timestamp) -> Result<Vec<Stored>, StoreError> {
        let raws: Vec<_> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE person_id = ?1 AND kind = 'consent'
                 AND tombstone = 0 AND consent_until > ?2"
            ))?
            .query_map((person.to_string(), ms(now)), read_record)?
            .collect::<Result<_, _>>()?;
        raws.into_iter().map(|raw| raw.into_meta()).collect()
    }

    fn record_page(&self, p: &DeliveredPage) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO delivery_pages (device_id, first_seq, last_seq, organisation_runs,
                     own_runs, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(rusqlite::params![
                p.device,
                seq_param(p.first_seq),
                seq_param(p.last_seq),
                p.organisation_runs,
                p.own_runs,
                ms(p.at),
            ])?;
        Ok(())
    }

    fn record_delivery(&self, d: &Delivery) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO deliveries (device_id, record_id, kind, person_id, version, route,
                     conditional, categories, withheld, first_at, delivered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
                 ON CONFLICT (device_id, record_id) DO UPDATE SET
                     version = excluded.version, route = excluded.route,
                     person_id = excluded.person_id,
                     conditional = excluded.conditional, categories = excluded.categories,
                     withheld = excluded.withheld, delivered_at = excluded.delivered_at,
                     retracted_at = NULL, retract_fields = NULL, retract_cursor = NULL",
            )?
            .execute(rusqlite::params![
                d.device,
                d.record_id.to_string(),
                d.kind.as_str(),
                d.person_id.map(|p| p.to_string()),
                d.version,
                d.route,
                d.conditional,
                d.categories,
                d.withheld,
                ms(d.at),
            ])?;
        Ok(())
    }

    fn under_review(&self, device: &str, cursor: u64) -> Result<Vec<UnderReview>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT record_id, kind, categories, withheld, retracted_at IS NOT NULL,
                        retract_fields, retract_cursor
                 FROM deliveries WHERE device_id = ?1 AND conditional = 1
                     AND (retracted_at IS NULL OR retract_cursor >= ?2)",
            )?
            .query_map((device, seq_param(cursor)), |r| {
                Ok(UnderReview {
                    record_id: r.get(0)?,
                    kind: r.get(1)?,
                    categories: r.get(2)?,
                    withheld: r.get(3)?,
                    retracted: r.get(4)?,
                    retract_fields: r.get(5)?,
                    retract_cursor: r.get(6)?,
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    fn reshape_delivery(
        &self,
        device: &str,
        record_id: &str,
        categories: Option<&str>,
        withheld: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE deliveries SET categories = ?1, withheld = ?2
                 WHERE device_id = ?3 AND record_id = ?4",
            )?
            .execute((categories, withheld, device, record_id))?;
        Ok(())
    }

    fn retract_delivery(
        &self,
        device: &str,
        record_id: &str,
        fields: Option<&str>,
        next_cursor: u64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE deliveries SET
                     retracted_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE retracted_at END,
                     retract_fields = ?1, retract_cursor = ?3
                 WHERE device_id = ?4 AND record_id = ?5",
            )?
            .execute((fields, ms(now), seq_param(next_cursor), device, record_id))?;
        Ok(())
    }
}

/// One page for `caller`, read on `conn` (a reader) in one snapshot; it
/// writes nothing ([`write`] does).
pub(super) fn read(
    conn: &Connection,
    key: &DataKey,
    caller: &EnrolledDevice,
    query: &PullQuery,
    now: Timestamp,
) -> Result<(PullPage, PageWrites), StoreError> {
    let tx = conn.unchecked_transaction()?;
    let dir = read_directory(&tx)?;
    let agreement = super::partnership::read_agreement(&tx)?;
    let facts = SqlFacts {
        conn: &tx,
        dir: &dir,
    };
    let out = pull::page(&facts, key, agreement, &dir, caller, query, now)?;
    tx.finish()?;
    Ok(out)
}

/// Writes what [`read`] decided, and marks the device synced, inside the
/// writer's transaction `tx` (a savepoint of a group, ADR 0020).
pub(super) fn write(
    tx: &Connection,
    caller: &EnrolledDevice,
    writes: &PageWrites,
    now: Timestamp,
) -> Result<(), StoreError> {
    let dir = read_directory(tx)?;
    let facts = SqlFacts {
        conn: tx,
        dir: &dir,
    };
    pull::record(&facts, &caller.device.id.to_string(), writes, now)?;
    mark_synced(tx, caller.device.id, now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every read of `records` in a pull's rows statement is an index
    /// search, never a walk of the table, so its cost follows what it
    /// returns (issue 11; `tests/pull_cost.rs` measures it).
    #[test]
    fn the_rows_statement_searches_indexes_only() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::schema::configure(&conn).unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", rows_sql()))
            .unwrap()
            .query_map((0, 512, "d", "o", "w", 0), |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let reads: Vec<&String> = plan.iter().filter(|l| l.contains("records")).collect();
        assert!(reads.len() >= 8, "{plan:#?}");
        for line in reads {
            assert!(line.starts_with("SEARCH records USING "), "{plan:#?}");
            assert!(
                !line.contains("sqlite_autoindex_records_2 (seq>?)"),
                "{plan:#?}"
            );
        }
    }
}
