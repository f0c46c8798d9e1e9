//! Reading and writing records in the PostgreSQL backend: the current state,
//! its history, re-sequencing, and the facts the policy asks about (the same
//! statements as the SQLite backend's `records.rs`).

use super::db::{get, Db};
use super::rows::{ms, next_seq, read_record, seq_param, RECORD_COLUMNS};
use crate::apply::{Current, HistoryEntry, NewState};
use crate::merge::FieldVersions;
use crate::policy::Facts;
use crate::store::sealed::{open_record, seal_history, seal_record};
use crate::store::{RecordMeta, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::domain::{Directory, RecordKind};
use nightround_core::Timestamp;
use uuid::Uuid;

pub(super) fn load_current(
    db: &Db<'_>,
    key: &DataKey,
    id: &str,
) -> Result<Option<Current>, StoreError> {
    let Some(row) = db.row(
        &format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1"),
        &[&id],
    )?
    else {
        return Ok(None);
    };
    let (meta, sealed) = read_record(&row)?;
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

pub(super) fn write_state(db: &Db<'_>, key: &DataKey, s: &NewState) -> Result<(), StoreError> {
    write_state_from(db, key, s, None)
}

/// As [`write_state`], naming the device that pushed this exact version
/// (`None` for a version the server wrote): a pull never sends a device
/// what it pushed itself.
pub(super) fn write_state_from(
    db: &Db<'_>,
    key: &DataKey,
    s: &NewState,
    device_id: Option<&str>,
) -> Result<(), StoreError> {
    let seq = seq_param(next_seq(db)?);
    let id = s.id.to_string();
    let sealed = s
        .body
        .as_ref()
        .map(|body| seal_record(key, s.kind, &id, &s.version, body, &s.field_versions))
        .transpose()?;
    let key_id = sealed.as_ref().map(|_| i64::from(key.id()));
    db.exec(
        "INSERT INTO records (id, kind, version, seq, organisation_id, author_worker_id,
             person_id, agency_id, alert_until, consent_until, tombstone, key_id, body, device_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO UPDATE SET
             kind = excluded.kind, version = excluded.version, seq = excluded.seq,
             organisation_id = excluded.organisation_id,
             author_worker_id = excluded.author_worker_id,
             person_id = excluded.person_id, agency_id = excluded.agency_id,
             alert_until = excluded.alert_until, consent_until = excluded.consent_until,
             tombstone = excluded.tombstone, key_id = excluded.key_id, body = excluded.body,
             device_id = excluded.device_id",
        &[
            &id,
            &s.kind.as_str(),
            &s.version,
            &seq,
            &s.organisation_id,
            &s.author_worker_id,
            &s.person_id.map(|p| p.to_string()),
            &s.agency_id,
            &s.alert_until.map(ms),
            &s.consent_until.map(ms),
            &s.tombstone,
            &key_id,
            &sealed,
            &device_id,
        ],
    )?;
    super::dashboard_views::observe(db, s)
}

pub(super) fn write_history(
    db: &Db<'_>,
    key: &DataKey,
    kind: RecordKind,
    id: &str,
    entry: &HistoryEntry,
    now: Timestamp,
) -> Result<(), StoreError> {
    let sealed = seal_history(key, kind, id, entry)?;
    db.exec(
        "INSERT INTO record_history (id, kind, field, version, key_id, value, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &id,
            &kind.as_str(),
            &entry.field,
            &entry.version,
            &i64::from(key.id()),
            &sealed,
            &ms(now),
        ],
    )?;
    Ok(())
}

/// Gives a person's records new sequence numbers, so that a device whose
/// view of her just widened (a consent, a referral) pulls them again.
pub(super) fn resequence_person(db: &Db<'_>, person: Uuid) -> Result<(), StoreError> {
    let p = person.to_string();
    let ids = db.query(
        "SELECT id FROM records WHERE person_id = $1 OR id = $1 ORDER BY seq",
        &[&p],
    )?;
    for row in ids {
        let id: String = get(&row, 0)?;
        let seq = seq_param(next_seq(db)?);
        db.exec("UPDATE records SET seq = $1 WHERE id = $2", &[&seq, &id])?;
    }
    Ok(())
}

/// The policy's questions, answered from the plaintext columns.
pub(super) struct PgFacts<'c, 'd> {
    pub(super) db: &'c Db<'d>,
    pub(super) dir: &'c Directory,
}

impl Facts for PgFacts<'_, '_> {
    fn is_police_agency(&self, agency_id: &str) -> bool {
        self.dir.agency(agency_id).is_some_and(|a| a.is_police)
    }

    fn consent_in_force(
        &self,
        person: Uuid,
        agency_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.db.one(
            "SELECT EXISTS (SELECT 1 FROM records WHERE person_id = $1 AND kind = 'consent'
             AND agency_id = $2 AND NOT tombstone AND consent_until > $3)",
            &[&person.to_string(), &agency_id, &ms(now)],
        )
    }

    fn consent_to_police_in_force(&self, person: Uuid, now: Timestamp) -> Result<bool, StoreError> {
        let rows = self.db.query(
            "SELECT agency_id FROM records WHERE person_id = $1 AND kind = 'consent'
             AND NOT tombstone AND consent_until > $2",
            &[&person.to_string(), &ms(now)],
        )?;
        for row in rows {
            let agency: Option<String> = get(&row, 0)?;
            if agency.is_some_and(|a| self.is_police_agency(&a)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn record(&self, id: Uuid) -> Result<Option<RecordMeta>, StoreError> {
        self.db
            .row(
                &format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1"),
                &[&id.to_string()],
            )?
            .map(|r| read_record(&r).map(|(meta, _)| meta))
            .transpose()
    }

    fn referred_to(&self, person: Uuid, agency_id: &str) -> Result<bool, StoreError> {
        self.db.one(
            "SELECT EXISTS (SELECT 1 FROM records WHERE person_id = $1 AND kind = 'referral'
             AND agency_id = $2 AND NOT tombstone)",
            &[&person.to_string(), &agency_id],
        )
    }
}
