//! Reading and writing records in the SQLite backend: the current state,
//! its history, re-sequencing, and the facts the policy asks about.

use super::rows::{ms, next_seq, read_record, seq_param, RECORD_COLUMNS};
use crate::apply::{Current, HistoryEntry, NewState};
use crate::merge::FieldVersions;
use crate::policy::Facts;
use crate::store::sealed::{open_record, seal_history, seal_record};
use crate::store::{RecordMeta, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::domain::{Directory, RecordKind};
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

pub(super) fn load_current(
    conn: &Connection,
    key: &DataKey,
    id: &str,
) -> Result<Option<Current>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1"
        ))?
        .query_row([id], read_record)
        .optional()?;
    let Some(raw) = raw else { return Ok(None) };
    let (meta, sealed) = raw.into_meta()?;
    let opened = open_record(key, &meta, sealed)?;
    let (body, field_versions) = match opened {
        Some(r) => (Some(r.body), r.field_versions),
        None => (None, FieldVersions::new()),
    };
    Ok(Some(Current {
        meta,
        body,
        field_versions,
    }))
}

pub(super) fn write_state(
    conn: &Connection,
    key: &DataKey,
    s: &NewState,
) -> Result<(), StoreError> {
    write_state_from(conn, key, s, None)
}

/// As [`write_state`], naming the device that pushed this exact version
/// (`None` for a version the server wrote): a pull never sends a device
/// what it pushed itself.
pub(super) fn write_state_from(
    conn: &Connection,
    key: &DataKey,
    s: &NewState,
    device_id: Option<&str>,
) -> Result<(), StoreError> {
    let seq = next_seq(conn)?;
    let id = s.id.to_string();
    let sealed = s
        .body
        .as_ref()
        .map(|body| seal_record(key, s.kind, &id, &s.version, body, &s.field_versions))
        .transpose()?;
    conn.prepare_cached(
        "INSERT INTO records (id, kind, version, seq, organisation_id, author_worker_id,
             person_id, agency_id, alert_until, consent_until, tombstone, key_id, body, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET
             kind = excluded.kind, version = excluded.version, seq = excluded.seq,
             organisation_id = excluded.organisation_id,
             author_worker_id = excluded.author_worker_id,
             person_id = excluded.person_id, agency_id = excluded.agency_id,
             alert_until = excluded.alert_until, consent_until = excluded.consent_until,
             tombstone = excluded.tombstone, key_id = excluded.key_id, body = excluded.body,
             device_id = excluded.device_id",
    )?
    .execute(rusqlite::params![
        id,
        s.kind.as_str(),
        s.version,
        seq_param(seq),
        s.organisation_id,
        s.author_worker_id,
        s.person_id.map(|p| p.to_string()),
        s.agency_id,
        s.alert_until.map(ms),
        s.consent_until.map(ms),
        s.tombstone,
        sealed.as_ref().map(|_| key.id()),
        sealed,
        device_id,
    ])?;
    super::dashboard_views::observe(conn, s)
}

pub(super) fn write_history(
    conn: &Connection,
    key: &DataKey,
    kind: RecordKind,
    id: &str,
    entry: &HistoryEntry,
    now: Timestamp,
) -> Result<(), StoreError> {
    let sealed = seal_history(key, kind, id, entry)?;
    conn.prepare_cached(
        "INSERT INTO record_history (id, kind, field, version, key_id, value, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        id,
        kind.as_str(),
        entry.field,
        entry.version,
        key.id(),
        sealed,
        ms(now)
    ])?;
    Ok(())
}

/// Gives a person's records new sequence numbers, so that a device whose
/// view of her just widened (a consent, a referral) pulls them again.
pub(super) fn resequence_person(conn: &Connection, person: Uuid) -> Result<(), StoreError> {
    let p = person.to_string();
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM records WHERE person_id = ?1 OR id = ?1 ORDER BY seq")?
        .query_map([&p], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut update = conn.prepare_cached("UPDATE records SET seq = ?1 WHERE id = ?2")?;
    for id in ids {
        update.execute((seq_param(next_seq(conn)?), id))?;
    }
    Ok(())
}

/// The policy's questions, answered from the plaintext columns.
pub(super) struct SqlFacts<'c> {
    pub(super) conn: &'c Connection,
    pub(super) dir: &'c Directory,
}

impl Facts for SqlFacts<'_> {
    fn is_police_agency(&self, agency_id: &str) -> bool {
        self.dir.agency(agency_id).is_some_and(|a| a.is_police)
    }

    fn consent_in_force(
        &self,
        person: Uuid,
        agency_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM records WHERE person_id = ?1 AND kind = 'consent'
                 AND agency_id = ?2 AND tombstone = 0 AND consent_until > ?3)",
            )?
            .query_row((person.to_string(), agency_id, ms(now)), |r| r.get(0))?)
    }

    fn consent_to_police_in_force(&self, person: Uuid, now: Timestamp) -> Result<bool, StoreError> {
        let agencies: Vec<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT agency_id FROM records WHERE person_id = ?1 AND kind = 'consent'
                 AND tombstone = 0 AND consent_until > ?2",
            )?
            .query_map((person.to_string(), ms(now)), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(agencies.iter().flatten().any(|a| self.is_police_agency(a)))
    }

    fn record(&self, id: Uuid) -> Result<Option<RecordMeta>, StoreError> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1"
            ))?
            .query_row([id.to_string()], read_record)
            .optional()?;
        raw.map(|r| r.into_meta().map(|(meta, _)| meta)).transpose()
    }

    fn referred_to(&self, person: Uuid, agency_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM records WHERE person_id = ?1 AND kind = 'referral'
                 AND agency_id = ?2 AND tombstone = 0)",
            )?
            .query_row((person.to_string(), agency_id), |r| r.get(0))?)
    }
}
