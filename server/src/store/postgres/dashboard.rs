//! The dashboard's storage in the PostgreSQL backend: accounts, sessions, the
//! audit chain, escalations, and records read through the pull's shaping
//! (the same statements as the SQLite backend's `dashboard.rs`).

use super::db::{get, is_constraint, Db};
use super::records::PgFacts;
use super::rows::{
    ms, opt_ts, read_directory, read_record, read_worker, ts, uuid, RECORD_COLUMNS, WORKER_COLUMNS,
};
use super::{dashboard_views, PgStore};
use crate::policy::Viewer;
use crate::store::audit_chain::{audit_key, chain_value, hex, to_array, ChainFields};
use crate::store::dashboard::{
    Account, AuditEntry, AuditVerification, ContactTally, ContactsOf, DashboardStore, Escalation,
    NewAuditEntry, PersonSeen, ReferralRow, Scope, SessionInfo, SignInBackoff, SupplyTally,
    VisibleRecord,
};
use crate::store::pull::Projector;
use crate::store::{Organisation, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::Timestamp;
use tokio_postgres::Row;
use uuid::Uuid;

struct RawAudit {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    subject: Option<String>,
    detail: Option<String>,
    mac: Option<Vec<u8>>,
}

impl RawAudit {
    fn fields(&self) -> ChainFields<'_> {
        ChainFields {
            seq: self.seq,
            at: self.at,
            actor: &self.actor,
            action: &self.action,
            subject: self.subject.as_deref(),
            detail: self.detail.as_deref(),
        }
    }
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, subject, detail, mac";

fn read_audit(r: &Row) -> Result<RawAudit, StoreError> {
    Ok(RawAudit {
        seq: get(r, 0)?,
        at: get(r, 1)?,
        actor: get(r, 2)?,
        action: get(r, 3)?,
        subject: get(r, 4)?,
        detail: get(r, 5)?,
        mac: get(r, 6)?,
    })
}

/// The entries without a chain value, oldest first: the tail after the
/// newest chained entry (entries are chained in order), found by walking
/// back from the end of the sequence index, so the cost is the tail's, not
/// the log's (as SQLite's `unchained_sql`). Every synced change adds an
/// entry, so the log is as long as the store's history.
fn unchained_sql() -> String {
    format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log
         WHERE seq > COALESCE((SELECT seq FROM audit_log WHERE mac IS NOT NULL
                               ORDER BY seq DESC LIMIT 1), -9223372036854775808)
         ORDER BY seq"
    )
}

/// Chains the entries a trigger or another statement left without a value.
/// They are always the newest: entries are chained in order, under the
/// writers' lock.
pub(super) fn chain_pending(db: &Db<'_>, key: &DataKey) -> Result<(), StoreError> {
    let pending: Vec<RawAudit> = db
        .query(&unchained_sql(), &[])?
        .iter()
        .map(read_audit)
        .collect::<Result<_, _>>()?;
    let Some(first) = pending.first() else {
        return Ok(());
    };
    let prev: Option<Option<Vec<u8>>> = db.opt(
        "SELECT mac FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT 1",
        &[&first.seq],
    )?;
    let mut prev = match prev.flatten() {
        Some(v) => to_array(&v)?,
        None => [0u8; 32],
    };
    for e in &pending {
        let value = chain_value(key, &prev, &e.fields());
        db.exec(
            "UPDATE audit_log SET mac = $1 WHERE seq = $2",
            &[&value.as_slice(), &e.seq],
        )?;
        prev = value;
    }
    Ok(())
}

/// The name sign-in failures are counted under (as the SQLite backend
/// keys them, so a copied row still counts).
fn username_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

const ACCOUNT_COLUMNS: &str = "worker_id, username, password_hash, created_at, failed_attempts,
    locked_until, last_sign_in_at";

fn read_account(r: &Row) -> Result<Account, StoreError> {
    let failed: i64 = get(r, 4)?;
    Ok(Account {
        worker_id: get(r, 0)?,
        username: get(r, 1)?,
        password_hash: get(r, 2)?,
        created_at: ts(get(r, 3)?)?,
        failed_attempts: u32::try_from(failed).unwrap_or(u32::MAX),
        locked_until: opt_ts(get(r, 5)?)?,
        last_sign_in_at: opt_ts(get(r, 6)?)?,
    })
}

impl DashboardStore for PgStore {
    fn add_account(&self, a: &Account) -> Result<(), StoreError> {
        self.pg
            .write(|db| {
                db.exec(
                    "INSERT INTO dashboard_accounts (worker_id, username, password_hash,
                         created_at, failed_attempts, locked_until, last_sign_in_at)
                     VALUES ($1, $2, $3, $4, 0, NULL, NULL)",
                    &[
                        &a.worker_id,
                        &a.username,
                        &a.password_hash,
                        &ms(a.created_at),
                    ],
                )
            })
            .map(|_| ())
            .map_err(|e| {
                if is_constraint(&e) {
                    StoreError::Duplicate("a dashboard account for that worker or username")
                } else {
                    e
                }
            })
    }

    fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError> {
        self.pg.read(|db| {
            db.row(
                &format!(
                    "SELECT {ACCOUNT_COLUMNS} FROM dashboard_accounts
                     WHERE lower(username) = lower($1)"
                ),
                &[&username.trim()],
            )?
            .map(|r| read_account(&r))
            .transpose()
        })
    }

    fn account_of(&self, worker_id: &str) -> Result<Option<Account>, StoreError> {
        self.pg.read(|db| {
            db.row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM dashboard_accounts WHERE worker_id = $1"),
                &[&worker_id],
            )?
            .map(|r| read_account(&r))
            .transpose()
        })
    }

    fn set_password(&self, worker_id: &str, password_hash: &str) -> Result<bool, StoreError> {
        self.pg.write(|db| {
            let n = db.exec(
                "UPDATE dashboard_accounts SET password_hash = $1, failed_attempts = 0,
                     locked_until = NULL WHERE worker_id = $2",
                &[&password_hash, &worker_id],
            )?;
            Ok(n > 0)
        })
    }

    fn sign_in_blocked_until(
        &self,
        username: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let until: Option<Option<i64>> = self.pg.read(|db| {
            db.opt(
                "SELECT blocked_until FROM sign_in_failures WHERE username = $1 AND client = $2",
                &[&username_key(username), &client],
            )
        })?;
        Ok(opt_ts(until.flatten())?.filter(|u| *u > now))
    }

    fn note_sign_in_failure(
        &self,
        username: &str,
        client: &str,
        now: Timestamp,
        backoff: &SignInBackoff,
    ) -> Result<Option<Timestamp>, StoreError> {
        let name = username_key(username);
        self.pg.write(|db| {
            db.exec(
                "DELETE FROM sign_in_failures WHERE last_failed_at < $1",
                &[&ms(now - chrono::Duration::days(1))],
            )?;
            let failures: i64 = db.one(
                "INSERT INTO sign_in_failures (username, client, failures, last_failed_at)
                 VALUES ($1, $2, 1, $3)
                 ON CONFLICT (username, client)
                 DO UPDATE SET failures = sign_in_failures.failures + 1, last_failed_at = $3
                 RETURNING failures",
                &[&name, &client, &ms(now)],
            )?;
            let delay = backoff.delay(u32::try_from(failures).unwrap_or(u32::MAX));
            let until = (delay > chrono::Duration::zero()).then(|| now + delay);
            db.exec(
                "UPDATE sign_in_failures SET blocked_until = $1
                 WHERE username = $2 AND client = $3",
                &[&until.map(ms), &name, &client],
            )?;
            Ok(until)
        })
    }

    fn clear_sign_in_failures(&self, username: &str, client: &str) -> Result<(), StoreError> {
        self.pg.write(|db| {
            db.exec(
                "DELETE FROM sign_in_failures WHERE username = $1 AND client = $2",
                &[&username_key(username), &client],
            )?;
            Ok(())
        })
    }

    fn set_partnership_admin(
        &self,
        worker_id: &str,
        admin: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.pg.write(|db| {
            if admin {
                db.exec(
                    "INSERT INTO partnership_admins (worker_id, granted_at) VALUES ($1, $2)
                     ON CONFLICT (worker_id) DO NOTHING",
                    &[&worker_id, &ms(now)],
                )?;
            } else {
                db.exec(
                    "DELETE FROM partnership_admins WHERE worker_id = $1",
                    &[&worker_id],
                )?;
            }
            Ok(())
        })
    }

    fn is_partnership_admin(&self, worker_id: &str) -> Result<bool, StoreError> {
        self.pg.read(|db| {
            db.one(
                "SELECT EXISTS (SELECT 1 FROM partnership_admins WHERE worker_id = $1)",
                &[&worker_id],
            )
        })
    }

    fn sign_in_succeeded(&self, worker_id: &str, now: Timestamp) -> Result<(), StoreError> {
        self.pg.write(|db| {
            db.exec(
                "UPDATE dashboard_accounts SET failed_attempts = 0, locked_until = NULL,
                     last_sign_in_at = $1 WHERE worker_id = $2",
                &[&ms(now), &worker_id],
            )?;
            Ok(())
        })
    }

    fn create_session(
        &self,
        token_hash: &[u8; 32],
        worker_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.pg.write(|db| {
            db.exec(
                "INSERT INTO dashboard_sessions (token_hash, worker_id, created_at, last_seen_at)
                 VALUES ($1, $2, $3, $3)",
                &[&token_hash.as_slice(), &worker_id, &ms(now)],
            )?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionInfo>, StoreError> {
        self.pg.read(|db| {
            let Some(r) = db.row(
                &format!(
                    "SELECT {WORKER_COLUMNS}, o.name, o.created_at, s.created_at, s.last_seen_at,
                         EXISTS (SELECT 1 FROM partnership_admins p WHERE p.worker_id = w.id)
                     FROM dashboard_sessions s
                     JOIN workers w ON w.id = s.worker_id
                     JOIN organisations o ON o.id = w.organisation_id
                     WHERE s.token_hash = $1"
                ),
                &[&token_hash.as_slice()],
            )?
            else {
                return Ok(None);
            };
            let worker = read_worker(&r, 0)?;
            Ok(Some(SessionInfo {
                organisation: Organisation {
                    id: worker.organisation_id.clone(),
                    name: get(&r, 7)?,
                    created_at: ts(get(&r, 8)?)?,
                },
                worker,
                created_at: ts(get(&r, 9)?)?,
                last_seen_at: ts(get(&r, 10)?)?,
                partnership_admin: get(&r, 11)?,
            }))
        })
    }

    fn touch_session(&self, token_hash: &[u8; 32], now: Timestamp) -> Result<(), StoreError> {
        // One row, no ordering with other writes: no writers' lock.
        self.pg.read(|db| {
            db.exec(
                "UPDATE dashboard_sessions SET last_seen_at = $1 WHERE token_hash = $2",
                &[&ms(now), &token_hash.as_slice()],
            )?;
            Ok(())
        })
    }

    fn end_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.pg.write(|db| {
            db.exec(
                "DELETE FROM dashboard_sessions WHERE token_hash = $1",
                &[&token_hash.as_slice()],
            )?;
            Ok(())
        })
    }

    fn end_stale_sessions(
        &self,
        idle_before: Timestamp,
        started_before: Timestamp,
    ) -> Result<usize, StoreError> {
        self.pg.write(|db| {
            let n = db.exec(
                "DELETE FROM dashboard_sessions WHERE last_seen_at < $1 OR created_at < $2",
                &[&ms(idle_before), &ms(started_before)],
            )?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }

    fn append_audit(&self, e: &NewAuditEntry) -> Result<u64, StoreError> {
        let key = audit_key(&self.key);
        self.pg.write(|db| {
            chain_pending(db, &key)?;
            let seq: i64 = db.one(
                "INSERT INTO audit_log (at, actor, action, subject, detail)
                 VALUES ($1, $2, $3, $4, $5) RETURNING seq",
                &[&ms(e.at), &e.actor, &e.action, &e.subject, &e.detail],
            )?;
            chain_pending(db, &key)?;
            u64::try_from(seq).map_err(|_| StoreError::Corrupt("an audit sequence number"))
        })
    }

    fn audit_entries(
        &self,
        limit: usize,
        before_seq: Option<u64>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let key = audit_key(&self.key);
        self.pg.write(|db| {
            chain_pending(db, &key)?;
            let before = before_seq.map_or(i64::MAX, |s| i64::try_from(s).unwrap_or(i64::MAX));
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            db.query(
                &format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq < $1
                     ORDER BY seq DESC LIMIT $2"
                ),
                &[&before, &limit],
            )?
            .iter()
            .map(|row| {
                let r = read_audit(row)?;
                Ok(AuditEntry {
                    seq: u64::try_from(r.seq)
                        .map_err(|_| StoreError::Corrupt("an audit sequence number"))?,
                    at: ts(r.at)?,
                    actor: r.actor,
                    action: r.action,
                    subject: r.subject,
                    detail: r.detail,
                    mac: r.mac.as_deref().map(hex),
                })
            })
            .collect()
        })
    }

    fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let key = audit_key(&self.key);
        self.pg.write(|db| {
            chain_pending(db, &key)?;
            let mut prev = [0u8; 32];
            let mut entries = 0u64;
            let mut first_broken = None;
            let rows = db.query(
                &format!("SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"),
                &[],
            )?;
            for row in &rows {
                let e = read_audit(row)?;
                entries += 1;
                let expected = chain_value(&key, &prev, &e.fields());
                let stored = e.mac.as_deref().map(to_array).transpose().ok().flatten();
                if first_broken.is_none() && stored != Some(expected) {
                    first_broken = Some(u64::try_from(e.seq).unwrap_or(0));
                }
                // Follow the stored chain, so one damaged entry is reported
                // once rather than breaking every entry after it.
                prev = stored.unwrap_or(expected);
            }
            Ok(AuditVerification {
                entries,
                first_broken,
                head: (entries > 0).then(|| hex(&prev)),
            })
        })
    }

    fn visible_records(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE NOT tombstone ORDER BY seq");
        self.visible_from(&sql, Vec::new(), viewer, now)
    }

    fn visible_records_in(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        scope: &Scope,
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        if scope.kinds.is_empty() {
            return Ok(Vec::new());
        }
        let (sql, params) = scope_query(scope);
        self.visible_from(&sql, params, viewer, now)
    }

    fn people_seen(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<PersonSeen>, StoreError> {
        self.pg.snapshot(|db| {
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            dashboard_views::people_seen(db, &facts, viewer, now)
        })
    }

    fn contacts_of(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        person: Uuid,
    ) -> Result<ContactsOf, StoreError> {
        self.pg.snapshot(|db| {
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            dashboard_views::contacts_of(db, &facts, viewer, now, person)
        })
    }

    fn people_on_screen(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        people: &[Uuid],
    ) -> Result<Vec<(ContactsOf, usize)>, StoreError> {
        self.pg.snapshot(|db| {
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            let contacts =
                dashboard_views::contacts_of_many(db, &facts, viewer, now, people, true)?;
            let open = dashboard_views::open_referrals_of_many(db, &facts, viewer, now, people)?;
            Ok(contacts.into_iter().zip(open).collect())
        })
    }

    fn open_records(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        ids: &[Uuid],
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE id = ANY($1) AND NOT tombstone
             ORDER BY seq"
        );
        self.visible_from(&sql, vec![ScopeParam::Texts(ids)], viewer, now)
    }

    fn contact_rounds(
        &self,
        viewer: &Viewer<'_>,
        _now: Timestamp,
    ) -> Result<Vec<chrono::NaiveDate>, StoreError> {
        self.pg
            .snapshot(|db| dashboard_views::contact_rounds(db, viewer.organisation_id))
    }

    fn contact_tallies(
        &self,
        viewer: &Viewer<'_>,
        _now: Timestamp,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<ContactTally>, StoreError> {
        self.pg
            .snapshot(|db| dashboard_views::contact_tallies(db, viewer, from, to))
    }

    fn supply_tallies(
        &self,
        viewer: &Viewer<'_>,
        _now: Timestamp,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<SupplyTally>, StoreError> {
        self.pg
            .snapshot(|db| dashboard_views::supply_tallies(db, viewer, from, to))
    }

    fn overdue_referrals(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<std::collections::BTreeMap<String, usize>, StoreError> {
        self.pg
            .snapshot(|db| dashboard_views::overdue_referrals(db, viewer, now))
    }

    fn referral_rows(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<ReferralRow>, StoreError> {
        self.pg.snapshot(|db| {
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            dashboard_views::referral_rows(db, &facts, viewer, now)
        })
    }

    fn add_escalation(&self, e: &Escalation) -> Result<(), StoreError> {
        self.pg.write(|db| {
            db.exec(
                "INSERT INTO referral_escalations (referral_id, worker_id, at)
                 VALUES ($1, $2, $3)",
                &[&e.referral_id.to_string(), &e.worker_id, &ms(e.at)],
            )?;
            Ok(())
        })
    }

    fn escalations(&self) -> Result<Vec<Escalation>, StoreError> {
        self.pg.read(|db| {
            db.query(
                "SELECT referral_id, worker_id, at FROM referral_escalations ORDER BY at",
                &[],
            )?
            .iter()
            .map(|r| {
                let id: String = get(r, 0)?;
                Ok(Escalation {
                    referral_id: uuid(&id)?,
                    worker_id: get(r, 1)?,
                    at: ts(get(r, 2)?)?,
                })
            })
            .collect()
        })
    }
}

impl PgStore {
    /// The rows `sql` selects (record columns) that `viewer` may see at
    /// `now`, opened and shaped as her phone would receive them, in one
    /// snapshot.
    fn visible_from(
        &self,
        sql: &str,
        params: Vec<ScopeParam>,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        self.pg.snapshot(|db| {
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            let refs: Vec<super::db::Param<'_>> = params
                .iter()
                .map(|p| match p {
                    ScopeParam::Text(t) => t as super::db::Param<'_>,
                    ScopeParam::Int(i) => i as super::db::Param<'_>,
                    ScopeParam::Texts(t) => t as super::db::Param<'_>,
                })
                .collect();
            let rows = db.query(sql, &refs)?;
            // The pull's own shaping, so a page shows a viewer exactly what
            // her phone would hold.
            let agreement = super::partnership::read_agreement(db)?;
            let mut projector = Projector::new(&facts, &self.key, agreement, now);
            let mut out = Vec::new();
            for row in &rows {
                let (meta, sealed) = read_record(row)?;
                if let Some(body) = projector.body(viewer, &meta, sealed)? {
                    out.push(VisibleRecord { meta, body });
                }
            }
            Ok(out)
        })
    }
}

/// One parameter of a [`Scope`]'s query.
enum ScopeParam {
    Text(String),
    Int(i64),
    /// A list of ids (`= ANY($n)`).
    Texts(Vec<String>),
}

/// The SQL and parameters for a [`Scope`], as SQLite's `scope_query` in
/// `sqlite/dashboard.rs`: each narrowing is answered by an index
/// (`records_by_kind`, `records_by_person`, `applied_versions_by_time`).
fn scope_query(scope: &Scope) -> (String, Vec<ScopeParam>) {
    let mut params: Vec<ScopeParam> = Vec::new();
    let kinds = scope
        .kinds
        .iter()
        .map(|k| {
            params.push(ScopeParam::Text(k.as_str().to_owned()));
            format!("${}", params.len())
        })
        .collect::<Vec<_>>()
        .join(", ");
    let from = match scope.applied_since {
        Some(t) => {
            params.push(ScopeParam::Int(ms(t)));
            format!(
                "(SELECT DISTINCT id AS since_id FROM applied_versions WHERE applied_at >= ${})
                 AS since JOIN records ON records.id = since.since_id",
                params.len()
            )
        }
        None => "records".to_owned(),
    };
    let mut sql =
        format!("SELECT {RECORD_COLUMNS} FROM {from} WHERE NOT tombstone AND kind IN ({kinds})");
    if let Some(p) = scope.person {
        params.push(ScopeParam::Text(p.to_string()));
        sql += &format!(" AND (person_id = ${n} OR id = ${n})", n = params.len());
    }
    if let Some(t) = scope.alert_after {
        params.push(ScopeParam::Int(ms(t)));
        sql += &format!(" AND alert_until > ${}", params.len());
    }
    sql += " ORDER BY seq";
    (sql, params)
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use nightround_core::domain::RecordKind;

    /// A [`Scope`]'s query on PostgreSQL selects what SQLite's does: the
    /// kinds, the person (her record and those about her), the records
    /// applied since a moment, and alerts still running; never a deletion.
    #[test]
    fn postgres_scope_query_narrows_by_kind_person_time_and_alert() {
        let Ok(cluster) = std::env::var("NIGHTROUND_TEST_PG") else {
            eprintln!(
                "\n*** SKIPPED: NIGHTROUND_TEST_PG is not set, so the PostgreSQL scope query \
                 was not tested (bash scripts/pg.sh -- cargo test -p nightround-server --lib postgres) ***\n"
            );
            return;
        };
        let url = testing::create_database(&cluster).unwrap();
        let now = chrono::Utc::now();
        let store = PgStore::open(&url, DataKey::generate(1), now).unwrap();
        let her = uuid::Uuid::from_u128(0x5eed_0001);
        let t = |s: i64| ms(now) + s * 1000;
        // (id, kind, seq, person, alert_until, tombstone, applied at)
        type Row = (
            &'static str,
            &'static str,
            i64,
            Option<String>,
            Option<i64>,
            bool,
            i64,
        );
        let rows: &[Row] = &[
            ("p1", "person", 1, None, None, false, t(0)),
            ("c1", "contact", 2, Some(her.to_string()), None, false, t(0)),
            ("c2", "contact", 3, None, None, false, t(100)),
            (
                "c3",
                "contact",
                4,
                Some(her.to_string()),
                None,
                true,
                t(100),
            ),
            ("a1", "round", 5, None, Some(t(50)), false, t(0)),
            ("a2", "round", 6, None, Some(t(500)), false, t(0)),
        ];
        let mut sql = String::new();
        for (id, kind, seq, person, alert, tomb, at) in rows {
            let id = if *id == "p1" {
                her.to_string()
            } else {
                (*id).to_owned()
            };
            let person = person.as_ref().map_or("NULL".into(), |p| format!("'{p}'"));
            let alert = alert.map_or("NULL".into(), |a| a.to_string());
            sql += &format!(
                "INSERT INTO records (id, kind, version, seq, organisation_id, author_worker_id,
                     person_id, alert_until, tombstone)
                 VALUES ('{id}', '{kind}', 'v', {seq}, 'o', 'w', {person}, {alert}, {tomb});
                 INSERT INTO applied_versions (id, version, device_id, applied_at)
                 VALUES ('{id}', 'v', 'd', {at});"
            );
        }
        testing::query(&url, &sql).unwrap();
        let seqs = |scope: Scope| -> Vec<i64> {
            let (sql, params) = scope_query(&scope);
            store
                .pg
                .snapshot(|db| {
                    let refs: Vec<super::super::db::Param<'_>> = params
                        .iter()
                        .map(|p| match p {
                            ScopeParam::Text(t) => t as super::super::db::Param<'_>,
                            ScopeParam::Int(i) => i as super::super::db::Param<'_>,
                            ScopeParam::Texts(t) => t as super::super::db::Param<'_>,
                        })
                        .collect();
                    Ok(db
                        .query(&sql, &refs)?
                        .iter()
                        .map(|r| r.get::<_, i64>("seq"))
                        .collect())
                })
                .unwrap()
        };
        assert_eq!(seqs(Scope::kinds(&[RecordKind::Contact])), vec![2, 3]);
        assert_eq!(
            seqs(Scope::kinds(&[RecordKind::Contact, RecordKind::Person])),
            vec![1, 2, 3]
        );
        let mut by_person = Scope::kinds(&[RecordKind::Contact, RecordKind::Person]);
        by_person.person = Some(her);
        assert_eq!(seqs(by_person), vec![1, 2]);
        let mut since = Scope::kinds(&[RecordKind::Contact]);
        since.applied_since = Some(now + chrono::Duration::seconds(50));
        assert_eq!(seqs(since), vec![3]);
        let mut alerts = Scope::kinds(&[RecordKind::Round]);
        alerts.alert_after = Some(now + chrono::Duration::seconds(100));
        assert_eq!(seqs(alerts), vec![6]);
    }

    /// Each plan node's rows, and the rows it read and threw away, summed:
    /// what a statement touched, whatever plan PostgreSQL chose.
    fn rows_touched(plan: &serde_json::Value) -> f64 {
        let mut n = 0.0;
        if let Some(o) = plan.as_object() {
            for (k, v) in o {
                if k == "Actual Rows" || k.starts_with("Rows Removed by") {
                    let loops = o
                        .get("Actual Loops")
                        .and_then(|l| l.as_f64())
                        .unwrap_or(1.0);
                    n += v.as_f64().unwrap_or(0.0) * loops;
                } else {
                    n += rows_touched(v);
                }
            }
        } else if let Some(a) = plan.as_array() {
            n += a.iter().map(rows_touched).sum::<f64>();
        }
        n
    }

    /// Every dashboard page appends to the audit chain, and every synced
    /// change adds an entry by trigger: finding the unchained ones reads
    /// the unchained tail, not the whole log (as SQLite's
    /// `chaining_reads_the_unchained_tail_not_the_log`; the rows each plan
    /// node touched, from EXPLAIN ANALYZE, stand in for SQLite's VM steps).
    #[test]
    fn postgres_chaining_reads_the_unchained_tail_not_the_log() {
        let Ok(cluster) = std::env::var("NIGHTROUND_TEST_PG") else {
            eprintln!(
                "\n*** SKIPPED: NIGHTROUND_TEST_PG is not set, so PostgreSQL's audit chaining \
                 was not tested (bash scripts/pg.sh -- cargo test -p nightround-server --lib postgres) ***\n"
            );
            return;
        };
        let url = testing::create_database(&cluster).unwrap();
        let now = chrono::Utc::now();
        let store = PgStore::open(&url, DataKey::generate(1), now).unwrap();
        let entry = |action: &str| NewAuditEntry {
            at: now,
            actor: "w1".into(),
            action: action.into(),
            subject: None,
            detail: None,
        };
        store.append_audit(&entry("first")).unwrap();
        testing::query(
            &url,
            "INSERT INTO audit_log (at, actor, action)
             SELECT i, 'device:d', 'sync_change' FROM generate_series(1, 20000) AS i",
        )
        .unwrap();
        // The 20,000 unchained entries are chained once ...
        store.append_audit(&entry("second")).unwrap();
        testing::query(
            &url,
            "ANALYZE audit_log;
             INSERT INTO audit_log (at, actor, action) VALUES (1, 'device:d', 'sync_change')",
        )
        .unwrap();
        // ... and then finding the one pending entry touches a few rows.
        let plan = testing::query(
            &url,
            &format!("EXPLAIN (ANALYZE, FORMAT JSON) {}", unchained_sql()),
        )
        .unwrap();
        let plan = plan[0][0].clone().unwrap();
        let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
        let touched = rows_touched(&plan);
        assert!(
            touched < 200.0,
            "{touched} rows touched to find one unchained entry: {plan}"
        );
        let pending = store
            .with_db(|db| Ok(db.query(&unchained_sql(), &[])?.len()))
            .unwrap();
        assert_eq!(pending, 1);
        store.append_audit(&entry("third")).unwrap();
        let v = store.verify_audit().unwrap();
        assert_eq!(v.entries, 20_004);
        assert_eq!(v.first_broken, None);
    }
}
