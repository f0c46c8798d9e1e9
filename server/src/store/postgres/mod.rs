//! The PostgreSQL backend, for a partnership whose council already runs
//! PostgreSQL (and backs it up), and for several server processes on one
//! database. The same statements, sealed bodies and backend-independent
//! decisions (`apply`, `merge`, `policy`) as the SQLite backend; the record
//! key stays in the data directory, outside the database.
//!
//! Driver: tokio-postgres with a deadpool pool, behind the synchronous store
//! traits (see [`db`] for why and how). One transaction per method; writers
//! are serialised by an advisory lock, readers are not.

mod dashboard;
mod dashboard_views;
mod data_protection;
pub mod db;
mod group_commit;
#[cfg(test)]
mod group_commit_tests;
mod links;
pub mod listen;
mod partnership;
mod pull;
mod records;
mod rows;
mod safety;
pub mod schema;
#[doc(hidden)]
pub mod testing;

use super::sealed;
use super::{
    role_name, EnrolledDevice, NewDevice, Organisation, PullPage, PullQuery, PushItem, Store,
    StoreError, StoredCode, Worker,
};
use crate::apply::{self, Outcome};
use crate::refusal::Refusal;
use db::{get, is_constraint, Db, Pg};
use nightround_core::crypto::DataKey;
use nightround_core::domain::{Directory, RecordKind};
use nightround_core::sync::protocol::{Ack, AckStatus};
use nightround_core::Timestamp;
use records::{load_current, resequence_person, write_history, write_state_from, PgFacts};
use rows::{
    mark_synced, ms, read_directory, read_enrolled, read_organisation, read_worker, ts,
    ENROLLED_SELECT, WORKER_COLUMNS,
};
use uuid::Uuid;

/// Connections per server process.
const POOL_SIZE: usize = 16;

/// The PostgreSQL [`Store`].
pub struct PgStore {
    pg: Pg,
    key: DataKey,
    /// For the listener's own connection; never logged (it may carry a
    /// password).
    url: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

/// Whether a `--database` value names a PostgreSQL database.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

impl PgStore {
    /// Connects to the database at `url`, creates or migrates its schema,
    /// checks that it was sealed under `key`, and seeds the directory.
    pub fn open(url: &str, key: DataKey, now: Timestamp) -> Result<Self, StoreError> {
        let pg = Pg::connect(url, POOL_SIZE)?;
        pg.unlocked(schema::migrate)?;
        pg.write(|db| {
            check_key(db, &key)?;
            let dir = Directory::southend_defaults();
            let body = serde_json::to_string(&dir).map_err(|_| StoreError::Corrupt("directory"))?;
            db.exec(
                "INSERT INTO directory (singleton, revision, body, updated_at)
                 VALUES (1, $1, $2, $3) ON CONFLICT (singleton) DO NOTHING",
                &[&i64::from(dir.revision), &body, &ms(now)],
            )?;
            // A database upgraded to schema 7 has its dashboard indexes
            // filled once, from the records stored before they were kept.
            dashboard_views::fill_if_pending(db, &key)
        })?;
        Ok(Self {
            pg,
            key,
            url: url.to_owned(),
        })
    }

    /// Calls `ring` whenever any process stores an urgent record (and after
    /// each reconnection), until the store is dropped.
    pub fn on_urgent(&self, ring: impl Fn() + Send + Sync + 'static) {
        self.pg.spawn(listen::listen(self.url.clone(), ring));
    }

    /// Runs `f` in one transaction (the tests read rows directly).
    #[doc(hidden)]
    pub fn with_db<T>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.pg.write(f)
    }
}

fn check_key(db: &Db<'_>, key: &DataKey) -> Result<(), StoreError> {
    let stored: Option<Option<Vec<u8>>> = db.opt(
        "SELECT value FROM server_meta WHERE name = 'key_check'",
        &[],
    )?;
    match stored.flatten() {
        Some(value) if sealed::is_key_check(key, &value) => Ok(()),
        Some(_) => Err(StoreError::WrongKey),
        None => {
            db.exec(
                "INSERT INTO server_meta (name, value) VALUES ('key_check', $1)",
                &[&sealed::key_check(key)],
            )?;
            Ok(())
        }
    }
}

fn enrolled_where(
    db: &Db<'_>,
    filter: &str,
    param: db::Param<'_>,
) -> Result<Option<EnrolledDevice>, StoreError> {
    db.row(&format!("{ENROLLED_SELECT} WHERE {filter}"), &[param])?
        .map(|r| read_enrolled(&r))
        .transpose()
}

impl Store for PgStore {
    fn add_organisation(&self, org: &Organisation) -> Result<(), StoreError> {
        self.pg
            .write(|db| {
                db.exec(
                    "INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)",
                    &[&org.id, &org.name, &ms(org.created_at)],
                )
            })
            .map(|_| ())
            .map_err(|e| {
                if is_constraint(&e) {
                    StoreError::Duplicate("an organisation of that name")
                } else {
                    e
                }
            })
    }

    fn organisation(&self, id: &str) -> Result<Option<Organisation>, StoreError> {
        self.pg.read(|db| {
            db.row(
                "SELECT id, name, created_at FROM organisations WHERE id = $1",
                &[&id],
            )?
            .map(|r| read_organisation(&r))
            .transpose()
        })
    }

    fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        self.pg.read(|db| {
            db.query(
                "SELECT id, name, created_at FROM organisations ORDER BY name",
                &[],
            )?
            .iter()
            .map(read_organisation)
            .collect()
        })
    }

    fn add_worker(&self, w: &Worker) -> Result<(), StoreError> {
        self.pg
            .write(|db| {
                db.exec(
                    "INSERT INTO workers (id, organisation_id, display_name, role, agency_id,
                         created_at, revoked_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &w.id,
                        &w.organisation_id,
                        &w.display_name,
                        &role_name(w.role),
                        &w.agency_id,
                        &ms(w.created_at),
                        &w.revoked_at.map(ms),
                    ],
                )
            })
            .map(|_| ())
            .map_err(|e| {
                if is_constraint(&e) {
                    StoreError::Duplicate("a worker with that id")
                } else {
                    e
                }
            })
    }

    fn worker(&self, id: &str) -> Result<Option<Worker>, StoreError> {
        self.pg.read(|db| {
            db.row(
                &format!("SELECT {WORKER_COLUMNS} FROM workers w WHERE w.id = $1"),
                &[&id],
            )?
            .map(|r| read_worker(&r, 0))
            .transpose()
        })
    }

    fn workers(&self) -> Result<Vec<Worker>, StoreError> {
        self.pg.read(|db| {
            db.query(
                &format!(
                    "SELECT {WORKER_COLUMNS} FROM workers w
                     ORDER BY w.organisation_id, w.display_name"
                ),
                &[],
            )?
            .iter()
            .map(|r| read_worker(r, 0))
            .collect()
        })
    }

    fn revoke_worker(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        self.pg.write(|db| {
            let exists: bool = db.one(
                "SELECT EXISTS (SELECT 1 FROM workers WHERE id = $1)",
                &[&id],
            )?;
            db.exec(
                "UPDATE workers SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                &[&ms(at), &id],
            )?;
            Ok(exists)
        })
    }

    fn add_enrolment_code(&self, code: &StoredCode) -> Result<(), StoreError> {
        self.pg.write(|db| {
            db.exec(
                "INSERT INTO enrolment_codes (code_hash, worker_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &code.hash.as_slice(),
                    &code.worker_id,
                    &ms(code.created_at),
                    &ms(code.expires_at),
                ],
            )?;
            Ok(())
        })
    }

    fn redeem_enrolment_code(
        &self,
        hash: &[u8; 32],
        device: &NewDevice,
        now: Timestamp,
    ) -> Result<Option<EnrolledDevice>, StoreError> {
        self.pg.write(|db| {
            let Some(row) = db.row(
                "SELECT c.worker_id, c.expires_at, c.used_at, w.revoked_at
                 FROM enrolment_codes c JOIN workers w ON w.id = c.worker_id
                 WHERE c.code_hash = $1",
                &[&hash.as_slice()],
            )?
            else {
                return Ok(None);
            };
            let worker_id: String = get(&row, 0)?;
            let expires_at: i64 = get(&row, 1)?;
            let used_at: Option<i64> = get(&row, 2)?;
            let worker_revoked: Option<i64> = get(&row, 3)?;
            if used_at.is_some() || worker_revoked.is_some() || ms(now) >= expires_at {
                return Ok(None);
            }
            let device_id = device.id.to_string();
            db.exec(
                "UPDATE enrolment_codes SET used_at = $1, device_id = $2 WHERE code_hash = $3",
                &[&ms(now), &device_id, &hash.as_slice()],
            )?;
            db.exec(
                "INSERT INTO devices (id, worker_id, name, token_hash, enrolled_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &device_id,
                    &worker_id,
                    &device.name,
                    &device.token_hash.as_slice(),
                    &ms(now),
                ],
            )?;
            enrolled_where(db, "d.id = $1", &device_id)?
                .ok_or(StoreError::Corrupt("a device just enrolled"))
                .map(Some)
        })
    }

    fn device_by_token(&self, hash: &[u8; 32]) -> Result<Option<EnrolledDevice>, StoreError> {
        self.pg
            .read(|db| enrolled_where(db, "d.token_hash = $1", &hash.as_slice()))
    }

    fn revoke_device(&self, id: Uuid, at: Timestamp) -> Result<bool, StoreError> {
        let id = id.to_string();
        self.pg.write(|db| {
            let exists: bool = db.one(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE id = $1)",
                &[&id],
            )?;
            db.exec(
                "UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                &[&ms(at), &id],
            )?;
            Ok(exists)
        })
    }

    fn devices(&self) -> Result<Vec<EnrolledDevice>, StoreError> {
        self.pg.read(|db| {
            db.query(
                &format!("{ENROLLED_SELECT} ORDER BY o.name, w.display_name, d.enrolled_at"),
                &[],
            )?
            .iter()
            .map(read_enrolled)
            .collect()
        })
    }

    fn directory(&self) -> Result<Directory, StoreError> {
        self.pg.read(read_directory)
    }

    fn set_directory(&self, dir: &Directory, now: Timestamp) -> Result<(), StoreError> {
        self.pg.write(|db| {
            let current = read_directory(db)?.revision;
            if dir.revision <= current {
                return Err(StoreError::StaleDirectory {
                    current,
                    given: dir.revision,
                });
            }
            let body = serde_json::to_string(dir).map_err(|_| StoreError::Corrupt("directory"))?;
            db.exec(
                "UPDATE directory SET revision = $1, body = $2, updated_at = $3
                 WHERE singleton = 1",
                &[&i64::from(dir.revision), &body, &ms(now)],
            )?;
            Ok(())
        })
    }

    fn push(
        &self,
        caller: &EnrolledDevice,
        items: &[PushItem<'_>],
        now: Timestamp,
    ) -> Result<Vec<Ack>, StoreError> {
        self.pg.push(|db| {
            let dir = read_directory(db)?;
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
                let applied: bool = db.one(
                    "SELECT EXISTS (SELECT 1 FROM applied_versions
                         WHERE id = $1 AND version = $2)",
                    &[&id, &change.version],
                )?;
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
                let current = load_current(db, &self.key, &id)?;
                let facts = PgFacts { db, dir: &dir };
                let base = crate::merge::Base {
                    version: change.base_version.as_deref(),
                    edited: change.edited.as_deref(),
                };
                let decided =
                    apply::decide_from(&viewer, incoming, current.as_ref(), &facts, now, base)?;
                let accepted = match decided {
                    Outcome::Rejected(reason) => {
                        acks.push(refused(&reason));
                        continue;
                    }
                    Outcome::Accepted(a) => a,
                };
                db.exec(
                    "INSERT INTO applied_versions (id, version, device_id, applied_at)
                     VALUES ($1, $2, $3, $4)",
                    &[&id, &change.version, &device_id, &ms(now)],
                )?;
                if accepted.purge_history {
                    db.exec("DELETE FROM record_history WHERE id = $1", &[&id])?;
                }
                for entry in &accepted.history {
                    write_history(db, &self.key, incoming.kind, &id, entry, now)?;
                }
                if let Some(state) = &accepted.state {
                    // The pushing device holds this exact version already;
                    // a version the server merged goes back to it.
                    let pushed_by = (item.held_by_device && state.version == change.version)
                        .then_some(device_id.as_str());
                    write_state_from(db, &self.key, state, pushed_by)?;
                    if matches!(state.kind, RecordKind::Round | RecordKind::CheckIn) {
                        safety::observe(db, &self.key, state, now)?;
                    }
                    if matches!(state.kind, RecordKind::Consent | RecordKind::Referral) {
                        if let Some(person) = state.person_id {
                            resequence_person(db, person)?;
                        }
                    }
                }
                acks.push(ack(accepted.status, accepted.reason));
            }
            mark_synced(db, caller.device.id, now)?;
            Ok(acks)
        })
    }

    fn report_duress(&self, device: Uuid, at: Timestamp) -> Result<(), StoreError> {
        self.pg.write(|db| {
            db.exec(
                "INSERT INTO duress_reports (device_id, reported_at) VALUES ($1, $2)",
                &[&device.to_string(), &ms(at)],
            )?;
            Ok(())
        })
    }

    fn has_duress_report(&self, device: Uuid) -> Result<bool, StoreError> {
        self.pg.read(|db| {
            db.one(
                "SELECT EXISTS (SELECT 1 FROM duress_reports WHERE device_id = $1)",
                &[&device.to_string()],
            )
        })
    }

    fn duress_reports(&self) -> Result<Vec<(Uuid, Timestamp)>, StoreError> {
        self.pg.read(|db| {
            db.query(
                "SELECT device_id, reported_at FROM duress_reports ORDER BY reported_at",
                &[],
            )?
            .iter()
            .map(|r| {
                let d: String = get(r, 0)?;
                let id = Uuid::parse_str(&d).map_err(|_| StoreError::Corrupt("device id"))?;
                Ok((id, ts(get(r, 1)?)?))
            })
            .collect()
        })
    }

    fn pull(
        &self,
        caller: &EnrolledDevice,
        query: &PullQuery,
        now: Timestamp,
    ) -> Result<PullPage, StoreError> {
        // Read and shaped on a snapshot, beside the writers; then one
        // short write for what the page delivered (ADR 0019).
        let (page, writes) = self
            .pg
            .snapshot(|db| pull::read(db, &self.key, caller, query, now))?;
        self.pg.write(|db| pull::write(db, caller, &writes, now))?;
        Ok(page)
    }
}
