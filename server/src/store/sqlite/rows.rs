//! Row mapping for the SQLite backend: raw column values in, typed values
//! out, with damage reported as [`StoreError::Corrupt`] rather than a panic.

use crate::store::{
    parse_role, Device, EnrolledDevice, Organisation, RecordMeta, StoreError, Worker,
};
use nightround_core::domain::{Directory, RecordKind};
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row};
use uuid::Uuid;

pub(super) fn ms(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

pub(super) fn ts(ms: i64) -> Result<Timestamp, StoreError> {
    chrono::DateTime::from_timestamp_millis(ms).ok_or(StoreError::Corrupt("a timestamp"))
}

pub(super) fn opt_ts(ms: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    ms.map(ts).transpose()
}

pub(super) fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| StoreError::Corrupt("an id"))
}

pub(super) fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

pub(super) fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

pub(super) fn next_seq(conn: &Connection) -> Result<u64, StoreError> {
    let seq: i64 = conn.query_row(
        "INSERT INTO server_meta (name, value) VALUES ('last_seq', 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1
         RETURNING value",
        [],
        |r| r.get(0),
    )?;
    u64::try_from(seq).map_err(|_| StoreError::Corrupt("the sequence counter"))
}

pub(super) fn read_directory(conn: &Connection) -> Result<Directory, StoreError> {
    let body: String = conn
        .query_row("SELECT body FROM directory WHERE singleton = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(StoreError::Corrupt("the directory is missing"))?;
    serde_json::from_str(&body).map_err(|_| StoreError::Corrupt("the directory"))
}

// ---- organisations, workers, devices -------------------------------------

pub(super) struct RawWorker {
    id: String,
    organisation_id: String,
    display_name: String,
    role: String,
    agency_id: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
}

pub(super) const WORKER_COLUMNS: &str =
    "w.id, w.organisation_id, w.display_name, w.role, w.agency_id, w.created_at, w.revoked_at";

pub(super) fn read_worker(r: &Row<'_>, at: usize) -> rusqlite::Result<RawWorker> {
    Ok(RawWorker {
        id: r.get(at)?,
        organisation_id: r.get(at + 1)?,
        display_name: r.get(at + 2)?,
        role: r.get(at + 3)?,
        agency_id: r.get(at + 4)?,
        created_at: r.get(at + 5)?,
        revoked_at: r.get(at + 6)?,
    })
}

impl RawWorker {
    pub(super) fn into_worker(self) -> Result<Worker, StoreError> {
        Ok(Worker {
            role: parse_role(&self.role).ok_or(StoreError::Corrupt("a worker's role"))?,
            id: self.id,
            organisation_id: self.organisation_id,
            display_name: self.display_name,
            agency_id: self.agency_id,
            created_at: ts(self.created_at)?,
            revoked_at: opt_ts(self.revoked_at)?,
        })
    }
}

pub(super) struct RawEnrolled {
    device_id: String,
    name: String,
    enrolled_at: i64,
    last_sync_at: Option<i64>,
    revoked_at: Option<i64>,
    worker: RawWorker,
    org_name: String,
    org_created_at: i64,
}

pub(super) const ENROLLED_SELECT: &str =
    "SELECT d.id, d.name, d.enrolled_at, d.last_sync_at, d.revoked_at,
        w.id, w.organisation_id, w.display_name, w.role, w.agency_id, w.created_at, w.revoked_at,
        o.name, o.created_at
     FROM devices d
     JOIN workers w ON w.id = d.worker_id
     JOIN organisations o ON o.id = w.organisation_id";

pub(super) fn read_enrolled(r: &Row<'_>) -> rusqlite::Result<RawEnrolled> {
    Ok(RawEnrolled {
        device_id: r.get(0)?,
        name: r.get(1)?,
        enrolled_at: r.get(2)?,
        last_sync_at: r.get(3)?,
        revoked_at: r.get(4)?,
        worker: read_worker(r, 5)?,
        org_name: r.get(12)?,
        org_created_at: r.get(13)?,
    })
}

impl RawEnrolled {
    pub(super) fn into_enrolled(self) -> Result<EnrolledDevice, StoreError> {
        let worker = self.worker.into_worker()?;
        Ok(EnrolledDevice {
            device: Device {
                id: uuid(&self.device_id)?,
                worker_id: worker.id.clone(),
                name: self.name,
                enrolled_at: ts(self.enrolled_at)?,
                last_sync_at: opt_ts(self.last_sync_at)?,
                revoked_at: opt_ts(self.revoked_at)?,
            },
            organisation: Organisation {
                id: worker.organisation_id.clone(),
                name: self.org_name,
                created_at: ts(self.org_created_at)?,
            },
            worker,
        })
    }
}

pub(super) fn enrolled_where(
    conn: &Connection,
    filter: &str,
    param: &dyn rusqlite::ToSql,
) -> Result<Option<EnrolledDevice>, StoreError> {
    conn.prepare_cached(&format!("{ENROLLED_SELECT} WHERE {filter}"))?
        .query_row([param], read_enrolled)
        .optional()?
        .map(RawEnrolled::into_enrolled)
        .transpose()
}

// ---- records ---------------------------------------------------------------

pub(super) struct RawRecord {
    id: String,
    kind: String,
    version: String,
    seq: i64,
    organisation_id: String,
    author_worker_id: String,
    person_id: Option<String>,
    agency_id: Option<String>,
    alert_until: Option<i64>,
    consent_until: Option<i64>,
    tombstone: bool,
    body: Option<Vec<u8>>,
}

pub(super) const RECORD_COLUMNS: &str = "id, kind, version, seq, organisation_id, author_worker_id,
    person_id, agency_id, alert_until, consent_until, tombstone, body";

pub(super) fn read_record(r: &Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok(RawRecord {
        id: r.get(0)?,
        kind: r.get(1)?,
        version: r.get(2)?,
        seq: r.get(3)?,
        organisation_id: r.get(4)?,
        author_worker_id: r.get(5)?,
        person_id: r.get(6)?,
        agency_id: r.get(7)?,
        alert_until: r.get(8)?,
        consent_until: r.get(9)?,
        tombstone: r.get(10)?,
        body: r.get(11)?,
    })
}

impl RawRecord {
    pub(super) fn into_meta(self) -> Result<(RecordMeta, Option<Vec<u8>>), StoreError> {
        Ok((
            RecordMeta {
                kind: RecordKind::parse(&self.kind).ok_or(StoreError::Corrupt("a record kind"))?,
                id: uuid(&self.id)?,
                version: self.version,
                seq: u64::try_from(self.seq).map_err(|_| StoreError::Corrupt("a seq"))?,
                organisation_id: self.organisation_id,
                author_worker_id: self.author_worker_id,
                person_id: self.person_id.as_deref().map(uuid).transpose()?,
                agency_id: self.agency_id,
                alert_until: opt_ts(self.alert_until)?,
                consent_until: opt_ts(self.consent_until)?,
                tombstone: self.tombstone,
            },
            self.body,
        ))
    }
}

pub(super) fn mark_synced(
    conn: &Connection,
    device: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE devices SET last_sync_at = ?1 WHERE id = ?2")?
        .execute((ms(now), device.to_string()))?;
    Ok(())
}
