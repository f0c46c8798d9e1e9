//! Row mapping for the PostgreSQL backend: raw column values in, typed values
//! out, with damage reported as [`StoreError::Corrupt`] rather than a panic.
//! Column lists match the SQLite backend's, so both read the same shapes.

use super::db::{get, Db};
use crate::store::{
    parse_role, Device, EnrolledDevice, Organisation, RecordMeta, StoreError, Worker,
};
use nightround_core::domain::{Directory, RecordKind};
use nightround_core::Timestamp;
use tokio_postgres::Row;
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

/// The next record sequence number (the caller holds the writers' lock).
pub(super) fn next_seq(db: &Db<'_>) -> Result<u64, StoreError> {
    let seq: i64 = db.one(
        "INSERT INTO server_meta (name, num) VALUES ('last_seq', 1)
         ON CONFLICT (name) DO UPDATE SET num = server_meta.num + 1
         RETURNING num",
        &[],
    )?;
    u64::try_from(seq).map_err(|_| StoreError::Corrupt("the sequence counter"))
}

pub(super) fn read_directory(db: &Db<'_>) -> Result<Directory, StoreError> {
    let body: String = db
        .opt("SELECT body FROM directory WHERE singleton = 1", &[])?
        .ok_or(StoreError::Corrupt("the directory is missing"))?;
    serde_json::from_str(&body).map_err(|_| StoreError::Corrupt("the directory"))
}

// ---- organisations, workers, devices -------------------------------------

pub(super) const WORKER_COLUMNS: &str =
    "w.id, w.organisation_id, w.display_name, w.role, w.agency_id, w.created_at, w.revoked_at";

pub(super) fn read_worker(r: &Row, at: usize) -> Result<Worker, StoreError> {
    let role: String = get(r, at + 3)?;
    Ok(Worker {
        id: get(r, at)?,
        organisation_id: get(r, at + 1)?,
        display_name: get(r, at + 2)?,
        role: parse_role(&role).ok_or(StoreError::Corrupt("a worker's role"))?,
        agency_id: get(r, at + 4)?,
        created_at: ts(get(r, at + 5)?)?,
        revoked_at: opt_ts(get(r, at + 6)?)?,
    })
}

pub(super) fn read_organisation(r: &Row) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: get(r, 0)?,
        name: get(r, 1)?,
        created_at: ts(get(r, 2)?)?,
    })
}

pub(super) const ENROLLED_SELECT: &str =
    "SELECT d.id, d.name, d.enrolled_at, d.last_sync_at, d.revoked_at,
        w.id, w.organisation_id, w.display_name, w.role, w.agency_id, w.created_at, w.revoked_at,
        o.name, o.created_at
     FROM devices d
     JOIN workers w ON w.id = d.worker_id
     JOIN organisations o ON o.id = w.organisation_id";

pub(super) fn read_enrolled(r: &Row) -> Result<EnrolledDevice, StoreError> {
    let worker = read_worker(r, 5)?;
    let device_id: String = get(r, 0)?;
    Ok(EnrolledDevice {
        device: Device {
            id: uuid(&device_id)?,
            worker_id: worker.id.clone(),
            name: get(r, 1)?,
            enrolled_at: ts(get(r, 2)?)?,
            last_sync_at: opt_ts(get(r, 3)?)?,
            revoked_at: opt_ts(get(r, 4)?)?,
        },
        organisation: Organisation {
            id: worker.organisation_id.clone(),
            name: get(r, 12)?,
            created_at: ts(get(r, 13)?)?,
        },
        worker,
    })
}

// ---- records ---------------------------------------------------------------

pub(super) const RECORD_COLUMNS: &str = "id, kind, version, seq, organisation_id, author_worker_id,
    person_id, agency_id, alert_until, consent_until, tombstone, body";

/// A record row: its plaintext columns and its sealed body.
pub(super) fn read_record(r: &Row) -> Result<(RecordMeta, Option<Vec<u8>>), StoreError> {
    let kind: String = get(r, 1)?;
    let id: String = get(r, 0)?;
    let seq: i64 = get(r, 3)?;
    let person: Option<String> = get(r, 6)?;
    Ok((
        RecordMeta {
            kind: RecordKind::parse(&kind).ok_or(StoreError::Corrupt("a record kind"))?,
            id: uuid(&id)?,
            version: get(r, 2)?,
            seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt("a seq"))?,
            organisation_id: get(r, 4)?,
            author_worker_id: get(r, 5)?,
            person_id: person.as_deref().map(uuid).transpose()?,
            agency_id: get(r, 7)?,
            alert_until: opt_ts(get(r, 8)?)?,
            consent_until: opt_ts(get(r, 9)?)?,
            tombstone: get(r, 10)?,
        },
        get(r, 11)?,
    ))
}

pub(super) fn mark_synced(db: &Db<'_>, device: Uuid, now: Timestamp) -> Result<(), StoreError> {
    db.exec(
        "UPDATE devices SET last_sync_at = $1 WHERE id = $2",
        &[&ms(now), &device.to_string()],
    )?;
    Ok(())
}
