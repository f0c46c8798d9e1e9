//! A pull page in the PostgreSQL backend: the statements the shared pull
//! ([`crate::store::pull`]) needs, the same as SQLite's `sqlite/pull.rs`:
//! the page read in one repeatable-read snapshot without the writers' lock
//! (writers commit in sequence order under that lock, so a snapshot holds a
//! prefix of the sequence numbers and the page skips none a push is still
//! committing), then what it decided written in one short transaction under
//! the lock.

use super::db::{get, Db};
use super::records::PgFacts;
use super::rows::{mark_synced, ms, read_directory, read_record, seq_param, RECORD_COLUMNS};
use crate::policy::Viewer;
use crate::store::pull::{
    self, DeliveredPage, Delivery, Dialect, PageWrites, PullSql, Stored, UnderReview,
};
use crate::store::{EnrolledDevice, PullPage, PullQuery, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::Timestamp;
use uuid::Uuid;

impl PullSql for PgFacts<'_, '_> {
    fn rows_after(
        &self,
        after: u64,
        limit: usize,
        device: &str,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<Stored>, StoreError> {
        let sql = pull::prefiltered_rows(&Dialect {
            columns: RECORD_COLUMNS,
            after: "$1",
            limit: "$2",
            device: "$3",
            organisation: "$4",
            worker: "$5",
            now: "$6",
            not_deleted: "NOT tombstone",
            alerts: "records",
            consents: "records",
            any_array: true,
        });
        self.db
            .query(
                &sql,
                &[
                    &seq_param(after),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                    &device,
                    &viewer.organisation_id,
                    &viewer.worker_id,
                    &ms(now),
                ],
            )?
            .iter()
            .map(read_record)
            .collect()
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        let last: i64 = self
            .db
            .one("SELECT COALESCE(MAX(seq), 0) FROM records", &[])?;
        Ok(u64::try_from(last).unwrap_or(0))
    }

    fn any_after(&self, after: u64) -> Result<bool, StoreError> {
        self.db.one(
            "SELECT EXISTS (SELECT 1 FROM records WHERE seq > $1)",
            &[&seq_param(after)],
        )
    }

    fn stored(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.db
            .row(
                &format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1"),
                &[&id],
            )?
            .map(|r| read_record(&r))
            .transpose()
    }

    fn consents_in_force(&self, person: Uuid, now: Timestamp) -> Result<Vec<Stored>, StoreError> {
        self.db
            .query(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM records WHERE person_id = $1
                     AND kind = 'consent' AND NOT tombstone AND consent_until > $2"
                ),
                &[&person.to_string(), &ms(now)],
            )?
            .iter()
            .map(read_record)
            .collect()
    }

    fn record_page(&self, p: &DeliveredPage) -> Result<(), StoreError> {
        self.db.exec(
            "INSERT INTO delivery_pages (device_id, first_seq, last_seq, organisation_runs,
                 own_runs, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &p.device,
                &seq_param(p.first_seq),
                &seq_param(p.last_seq),
                &p.organisation_runs,
                &p.own_runs,
                &ms(p.at),
            ],
        )?;
        Ok(())
    }

    fn record_delivery(&self, d: &Delivery) -> Result<(), StoreError> {
        self.db.exec(
            "INSERT INTO deliveries (device_id, record_id, kind, person_id, version, route,
                 conditional, categories, withheld, first_at, delivered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             ON CONFLICT (device_id, record_id) DO UPDATE SET
                 version = excluded.version, route = excluded.route,
                 person_id = excluded.person_id,
                 conditional = excluded.conditional, categories = excluded.categories,
                 withheld = excluded.withheld, delivered_at = excluded.delivered_at,
                 retracted_at = NULL, retract_fields = NULL, retract_cursor = NULL",
            &[
                &d.device,
                &d.record_id.to_string(),
                &d.kind.as_str(),
                &d.person_id.map(|p| p.to_string()),
                &d.version,
                &d.route,
                &d.conditional,
                &d.categories,
                &d.withheld,
                &ms(d.at),
            ],
        )?;
        Ok(())
    }

    fn under_review(&self, device: &str, cursor: u64) -> Result<Vec<UnderReview>, StoreError> {
        self.db
            .query(
                "SELECT record_id, kind, categories, withheld, retracted_at IS NOT NULL,
                        retract_fields, retract_cursor
                 FROM deliveries WHERE device_id = $1 AND conditional
                     AND (retracted_at IS NULL OR retract_cursor >= $2)",
                &[&device, &seq_param(cursor)],
            )?
            .iter()
            .map(|r| {
                Ok(UnderReview {
                    record_id: get(r, 0)?,
                    kind: get(r, 1)?,
                    categories: get(r, 2)?,
                    withheld: get(r, 3)?,
                    retracted: get(r, 4)?,
                    retract_fields: get(r, 5)?,
                    retract_cursor: get(r, 6)?,
                })
            })
            .collect()
    }

    fn reshape_delivery(
        &self,
        device: &str,
        record_id: &str,
        categories: Option<&str>,
        withheld: &str,
    ) -> Result<(), StoreError> {
        self.db.exec(
            "UPDATE deliveries SET categories = $1, withheld = $2
             WHERE device_id = $3 AND record_id = $4",
            &[&categories, &withheld, &device, &record_id],
        )?;
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
        self.db.exec(
            "UPDATE deliveries SET
                 retracted_at = CASE WHEN $1::text IS NULL THEN $2::bigint ELSE retracted_at END,
                 retract_fields = $1::text, retract_cursor = $3
             WHERE device_id = $4 AND record_id = $5",
            &[
                &fields,
                &ms(now),
                &seq_param(next_cursor),
                &device,
                &record_id,
            ],
        )?;
        Ok(())
    }
}

/// One page for `caller`, read in the caller's snapshot transaction; it
/// writes nothing ([`write`] does).
pub(super) fn read(
    db: &Db<'_>,
    key: &DataKey,
    caller: &EnrolledDevice,
    query: &PullQuery,
    now: Timestamp,
) -> Result<(PullPage, PageWrites), StoreError> {
    let dir = read_directory(db)?;
    let agreement = super::partnership::read_agreement(db)?;
    let facts = PgFacts { db, dir: &dir };
    pull::page(&facts, key, agreement, &dir, caller, query, now)
}

/// Writes what [`read`] decided, and marks the device synced, in the
/// caller's transaction under the writers' lock.
pub(super) fn write(
    db: &Db<'_>,
    caller: &EnrolledDevice,
    writes: &PageWrites,
    now: Timestamp,
) -> Result<(), StoreError> {
    let dir = read_directory(db)?;
    let facts = PgFacts { db, dir: &dir };
    pull::record(&facts, &caller.device.id.to_string(), writes, now)?;
    mark_synced(db, caller.device.id, now)
}
