//! The embedded SQLite backend: one file in the data directory in WAL with
//! `synchronous=FULL`; one writer connection behind a mutex (every write is
//! one short transaction; concurrent pushes share one, [`group_commit`])
//! and a pool of read-only connections ([`pool`]) for the methods that only
//! read, so they never wait behind a push.
//! Bodies are sealed by [`super::sealed`] before they reach a row.

mod dashboard;
mod dashboard_views;
mod data_protection;
mod group_commit;
#[cfg(test)]
mod group_commit_tests;
mod links;
mod partnership;
mod pool;
mod pull;
mod records;
mod rows;
mod safety;

use super::schema;
use super::sealed;
use super::{
    role_name, EnrolledDevice, NewDevice, Organisation, PullPage, PullQuery, PushItem, Store,
    StoreError, StoredCode, Worker,
};
use crate::apply::{self, Outcome};
use crate::refusal::Refusal;
use group_commit::{Writer, WriterGuard};
use nightround_core::crypto::DataKey;
use nightround_core::domain::{Directory, RecordKind};
use nightround_core::sync::protocol::{Ack, AckStatus};
use nightround_core::Timestamp;
use pool::{Reader, Readers};
use records::{load_current, resequence_person, write_history, write_state_from, SqlFacts};
use rows::{
    enrolled_where, is_constraint, mark_synced, ms, read_directory, read_enrolled, read_worker, ts,
    RawEnrolled, RawWorker, ENROLLED_SELECT, WORKER_COLUMNS,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use uuid::Uuid;

/// The SQLite [`Store`].
pub struct SqliteStore {
    writer: Writer,
    /// Read-only connections; `None` for an in-memory database.
    readers: Option<Readers>,
    key: DataKey,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating and migrating as needed) the database at `path`,
    /// checks that it was sealed under `key`, and seeds the directory.
    pub fn open(path: &Path, key: DataKey, now: Timestamp) -> Result<Self, StoreError> {
        let mut store = Self::init(Connection::open(path)?, key, now)?;
        store.readers = Some(pool::readers(path)?);
        Ok(store)
    }

    /// A throwaway database, for unit tests.
    pub fn open_in_memory(key: DataKey, now: Timestamp) -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?, key, now)
    }

    fn init(mut conn: Connection, key: DataKey, now: Timestamp) -> Result<Self, StoreError> {
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        check_key(&conn, &key)?;
        dashboard_views::fill_if_pending(&mut conn, &key)?;
        conn.execute(
            "INSERT OR IGNORE INTO directory (singleton, revision, body, updated_at)
             VALUES (1, ?1, ?2, ?3)",
            {
                let dir = Directory::southend_defaults();
                let body =
                    serde_json::to_string(&dir).map_err(|_| StoreError::Corrupt("directory"))?;
                (dir.revision, body, ms(now))
            },
        )?;
        Ok(Self {
            writer: Writer::new(conn),
            readers: None,
            key,
        })
    }

    /// The writer: every method that writes, and those that must read what
    /// they are about to write, in one transaction (a push's group, if one
    /// is open, is committed first).
    fn lock(&self) -> WriterGuard<'_> {
        self.writer.lock()
    }

    /// Group COMMITs of pushes so far: with pushes made, how well they were
    /// grouped (tests and `benches/push_commit.rs`).
    pub fn group_commits(&self) -> u64 {
        self.writer.commits()
    }

    /// Bounds the pushes one COMMIT carries (default 64); 1 commits each
    /// push alone, as before group commit (the bench compares the two).
    pub fn set_group_limit(&self, pushes: usize) {
        self.writer.set_limit(pushes);
    }

    /// A read-only connection for a method that only reads: it sees the
    /// last committed state and waits for no writer.
    fn reader(&self) -> Result<Reader<'_>, StoreError> {
        match &self.readers {
            Some(pool) => pool
                .get()
                .map(Reader::Pooled)
                .map_err(|_| pool::busy("no database reader came free")),
            None => Ok(Reader::Writer(self.lock())),
        }
    }
}

fn check_key(conn: &Connection, key: &DataKey) -> Result<(), StoreError> {
    let stored: Option<Vec<u8>> = conn
        .query_row(
            "SELECT value FROM server_meta WHERE name = 'key_check'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match stored {
        Some(value) if sealed::is_key_check(key, &value) => Ok(()),
        Some(_) => Err(StoreError::WrongKey),
        None => {
            conn.execute(
                "INSERT INTO server_meta (name, value) VALUES ('key_check', ?1)",
                [sealed::key_check(key)],
            )?;
            Ok(())
        }
    }
}

impl Store for SqliteStore {
    fn add_organisation(&self, org: &Organisation) -> Result<(), StoreError> {
        let conn = self.lock();
        match conn.execute(
            "INSERT INTO organisations (id, name, created_at) VALUES (?1, ?2, ?3)",
            (&org.id, &org.name, ms(org.created_at)),
        ) {
            Ok(_) => Ok(()),
            Err(e) if is_constraint(&e) => {
                Err(StoreError::Duplicate("an organisation of that name"))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn organisation(&self, id: &str) -> Result<Option<Organisation>, StoreError> {
        let conn = self.reader()?;
        let row: Option<(String, String, i64)> = conn
            .query_row(
                "SELECT id, name, created_at FROM organisations WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(id, name, at)| {
            Ok(Organisation {
                id,
                name,
                created_at: ts(at)?,
            })
        })
        .transpose()
    }

    fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let conn = self.reader()?;
        let rows: Vec<(String, String, i64)> = conn
            .prepare("SELECT id, name, created_at FROM organisations ORDER BY name")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, name, at)| {
                Ok(Organisation {
                    id,
                    name,
                    created_at: ts(at)?,
                })
            })
            .collect()
    }

    fn add_worker(&self, w: &Worker) -> Result<(), StoreError> {
        let conn = self.lock();
        match conn.execute(
            "INSERT INTO workers (id, organisation_id, display_name, role, agency_id, created_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                w.id,
                w.organisation_id,
                w.display_name,
                role_name(w.role),
                w.agency_id,
                ms(w.created_at),
                w.revoked_at.map(ms)
            ],
        ) {
            Ok(_) => Ok(()),
            Err(e) if is_constraint(&e) => Err(StoreError::Duplicate("a worker with that id")),
            Err(e) => Err(e.into()),
        }
    }

    fn worker(&self, id: &str) -> Result<Option<Worker>, StoreError> {
        let conn = self.reader()?;
        conn.query_row(
            &format!("SELECT {WORKER_COLUMNS} FROM workers w WHERE w.id = ?1"),
            [id],
            |r| read_worker(r, 0),
        )
        .optional()?
        .map(RawWorker::into_worker)
        .transpose()
    }

    fn workers(&self) -> Result<Vec<Worker>, StoreError> {
        let conn = self.reader()?;
        let rows: Vec<RawWorker> = conn
            .prepare(&format!(
                "SELECT {WORKER_COLUMNS} FROM workers w ORDER BY w.organisation_id, w.display_name"
            ))?
            .query_map([], |r| read_worker(r, 0))?
            .collect::<Result<_, _>>()?;
        rows.into_iter().map(RawWorker::into_worker).collect()
    }

    fn revoke_worker(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let conn = self.lock();
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM workers WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        conn.execute(
            "UPDATE workers SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            (ms(at), id),
        )?;
        Ok(exists)
    }

    fn add_enrolment_code(&self, code: &StoredCode) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO enrolment_codes (code_hash, worker_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            (
                code.hash.as_slice(),
                &code.worker_id,
                ms(code.created_at),
                ms(code.expires_at),
            ),
        )?;
        Ok(())
    }

    fn redeem_enrolment_code(
        &self,
        hash: &[u8; 32],
        device: &NewDevice,
        now: Timestamp,
    ) -> Result<Option<EnrolledDevice>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let code: Option<(String, i64, Option<i64>, Option<i64>)> = tx
            .query_row(
                "SELECT c.worker_id, c.expires_at, c.used_at, w.revoked_at
                 FROM enrolment_codes c JOIN workers w ON w.id = c.worker_id
                 WHERE c.code_hash = ?1",
                [hash.as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((worker_id, expires_at, used_at, worker_revoked)) = code else {
            return Ok(None);
        };
        if used_at.is_some() || worker_revoked.is_some() || ms(now) >= expires_at {
            return Ok(None);
        }
        let device_id = device.id.to_string();
        tx.execute(
            "UPDATE enrolment_codes SET used_at = ?1, device_id = ?2 WHERE code_hash = ?3",
            (ms(now), &device_id, hash.as_slice()),
        )?;
        tx.execute(
            "INSERT INTO devices (id, worker_id, name, token_hash, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                &device_id,
                &worker_id,
                &device.name,
                device.token_hash.as_slice(),
                ms(now),
            ),
        )?;
        let enrolled = enrolled_where(&tx, "d.id = ?1", &device_id)?
            .ok_or(StoreError::Corrupt("a device just enrolled"))?;
        tx.commit()?;
        Ok(Some(enrolled))
    }

    fn device_by_token(&self, hash: &[u8; 32]) -> Result<Option<EnrolledDevice>, StoreError> {
        let conn = self.reader()?;
        enrolled_where(&conn, "d.token_hash = ?1", &hash.as_slice())
    }

    fn report_duress(&self, device: Uuid, at: Timestamp) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO duress_reports (device_id, reported_at) VALUES (?1, ?2)",
            (device.to_string(), ms(at)),
        )?;
        Ok(())
    }

    fn has_duress_report(&self, device: Uuid) -> Result<bool, StoreError> {
        Ok(self.reader()?.query_row(
            "SELECT EXISTS (SELECT 1 FROM duress_reports WHERE device_id = ?1)",
            [device.to_string()],
            |r| r.get(0),
        )?)
    }

    fn duress_reports(&self) -> Result<Vec<(Uuid, Timestamp)>, StoreError> {
        let conn = self.reader()?;
        let mut st =
            conn.prepare("SELECT device_id, reported_at FROM duress_reports ORDER BY reported_at")?;
        let rows: Vec<(String, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        rows.into_iter()
            .map(|(d, at)| {
                let id = Uuid::parse_str(&d).map_err(|_| StoreError::Corrupt("device id"))?;
                Ok((id, ts(at)?))
            })
            .collect()
    }

    fn revoke_device(&self, id: Uuid, at: Timestamp) -> Result<bool, StoreError> {
        let conn = self.lock();
        let id = id.to_string();
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM devices WHERE id = ?1)",
            [&id],
            |r| r.get(0),
        )?;
        conn.execute(
            "UPDATE devices SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            (ms(at), &id),
        )?;
        Ok(exists)
    }

    fn devices(&self) -> Result<Vec<EnrolledDevice>, StoreError> {
        let conn = self.reader()?;
        let rows: Vec<RawEnrolled> = conn
            .prepare(&format!(
                "{ENROLLED_SELECT} ORDER BY o.name, w.display_name, d.enrolled_at"
            ))?
            .query_map([], read_enrolled)?
            .collect::<Result<_, _>>()?;
        rows.into_iter().map(RawEnrolled::into_enrolled).collect()
    }

    fn directory(&self) -> Result<Directory, StoreError> {
        let conn = self.reader()?;
        read_directory(&conn)
    }

    fn set_directory(&self, dir: &Directory, now: Timestamp) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = read_directory(&tx)?.revision;
        if dir.revision <= current {
            return Err(StoreError::StaleDirectory {
                current,
                given: dir.revision,
            });
        }
        let body = serde_json::to_string(dir).map_err(|_| StoreError::Corrupt("directory"))?;
        tx.execute(
            "UPDATE directory SET revision = ?1, body = ?2, updated_at = ?3 WHERE singleton = 1",
            (dir.revision, body, ms(now)),
        )?;
        tx.commit()?;
        Ok(())
    }

    fn push(
        &self,
        caller: &EnrolledDevice,
        items: &[PushItem<'_>],
        now: Timestamp,
    ) -> Result<Vec<Ack>, StoreError> {
        // Its own savepoint in the group's transaction; the acks come back
        // once the group's COMMIT has returned.
        self.writer
            .run(items.len(), |tx| push_in(tx, &self.key, caller, items, now))
    }

    fn pull(
        &self,
        caller: &EnrolledDevice,
        query: &PullQuery,
        now: Timestamp,
    ) -> Result<PullPage, StoreError> {
        // Read and shaped on a reader, beside the writer; then what the
        // page delivered is written (ADR 0019), in the writer's open group
        // with concurrent pushes and pulls (ADR 0020): the answer goes out
        // only after the COMMIT that made the deliveries durable.
        let (page, writes) = {
            let reader = self.reader()?;
            pull::read(&reader, &self.key, caller, query, now)?
        };
        self.writer.run(1 + writes.rows.len(), |tx| {
            pull::write(tx, caller, &writes, now)
        })?;
        Ok(page)
    }
}

/// One push's writes, on the writer inside a transaction it does not end.
fn push_in(
    tx: &Connection,
    key: &DataKey,
    caller: &EnrolledDevice,
    items: &[PushItem<'_>],
    now: Timestamp,
) -> Result<Vec<Ack>, StoreError> {
    let dir = read_directory(tx)?;
    let viewer = caller.viewer();
    let device_id = caller.device.id.to_string();
    let mut acks = Vec::with_capacity(items.len());
    for item in items {
        let change = item.change;
        let ack = |status, reason| Ack {
            id: change.id,
            version: change.version.clone(),
            status,
            reason,
            code: None,
        };
        let refused = |r: &Refusal| Ack {
            code: Some(r.code),
            ..ack(AckStatus::Rejected, Some(r.reason.clone()))
        };
        let id = change.id.to_string();
        let applied: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM applied_versions WHERE id = ?1 AND version = ?2)",
            )?
            .query_row((&id, &change.version), |r| r.get(0))?;
        if applied {
            acks.push(ack(AckStatus::Duplicate, None));
            continue;
        }
        let incoming = match &item.verdict {
            Ok(incoming) => incoming,
            Err(reason) => {
                acks.push(refused(reason));
                continue;
            }
        };
        let current = load_current(tx, key, &id)?;
        let facts = SqlFacts {
            conn: tx,
            dir: &dir,
        };
        let base = crate::merge::Base {
            version: change.base_version.as_deref(),
            edited: change.edited.as_deref(),
        };
        let decided = apply::decide_from(&viewer, incoming, current.as_ref(), &facts, now, base)?;
        let accepted = match decided {
            Outcome::Rejected(reason) => {
                acks.push(refused(&reason));
                continue;
            }
            Outcome::Accepted(a) => a,
        };
        tx.prepare_cached(
            "INSERT INTO applied_versions (id, version, device_id, applied_at)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute((&id, &change.version, &device_id, ms(now)))?;
        if accepted.purge_history {
            tx.prepare_cached("DELETE FROM record_history WHERE id = ?1")?
                .execute([&id])?;
        }
        for entry in &accepted.history {
            write_history(tx, key, incoming.kind, &id, entry, now)?;
        }
        if let Some(state) = &accepted.state {
            // The pushing device holds this exact version already; a
            // version the server merged goes back to it.
            let pushed_by = (item.held_by_device && state.version == change.version)
                .then_some(device_id.as_str());
            write_state_from(tx, key, state, pushed_by)?;
            if matches!(state.kind, RecordKind::Round | RecordKind::CheckIn) {
                safety::observe(tx, key, state, now)?;
            }
            if matches!(state.kind, RecordKind::Consent | RecordKind::Referral) {
                if let Some(person) = state.person_id {
                    resequence_person(tx, person)?;
                }
            }
        }
        acks.push(ack(accepted.status, accepted.reason));
    }
    mark_synced(tx, caller.device.id, now)?;
    Ok(acks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_opens_only_under_its_own_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let now = chrono::Utc::now();
        let key = DataKey::generate(1);
        drop(SqliteStore::open(&path, key.clone(), now).unwrap());
        assert!(SqliteStore::open(&path, key, now).is_ok());
        assert!(matches!(
            SqliteStore::open(&path, DataKey::generate(1), now),
            Err(StoreError::WrongKey)
        ));
    }
}
