//! The dashboard's storage in the SQLite backend: accounts, sessions, the
//! audit chain, escalations, and records read through the policy.

use super::records::SqlFacts;
use super::rows::{
    is_constraint, ms, opt_ts, read_directory, read_record, read_worker, ts, uuid, RawRecord,
    RawWorker, RECORD_COLUMNS, WORKER_COLUMNS,
};
use super::{dashboard_views, SqliteStore};
use crate::policy::Viewer;
use crate::store::audit_chain::{self, to_array};
use crate::store::dashboard::{
    Account, AuditEntry, AuditVerification, ContactTally, ContactsOf, DashboardStore, Escalation,
    NewAuditEntry, PersonSeen, ReferralRow, Scope, SessionInfo, SignInBackoff, SupplyTally,
    VisibleRecord,
};
use crate::store::pull::Projector;
use crate::store::{Organisation, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

/// The purpose the audit chain's key is derived for.
const AUDIT_KEY_PURPOSE: &str = "nightround.server.audit-chain";

fn audit_key(records_key: &DataKey) -> DataKey {
    records_key.derive(AUDIT_KEY_PURPOSE)
}

/// A typed username as the failure count keys it: trimmed, lower case, at
/// most 64 characters (what the form could name, known or not).
fn username_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

struct RawAudit {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    subject: Option<String>,
    detail: Option<String>,
    mac: Option<Vec<u8>>,
}

const AUDIT_COLUMNS: &str = "seq, at, actor, action, subject, detail, mac";

fn read_audit(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAudit> {
    Ok(RawAudit {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        detail: r.get(5)?,
        mac: r.get(6)?,
    })
}

/// The chain value of one entry after `prev`: the one MAC both backends
/// use (`store::audit_chain`), so a copied chain verifies on either.
fn chain_value(key: &DataKey, prev: &[u8; 32], e: &RawAudit) -> [u8; 32] {
    audit_chain::chain_value(
        key,
        prev,
        &audit_chain::ChainFields {
            seq: e.seq,
            at: e.at,
            actor: &e.actor,
            action: &e.action,
            subject: e.subject.as_deref(),
            detail: e.detail.as_deref(),
        },
    )
}

/// The entries without a chain value, oldest first: the tail after the
/// newest chained entry (entries are chained in order), found by walking
/// back from the end, so the cost is the tail's, not the log's. Every synced
/// change adds an entry, so the log is as long as the store's history.
fn unchained_sql() -> String {
    format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log
         WHERE seq > IFNULL((SELECT seq FROM audit_log WHERE mac IS NOT NULL
                             ORDER BY seq DESC LIMIT 1), -9223372036854775808)
         ORDER BY seq"
    )
}

/// Chains the entries a trigger or an interrupted append left without a
/// value. They are always the newest: entries are chained in order.
fn chain_pending(conn: &Connection, key: &DataKey) -> Result<(), StoreError> {
    let pending: Vec<RawAudit> = conn
        .prepare_cached(&unchained_sql())?
        .query_map([], read_audit)?
        .collect::<Result<_, _>>()?;
    let Some(first) = pending.first() else {
        return Ok(());
    };
    let prev: Option<Vec<u8>> = conn
        .query_row(
            "SELECT mac FROM audit_log WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
            [first.seq],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let mut prev = match prev {
        Some(v) => to_array(&v)?,
        None => [0u8; 32],
    };
    let mut update = conn.prepare_cached("UPDATE audit_log SET mac = ?1 WHERE seq = ?2")?;
    for e in &pending {
        let value = chain_value(key, &prev, e);
        update.execute((value.as_slice(), e.seq))?;
        prev = value;
    }
    Ok(())
}

fn read_account(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAccount> {
    Ok(RawAccount {
        worker_id: r.get(0)?,
        username: r.get(1)?,
        password_hash: r.get(2)?,
        created_at: r.get(3)?,
        failed_attempts: r.get(4)?,
        locked_until: r.get(5)?,
        last_sign_in_at: r.get(6)?,
    })
}

struct RawAccount {
    worker_id: String,
    username: String,
    password_hash: String,
    created_at: i64,
    failed_attempts: i64,
    locked_until: Option<i64>,
    last_sign_in_at: Option<i64>,
}

impl RawAccount {
    fn into_account(self) -> Result<Account, StoreError> {
        Ok(Account {
            worker_id: self.worker_id,
            username: self.username,
            password_hash: self.password_hash,
            created_at: ts(self.created_at)?,
            failed_attempts: u32::try_from(self.failed_attempts).unwrap_or(u32::MAX),
            locked_until: opt_ts(self.locked_until)?,
            last_sign_in_at: opt_ts(self.last_sign_in_at)?,
        })
    }
}

const ACCOUNT_COLUMNS: &str = "worker_id, username, password_hash, created_at, failed_attempts,
    locked_until, last_sign_in_at";

impl DashboardStore for SqliteStore {
    fn add_account(&self, a: &Account) -> Result<(), StoreError> {
        let conn = self.lock();
        match conn.execute(
            "INSERT INTO dashboard_accounts (worker_id, username, password_hash, created_at,
                 failed_attempts, locked_until, last_sign_in_at)
             VALUES (?1, ?2, ?3, ?4, 0, NULL, NULL)",
            (
                &a.worker_id,
                &a.username,
                &a.password_hash,
                ms(a.created_at),
            ),
        ) {
            Ok(_) => Ok(()),
            Err(e) if is_constraint(&e) => Err(StoreError::Duplicate(
                "a dashboard account for that worker or username",
            )),
            Err(e) => Err(e.into()),
        }
    }

    fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let conn = self.lock();
        conn.query_row(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM dashboard_accounts WHERE username = ?1"),
            [username.trim()],
            read_account,
        )
        .optional()?
        .map(RawAccount::into_account)
        .transpose()
    }

    fn account_of(&self, worker_id: &str) -> Result<Option<Account>, StoreError> {
        let conn = self.lock();
        conn.query_row(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM dashboard_accounts WHERE worker_id = ?1"),
            [worker_id],
            read_account,
        )
        .optional()?
        .map(RawAccount::into_account)
        .transpose()
    }

    fn set_password(&self, worker_id: &str, password_hash: &str) -> Result<bool, StoreError> {
        let conn = self.lock();
        let n = conn.execute(
            "UPDATE dashboard_accounts SET password_hash = ?1, failed_attempts = 0,
                 locked_until = NULL WHERE worker_id = ?2",
            (password_hash, worker_id),
        )?;
        Ok(n > 0)
    }

    fn sign_in_blocked_until(
        &self,
        username: &str,
        client: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let until: Option<Option<i64>> = self
            .lock()
            .prepare_cached(
                "SELECT blocked_until FROM sign_in_failures WHERE username = ?1 AND client = ?2",
            )?
            .query_row((username_key(username), client), |r| r.get(0))
            .optional()?;
        Ok(opt_ts(until.flatten())?.filter(|u| *u > now))
    }

    fn note_sign_in_failure(
        &self,
        username: &str,
        client: &str,
        now: Timestamp,
        backoff: &SignInBackoff,
    ) -> Result<Option<Timestamp>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM sign_in_failures WHERE last_failed_at < ?1",
            [ms(now - chrono::Duration::days(1))],
        )?;
        let failures: i64 = tx.query_row(
            "INSERT INTO sign_in_failures (username, client, failures, last_failed_at)
             VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (username, client)
             DO UPDATE SET failures = failures + 1, last_failed_at = ?3
             RETURNING failures",
            (username_key(username), client, ms(now)),
            |r| r.get(0),
        )?;
        let delay = backoff.delay(u32::try_from(failures).unwrap_or(u32::MAX));
        let until = (delay > chrono::Duration::zero()).then(|| now + delay);
        tx.execute(
            "UPDATE sign_in_failures SET blocked_until = ?1 WHERE username = ?2 AND client = ?3",
            (until.map(ms), username_key(username), client),
        )?;
        tx.commit()?;
        Ok(until)
    }

    fn clear_sign_in_failures(&self, username: &str, client: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "DELETE FROM sign_in_failures WHERE username = ?1 AND client = ?2",
            (username_key(username), client),
        )?;
        Ok(())
    }

    fn set_partnership_admin(
        &self,
        worker_id: &str,
        admin: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let conn = self.lock();
        if admin {
            conn.execute(
                "INSERT INTO partnership_admins (worker_id, granted_at) VALUES (?1, ?2)
                 ON CONFLICT (worker_id) DO NOTHING",
                (worker_id, ms(now)),
            )?;
        } else {
            conn.execute(
                "DELETE FROM partnership_admins WHERE worker_id = ?1",
                [worker_id],
            )?;
        }
        Ok(())
    }

    fn is_partnership_admin(&self, worker_id: &str) -> Result<bool, StoreError> {
        Ok(self.lock().query_row(
            "SELECT EXISTS (SELECT 1 FROM partnership_admins WHERE worker_id = ?1)",
            [worker_id],
            |r| r.get(0),
        )?)
    }

    fn sign_in_succeeded(&self, worker_id: &str, now: Timestamp) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE dashboard_accounts SET failed_attempts = 0, locked_until = NULL,
                 last_sign_in_at = ?1 WHERE worker_id = ?2",
            (ms(now), worker_id),
        )?;
        Ok(())
    }

    fn create_session(
        &self,
        token_hash: &[u8; 32],
        worker_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO dashboard_sessions (token_hash, worker_id, created_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?3)",
            (token_hash.as_slice(), worker_id, ms(now)),
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &[u8; 32]) -> Result<Option<SessionInfo>, StoreError> {
        let conn = self.lock();
        let row: Option<(RawWorker, String, i64, i64, i64, bool)> = conn
            .prepare_cached(&format!(
                "SELECT {WORKER_COLUMNS}, o.name, o.created_at, s.created_at, s.last_seen_at,
                     EXISTS (SELECT 1 FROM partnership_admins p WHERE p.worker_id = w.id)
                 FROM dashboard_sessions s
                 JOIN workers w ON w.id = s.worker_id
                 JOIN organisations o ON o.id = w.organisation_id
                 WHERE s.token_hash = ?1"
            ))?
            .query_row([token_hash.as_slice()], |r| {
                Ok((
                    read_worker(r, 0)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                ))
            })
            .optional()?;
        let Some((worker, org_name, org_created, created, seen, partnership_admin)) = row else {
            return Ok(None);
        };
        let worker = worker.into_worker()?;
        Ok(Some(SessionInfo {
            organisation: Organisation {
                id: worker.organisation_id.clone(),
                name: org_name,
                created_at: ts(org_created)?,
            },
            worker,
            created_at: ts(created)?,
            last_seen_at: ts(seen)?,
            partnership_admin,
        }))
    }

    fn touch_session(&self, token_hash: &[u8; 32], now: Timestamp) -> Result<(), StoreError> {
        self.lock()
            .prepare_cached(
                "UPDATE dashboard_sessions SET last_seen_at = ?1 WHERE token_hash = ?2",
            )?
            .execute((ms(now), token_hash.as_slice()))?;
        Ok(())
    }

    fn end_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        self.lock().execute(
            "DELETE FROM dashboard_sessions WHERE token_hash = ?1",
            [token_hash.as_slice()],
        )?;
        Ok(())
    }

    fn end_stale_sessions(
        &self,
        idle_before: Timestamp,
        started_before: Timestamp,
    ) -> Result<usize, StoreError> {
        Ok(self.lock().execute(
            "DELETE FROM dashboard_sessions WHERE last_seen_at < ?1 OR created_at < ?2",
            (ms(idle_before), ms(started_before)),
        )?)
    }

    fn append_audit(&self, e: &NewAuditEntry) -> Result<u64, StoreError> {
        let key = audit_key(&self.key);
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        chain_pending(&tx, &key)?;
        tx.execute(
            "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            (ms(e.at), &e.actor, &e.action, &e.subject, &e.detail),
        )?;
        let seq = tx.last_insert_rowid();
        chain_pending(&tx, &key)?;
        tx.commit()?;
        u64::try_from(seq).map_err(|_| StoreError::Corrupt("an audit sequence number"))
    }

    fn audit_entries(
        &self,
        limit: usize,
        before_seq: Option<u64>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let key = audit_key(&self.key);
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        chain_pending(&tx, &key)?;
        let before = before_seq.map_or(i64::MAX, |s| i64::try_from(s).unwrap_or(i64::MAX));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<RawAudit> = tx
            .prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2"
            ))?
            .query_map((before, limit), read_audit)?
            .collect::<Result<_, _>>()?;
        tx.commit()?;
        rows.into_iter()
            .map(|r| {
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
    }

    fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let key = audit_key(&self.key);
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        chain_pending(&tx, &key)?;
        let mut prev = [0u8; 32];
        let mut entries = 0u64;
        let mut first_broken = None;
        {
            let mut st = tx.prepare(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
            ))?;
            let mut rows = st.query([])?;
            while let Some(row) = rows.next()? {
                let e = read_audit(row)?;
                entries += 1;
                let expected = chain_value(&key, &prev, &e);
                let stored = e.mac.as_deref().map(to_array).transpose().ok().flatten();
                if first_broken.is_none() && stored != Some(expected) {
                    first_broken = Some(u64::try_from(e.seq).unwrap_or(0));
                }
                // Follow the stored chain, so one damaged entry is reported
                // once rather than breaking every entry after it.
                prev = stored.unwrap_or(expected);
            }
        }
        tx.commit()?;
        Ok(AuditVerification {
            entries,
            first_broken,
            head: (entries > 0).then(|| hex(&prev)),
        })
    }

    fn visible_records(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        let conn = self.reader()?;
        let rows: Vec<RawRecord> = conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE tombstone = 0 ORDER BY seq"
            ))?
            .query_map([], read_record)?
            .collect::<Result<_, _>>()?;
        self.open_visible(&conn, rows, viewer, now)
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
        let conn = self.reader()?;
        let (sql, params) = scope_query(scope);
        let rows: Vec<RawRecord> = conn
            .prepare_cached(&sql)?
            .query_map(rusqlite::params_from_iter(params), read_record)?
            .collect::<Result<_, _>>()?;
        self.open_visible(&conn, rows, viewer, now)
    }

    fn people_seen(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<PersonSeen>, StoreError> {
        let conn = self.reader()?;
        let dir = read_directory(&conn)?;
        let facts = SqlFacts {
            conn: &conn,
            dir: &dir,
        };
        dashboard_views::people_seen(&conn, &facts, viewer, now)
    }

    fn contacts_of(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        person: Uuid,
    ) -> Result<ContactsOf, StoreError> {
        let conn = self.reader()?;
        let dir = read_directory(&conn)?;
        let facts = SqlFacts {
            conn: &conn,
            dir: &dir,
        };
        dashboard_views::contacts_of(&conn, &facts, viewer, now, person, true)
    }

    fn people_on_screen(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        people: &[Uuid],
    ) -> Result<Vec<(ContactsOf, usize)>, StoreError> {
        let conn = self.reader()?;
        let dir = read_directory(&conn)?;
        let facts = SqlFacts {
            conn: &conn,
            dir: &dir,
        };
        people
            .iter()
            .map(|p| {
                Ok((
                    dashboard_views::contacts_of(&conn, &facts, viewer, now, *p, true)?,
                    dashboard_views::open_referrals_of(&conn, &facts, viewer, now, *p)?,
                ))
            })
            .collect()
    }

    fn open_records(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
        ids: &[Uuid],
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        let conn = self.reader()?;
        let mut rows = Vec::with_capacity(ids.len());
        {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1 AND tombstone = 0"
            ))?;
            for id in ids {
                rows.extend(stmt.query_row([id.to_string()], read_record).optional()?);
            }
        }
        self.open_visible(&conn, rows, viewer, now)
    }

    fn contact_rounds(
        &self,
        viewer: &Viewer<'_>,
        _now: Timestamp,
    ) -> Result<Vec<chrono::NaiveDate>, StoreError> {
        let conn = self.reader()?;
        dashboard_views::contact_rounds(&conn, viewer.organisation_id)
    }

    fn contact_tallies(
        &self,
        viewer: &Viewer<'_>,
        _now: Timestamp,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<ContactTally>, StoreError> {
        dashboard_views::contact_tallies(&*self.reader()?, viewer, from, to)
    }

    fn supply_tallies(
        &self,
        viewer: &Viewer<'_>,
        _now: Timestamp,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<SupplyTally>, StoreError> {
        dashboard_views::supply_tallies(&*self.reader()?, viewer, from, to)
    }

    fn overdue_referrals(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<std::collections::BTreeMap<String, usize>, StoreError> {
        dashboard_views::overdue_referrals(&*self.reader()?, viewer, now)
    }

    fn referral_rows(
        &self,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<ReferralRow>, StoreError> {
        let conn = self.reader()?;
        let dir = read_directory(&conn)?;
        let facts = SqlFacts {
            conn: &conn,
            dir: &dir,
        };
        dashboard_views::referral_rows(&conn, &facts, viewer, now)
    }

    fn add_escalation(&self, e: &Escalation) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO referral_escalations (referral_id, worker_id, at) VALUES (?1, ?2, ?3)",
            (e.referral_id.to_string(), &e.worker_id, ms(e.at)),
        )?;
        Ok(())
    }

    fn escalations(&self) -> Result<Vec<Escalation>, StoreError> {
        let conn = self.reader()?;
        let rows: Vec<(String, String, i64)> = conn
            .prepare("SELECT referral_id, worker_id, at FROM referral_escalations ORDER BY at")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, worker_id, at)| {
                Ok(Escalation {
                    referral_id: uuid(&id)?,
                    worker_id,
                    at: ts(at)?,
                })
            })
            .collect()
    }
}

impl SqliteStore {
    /// Keeps the rows `viewer` may see and opens their bodies.
    fn open_visible(
        &self,
        conn: &Connection,
        rows: Vec<RawRecord>,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<VisibleRecord>, StoreError> {
        let dir = read_directory(conn)?;
        // The pull's own shaping, so a page shows a viewer exactly what her
        // phone would hold.
        let facts = super::records::SqlFacts { conn, dir: &dir };
        let agreement = super::partnership::read_agreement(conn)?;
        let mut projector = Projector::new(&facts, &self.key, agreement, now);
        let mut out = Vec::new();
        for raw in rows {
            let (meta, sealed) = raw.into_meta()?;
            if let Some(body) = projector.body(viewer, &meta, sealed)? {
                out.push(VisibleRecord { meta, body });
            }
        }
        Ok(out)
    }
}

/// The SQL and parameters for a [`Scope`]: each narrowing is answered by an
/// index (`records_by_kind`, `records_by_person`, `applied_versions_by_time`),
/// so the rows read are the rows the page may show.
fn scope_query(scope: &Scope) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    let mut params: Vec<V> = Vec::new();
    let kinds = scope
        .kinds
        .iter()
        .map(|k| {
            params.push(V::Text(k.as_str().to_owned()));
            format!("?{}", params.len())
        })
        .collect::<Vec<_>>()
        .join(", ");
    // One person: start from her records (the person index) and her
    // profile (its key), then look each up by id. Since a moment: start
    // from the versions applied since then (the time index). CROSS JOIN
    // keeps SQLite from walking every record of the kind instead.
    let mut sql = match (scope.person, scope.applied_since) {
        (Some(p), since) => {
            params.push(V::Text(p.to_string()));
            let n = params.len();
            let mut sql = format!(
                "SELECT {RECORD_COLUMNS} FROM
                 (SELECT id AS her_id FROM records WHERE person_id = ?{n} AND kind IN ({kinds})
                  UNION SELECT ?{n})
                 CROSS JOIN records ON records.id = her_id
                 WHERE tombstone = 0 AND kind IN ({kinds})"
            );
            if let Some(t) = since {
                params.push(V::Integer(ms(t)));
                sql += &format!(
                    " AND records.id IN (SELECT id FROM applied_versions WHERE applied_at >= ?{})",
                    params.len()
                );
            }
            sql
        }
        (None, Some(t)) if scope.few => {
            params.push(V::Integer(ms(t)));
            format!(
                "SELECT {RECORD_COLUMNS} FROM
                 (SELECT id AS few_id FROM records WHERE kind IN ({kinds})
                  AND id IN (SELECT id FROM applied_versions WHERE applied_at >= ?{}))
                 CROSS JOIN records ON records.id = few_id WHERE tombstone = 0",
                params.len()
            )
        }
        (None, Some(t)) => {
            params.push(V::Integer(ms(t)));
            format!(
                "SELECT {RECORD_COLUMNS} FROM
                 (SELECT DISTINCT id AS since_id FROM applied_versions WHERE applied_at >= ?{})
                 CROSS JOIN records ON records.id = since_id
                 WHERE tombstone = 0 AND kind IN ({kinds})",
                params.len()
            )
        }
        (None, None) => {
            format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE tombstone = 0 AND kind IN ({kinds})"
            )
        }
    };
    if let Some(t) = scope.alert_after {
        params.push(V::Integer(ms(t)));
        sql += &format!(" AND alert_until > ?{}", params.len());
    }
    sql += " ORDER BY seq";
    (sql, params)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Organisation, Store, Worker};
    use nightround_core::domain::Role;

    fn store() -> SqliteStore {
        let s = SqliteStore::open_in_memory(DataKey::generate(1), chrono::Utc::now()).unwrap();
        let now = chrono::Utc::now();
        s.add_organisation(&Organisation {
            id: "aspirations".into(),
            name: "Aspirations".into(),
            created_at: now,
        })
        .unwrap();
        s.add_worker(&Worker {
            id: "w1".into(),
            organisation_id: "aspirations".into(),
            display_name: "Sam".into(),
            role: Role::Supervisor,
            agency_id: None,
            created_at: now,
            revoked_at: None,
        })
        .unwrap();
        s
    }

    fn entry(action: &str) -> NewAuditEntry {
        NewAuditEntry {
            at: chrono::Utc::now(),
            actor: "w1".into(),
            action: action.into(),
            subject: Some("x".into()),
            detail: None,
        }
    }

    #[test]
    fn the_audit_chain_verifies_and_shows_an_edit() {
        let s = store();
        for a in ["sign_in", "view_person", "sign_out"] {
            s.append_audit(&entry(a)).unwrap();
        }
        let ok = s.verify_audit().unwrap();
        assert_eq!(ok.entries, 3);
        assert_eq!(ok.first_broken, None);
        assert!(ok.head.is_some());
        s.lock()
            .execute("UPDATE audit_log SET action = 'nothing' WHERE seq = 2", [])
            .unwrap();
        assert_eq!(s.verify_audit().unwrap().first_broken, Some(2));
    }

    #[test]
    fn a_deleted_entry_breaks_the_chain() {
        let s = store();
        for a in ["a", "b", "c"] {
            s.append_audit(&entry(a)).unwrap();
        }
        s.lock()
            .execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
        assert_eq!(s.verify_audit().unwrap().first_broken, Some(3));
    }

    #[test]
    fn failures_slow_one_client_on_one_name_only() {
        let s = store();
        let now = chrono::DateTime::from_timestamp_millis(1_772_485_200_000).unwrap();
        let backoff = SignInBackoff {
            free_failures: 5,
            first_delay: chrono::Duration::seconds(30),
            max_delay: chrono::Duration::minutes(60),
        };
        for _ in 0..4 {
            assert_eq!(
                s.note_sign_in_failure("Sam", "192.0.2.1", now, &backoff)
                    .unwrap(),
                None
            );
        }
        let fifth = s
            .note_sign_in_failure("sam", "192.0.2.1", now, &backoff)
            .unwrap();
        assert_eq!(fifth, Some(now + chrono::Duration::seconds(30)));
        let sixth = s
            .note_sign_in_failure("SAM", "192.0.2.1", now, &backoff)
            .unwrap();
        assert_eq!(sixth, Some(now + chrono::Duration::seconds(60)));
        assert_eq!(
            s.sign_in_blocked_until("sam", "192.0.2.1", now).unwrap(),
            sixth
        );
        assert_eq!(
            s.sign_in_blocked_until("sam", "192.0.2.2", now).unwrap(),
            None
        );
        assert_eq!(
            s.sign_in_blocked_until("kim", "192.0.2.1", now).unwrap(),
            None
        );
        s.clear_sign_in_failures("sam", "192.0.2.1").unwrap();
        assert_eq!(
            s.sign_in_blocked_until("sam", "192.0.2.1", now).unwrap(),
            None
        );
        assert_eq!(backoff.delay(40), chrono::Duration::minutes(60));
    }

    /// Every dashboard page appends to the audit chain, and every synced
    /// change adds an entry by trigger: finding the unchained ones must read
    /// the unchained tail, not the whole log (at 100k stored records the
    /// scan was most of /people's and /report's time).
    #[test]
    fn chaining_reads_the_unchained_tail_not_the_log() {
        let s = store();
        s.append_audit(&entry("first")).unwrap();
        {
            let conn = s.lock();
            conn.execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                 INSERT INTO audit_log (at, actor, action) SELECT i, 'device:d', 'sync_change' FROM n",
            )
            .unwrap();
        }
        // The 20,000 unchained entries are chained once ...
        s.append_audit(&entry("second")).unwrap();
        let conn = s.lock();
        let stmt = conn.prepare_cached(&unchained_sql()).unwrap();
        stmt.reset_status(rusqlite::StatementStatus::VmStep);
        drop(stmt);
        conn.execute(
            "INSERT INTO audit_log (at, actor, action) VALUES (1, 'device:d', 'sync_change')",
            [],
        )
        .unwrap();
        // ... and then an append finds its one pending entry and itself.
        chain_pending(&conn, &audit_key(&s.key)).unwrap();
        let steps = conn
            .prepare_cached(&unchained_sql())
            .unwrap()
            .get_status(rusqlite::StatementStatus::VmStep);
        assert!(steps < 200, "{steps} steps to find one unchained entry");
        drop(conn);
        let v = s.verify_audit().unwrap();
        assert_eq!(v.entries, 20_003);
        assert_eq!(v.first_broken, None);
    }
}
