//! Lone-worker safety in the SQLite backend: what a pushed round or check-in
//! does to the watch ([`observe`], inside the push's transaction), the
//! watchdog's step, escalations, acknowledgement, and the live channel's
//! query. Each state change rewrites the round's `watch` field under a
//! server-minted version, so phones receive it by ordinary pull.

use super::records::{load_current, write_state, SqlFacts};
use super::rows::{ms, opt_ts, read_directory, read_record, seq_param, ts, uuid, RECORD_COLUMNS};
use super::SqliteStore;
use crate::apply::{mint_version, NewState, WATCH_FIELD};
use crate::policy;
use crate::store::safety::{Escalation, EscalationKind, EscalationState, SafetyStore, WatchRules};
use crate::store::{EnrolledDevice, StoreError};
use nightround_core::domain::{
    CheckIn, CheckInKind, MissedReason, RecordKind, Round, RoundWatch, WatchState,
};
use nightround_core::sync::protocol::LiveItem;
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;
use uuid::Uuid;

/// The most urgent items one live answer lists.
const MAX_LIVE_ITEMS: usize = 50;

fn audit(
    conn: &Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: Uuid,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    // Chained at the next append or read of the log, like the trigger's rows.
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((ms(at), actor, action, subject.to_string(), detail))?;
    Ok(())
}

fn reason_str(r: MissedReason) -> &'static str {
    match r {
        MissedReason::CheckInOverdue => "check_in_overdue",
        MissedReason::PastExpectedEnd => "past_expected_end",
    }
}

fn parse_reason(s: &str) -> Option<MissedReason> {
    match s {
        "check_in_overdue" => Some(MissedReason::CheckInOverdue),
        "past_expected_end" => Some(MissedReason::PastExpectedEnd),
        _ => None,
    }
}

fn kind_str(k: EscalationKind) -> &'static str {
    match k {
        EscalationKind::MissedRound => "missed_round",
        EscalationKind::HelpCall => "help_call",
    }
}

/// Her last sign of life on a round: its start or her latest check-in.
fn last_heard(conn: &Connection, round_id: &str, started_at: i64) -> Result<i64, StoreError> {
    let latest: Option<i64> = conn
        .prepare_cached("SELECT MAX(made_at) FROM check_in_log WHERE round_id = ?1")?
        .query_row([round_id], |r| r.get(0))?;
    Ok(latest.map_or(started_at, |l| l.max(started_at)))
}

/// Rewrites a round's watch under a new server version, so every phone that
/// may see it takes the change on its next pull. Nothing is written when
/// `change` leaves the watch as it was (a round never raised has none).
fn rewrite_watch(
    conn: &Connection,
    key: &nightround_core::crypto::DataKey,
    round_id: Uuid,
    now: Timestamp,
    change: impl FnOnce(&mut Option<RoundWatch>),
) -> Result<(), StoreError> {
    let Some(cur) = load_current(conn, key, &round_id.to_string())? else {
        return Ok(());
    };
    let Some(body) = cur.body else {
        return Ok(()); // deleted: nothing to say
    };
    let mut round: Round = serde_json::from_value(Value::Object(body))
        .map_err(|_| StoreError::Corrupt("a stored round"))?;
    let before = round.watch.clone();
    change(&mut round.watch);
    if round.watch == before {
        return Ok(());
    }
    let Ok(Value::Object(body)) = serde_json::to_value(&round) else {
        return Err(StoreError::Corrupt("a round that would not serialise"));
    };
    let version = mint_version(&cur.meta.version, now);
    let mut field_versions = cur.field_versions;
    field_versions.insert(WATCH_FIELD.to_owned(), version.clone());
    write_state(
        conn,
        key,
        &NewState {
            kind: RecordKind::Round,
            id: round_id,
            version,
            organisation_id: cur.meta.organisation_id,
            author_worker_id: cur.meta.author_worker_id,
            person_id: None,
            agency_id: None,
            alert_until: round.alert_until(),
            consent_until: None,
            tombstone: false,
            body: Some(body),
            field_versions,
        },
    )
}

/// Moves a raised round's escalation and its watch to `state`.
fn settle_round(
    conn: &Connection,
    key: &nightround_core::crypto::DataKey,
    round_id: Uuid,
    state: EscalationState,
    heard: i64,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE safety_escalations SET state = ?1, last_heard_at = MAX(last_heard_at, ?2),
                 changed_at = ?3
             WHERE id = ?4 AND state != 'resolved'",
        )?
        .execute((state.as_str(), heard, ms(now), round_id.to_string()))?;
    if changed == 0 {
        return Ok(());
    }
    let action = match state {
        EscalationState::HeardFromAgain => "safety_heard_from_again",
        EscalationState::Resolved => "safety_resolved",
        EscalationState::Raised => "safety_raised",
    };
    audit(conn, now, actor, action, round_id, None)?;
    let heard_at = ts(heard)?;
    rewrite_watch(conn, key, round_id, now, |watch| {
        if let Some(w) = watch {
            w.state = match state {
                EscalationState::Raised => WatchState::Missed,
                EscalationState::HeardFromAgain => WatchState::HeardFromAgain,
                EscalationState::Resolved => WatchState::Resolved,
            };
            w.last_heard_at = w.last_heard_at.max(heard_at);
            w.changed_at = now;
        }
    })
}

/// What a stored round or check-in does to the watch; called in the push's
/// transaction right after the record is written.
pub(super) fn observe(
    conn: &Connection,
    key: &nightround_core::crypto::DataKey,
    state: &NewState,
    now: Timestamp,
) -> Result<(), StoreError> {
    let actor = state.author_worker_id.clone();
    match (state.kind, &state.body) {
        (RecordKind::Round, None) => {
            conn.execute(
                "DELETE FROM round_watch WHERE round_id = ?1",
                [state.id.to_string()],
            )?;
        }
        (RecordKind::Round, Some(body)) => {
            let round: Round = serde_json::from_value(Value::Object(body.clone()))
                .map_err(|_| StoreError::Corrupt("a stored round"))?;
            let id = round.id.to_string();
            let interval_ms = round.interval().num_milliseconds();
            conn.prepare_cached(
                "INSERT INTO round_watch (round_id, organisation_id, worker_id, buddy_worker_id,
                     area_id, started_at, watch_from, expected_end, interval_ms, ended_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9)
                 ON CONFLICT (round_id) DO UPDATE SET
                     buddy_worker_id = excluded.buddy_worker_id, area_id = excluded.area_id,
                     expected_end = excluded.expected_end, interval_ms = excluded.interval_ms,
                     ended_at = excluded.ended_at",
            )?
            .execute(rusqlite::params![
                id,
                state.organisation_id,
                state.author_worker_id,
                round.buddy.as_ref().map(|b| b.worker_id.clone()),
                round.area_id,
                ms(round.started_at),
                ms(round.expected_end),
                interval_ms,
                round.ended_at.map(ms),
            ])?;
            if round.ended_at.is_some() {
                let heard = last_heard(conn, &id, ms(round.started_at))?;
                settle_round(
                    conn,
                    key,
                    round.id,
                    EscalationState::Resolved,
                    heard,
                    &actor,
                    now,
                )?;
            }
        }
        (RecordKind::CheckIn, Some(body)) => {
            let c: CheckIn = serde_json::from_value(Value::Object(body.clone()))
                .map_err(|_| StoreError::Corrupt("a stored check-in"))?;
            let help = c.kind == CheckInKind::NeedHelp;
            conn.prepare_cached(
                "INSERT OR IGNORE INTO check_in_log (id, round_id, made_at, help)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute((
                c.id.to_string(),
                c.round_id.map(|r| r.to_string()),
                ms(c.made_at),
                help,
            ))?;
            if help {
                let buddy: Option<String> = match c.round_id {
                    Some(r) => conn
                        .query_row(
                            "SELECT buddy_worker_id FROM round_watch WHERE round_id = ?1",
                            [r.to_string()],
                            |row| row.get(0),
                        )
                        .optional()?
                        .flatten(),
                    None => None,
                };
                let inserted = conn
                    .prepare_cached(
                        "INSERT OR IGNORE INTO safety_escalations (id, kind, organisation_id,
                             worker_id, buddy_worker_id, reason, area_id, raised_at,
                             last_heard_at, state, changed_at)
                         VALUES (?1, 'help_call', ?2, ?3, ?4, NULL, ?5, ?6, ?7, 'raised', ?6)",
                    )?
                    .execute(rusqlite::params![
                        c.id.to_string(),
                        state.organisation_id,
                        state.author_worker_id,
                        buddy,
                        c.area_id,
                        ms(now),
                        ms(c.made_at),
                    ])?;
                if inserted > 0 {
                    audit(conn, now, &actor, "safety_help_called", c.id, None)?;
                }
            }
            if let Some(round_id) = c.round_id {
                let raised: Option<i64> = conn
                    .query_row(
                        "SELECT started_at FROM round_watch WHERE round_id = ?1 AND raised = 1",
                        [round_id.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(started) = raised {
                    let heard = last_heard(conn, &round_id.to_string(), started)?;
                    let missed: bool = conn
                        .query_row(
                            "SELECT EXISTS (SELECT 1 FROM safety_escalations
                                 WHERE id = ?1 AND state = 'raised')",
                            [round_id.to_string()],
                            |r| r.get(0),
                        )
                        .unwrap_or(false);
                    if missed {
                        settle_round(
                            conn,
                            key,
                            round_id,
                            EscalationState::HeardFromAgain,
                            heard,
                            &actor,
                            now,
                        )?;
                    }
                    // Her phone has just been heard from: the watch starts
                    // afresh from now rather than from the (older) time the
                    // check-in was made, so it is not raised again at once.
                    conn.execute(
                        "UPDATE round_watch SET raised = 0, watch_from = MAX(watch_from, ?1)
                         WHERE round_id = ?2 AND ended_at IS NULL",
                        (ms(now), round_id.to_string()),
                    )?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

struct RawEscalation {
    id: String,
    kind: String,
    organisation_id: String,
    worker_id: String,
    worker_name: Option<String>,
    buddy_worker_id: Option<String>,
    buddy_name: Option<String>,
    reason: Option<String>,
    area_id: Option<String>,
    raised_at: i64,
    last_heard_at: i64,
    state: String,
    acknowledged_by: Option<String>,
    acknowledged_at: Option<i64>,
    changed_at: i64,
}

const ESCALATION_SELECT: &str = "SELECT e.id, e.kind, e.organisation_id, e.worker_id,
        w.display_name, e.buddy_worker_id, b.display_name, e.reason, e.area_id, e.raised_at,
        e.last_heard_at, e.state, e.acknowledged_by, e.acknowledged_at, e.changed_at
    FROM safety_escalations e
    LEFT JOIN workers w ON w.id = e.worker_id
    LEFT JOIN workers b ON b.id = e.buddy_worker_id";

fn read_escalation(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEscalation> {
    Ok(RawEscalation {
        id: r.get(0)?,
        kind: r.get(1)?,
        organisation_id: r.get(2)?,
        worker_id: r.get(3)?,
        worker_name: r.get(4)?,
        buddy_worker_id: r.get(5)?,
        buddy_name: r.get(6)?,
        reason: r.get(7)?,
        area_id: r.get(8)?,
        raised_at: r.get(9)?,
        last_heard_at: r.get(10)?,
        state: r.get(11)?,
        acknowledged_by: r.get(12)?,
        acknowledged_at: r.get(13)?,
        changed_at: r.get(14)?,
    })
}

impl RawEscalation {
    fn into_escalation(self) -> Result<Escalation, StoreError> {
        let kind = match self.kind.as_str() {
            "missed_round" => EscalationKind::MissedRound,
            "help_call" => EscalationKind::HelpCall,
            _ => return Err(StoreError::Corrupt("an escalation kind")),
        };
        Ok(Escalation {
            id: uuid(&self.id)?,
            kind,
            worker_name: self.worker_name.unwrap_or_else(|| self.worker_id.clone()),
            organisation_id: self.organisation_id,
            worker_id: self.worker_id,
            buddy_worker_id: self.buddy_worker_id,
            buddy_name: self.buddy_name,
            reason: self.reason.as_deref().and_then(parse_reason),
            area_id: self.area_id,
            raised_at: ts(self.raised_at)?,
            last_heard_at: ts(self.last_heard_at)?,
            state: EscalationState::parse(&self.state)
                .ok_or(StoreError::Corrupt("an escalation state"))?,
            acknowledged_by: self.acknowledged_by,
            acknowledged_at: opt_ts(self.acknowledged_at)?,
            changed_at: ts(self.changed_at)?,
        })
    }
}

fn query_escalations<P: rusqlite::Params>(
    conn: &Connection,
    filter: &str,
    params: P,
) -> Result<Vec<Escalation>, StoreError> {
    let rows: Vec<RawEscalation> = conn
        .prepare_cached(&format!(
            "{ESCALATION_SELECT} {filter} ORDER BY e.raised_at DESC"
        ))?
        .query_map(params, read_escalation)?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(RawEscalation::into_escalation)
        .collect()
}

impl SafetyStore for SqliteStore {
    fn raise_overdue(
        &self,
        now: Timestamp,
        rules: &WatchRules,
    ) -> Result<Vec<Escalation>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let grace = rules.grace.num_milliseconds();
        #[allow(clippy::type_complexity)]
        let open: Vec<(
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
            i64,
            i64,
            i64,
        )> = tx
            .prepare_cached(
                "SELECT round_id, organisation_id, worker_id, buddy_worker_id, area_id,
                     started_at, watch_from, expected_end, interval_ms
                 FROM round_watch WHERE ended_at IS NULL AND raised = 0",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let now_ms = ms(now);
        let mut raised_ids = Vec::new();
        for (id, org, worker, buddy, area, started, watch_from, expected_end, interval) in open {
            let watched_since = last_heard(&tx, &id, watch_from)?;
            let heard = last_heard(&tx, &id, started)?;
            // Heard from again after a raise, she has one more interval
            // before a late end raises the round again (not every tick).
            let end_due = if watch_from > started {
                expected_end.max(watch_from + interval)
            } else {
                expected_end
            };
            let reason = if watched_since + interval + grace < now_ms {
                MissedReason::CheckInOverdue
            } else if end_due + grace < now_ms {
                MissedReason::PastExpectedEnd
            } else {
                continue;
            };
            let round_id = uuid(&id)?;
            tx.execute(
                "UPDATE round_watch SET raised = 1 WHERE round_id = ?1",
                [&id],
            )?;
            tx.prepare_cached(
                "INSERT INTO safety_escalations (id, kind, organisation_id, worker_id,
                     buddy_worker_id, reason, area_id, raised_at, last_heard_at, state, changed_at)
                 VALUES (?1, 'missed_round', ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'raised', ?7)
                 ON CONFLICT (id) DO UPDATE SET state = 'raised', reason = excluded.reason,
                     raised_at = excluded.raised_at, last_heard_at = excluded.last_heard_at,
                     acknowledged_by = NULL, acknowledged_at = NULL, changed_at = excluded.changed_at",
            )?
            .execute(rusqlite::params![
                id,
                org,
                worker,
                buddy,
                reason_str(reason),
                area,
                now_ms,
                heard,
            ])?;
            audit(
                &tx,
                now,
                "watchdog",
                "safety_raised",
                round_id,
                Some(reason_str(reason)),
            )?;
            let heard_at = ts(heard)?;
            rewrite_watch(&tx, &self.key, round_id, now, |watch| {
                *watch = Some(RoundWatch {
                    state: WatchState::Missed,
                    reason,
                    raised_at: now,
                    last_heard_at: heard_at,
                    acknowledged_by: None,
                    acknowledged_at: None,
                    changed_at: now,
                });
            })?;
            raised_ids.push(id);
        }
        let mut raised = Vec::with_capacity(raised_ids.len());
        for id in &raised_ids {
            raised.extend(query_escalations(&tx, "WHERE e.id = ?1", [id])?);
        }
        tx.commit()?;
        Ok(raised)
    }

    fn unacknowledged(&self, organisation_id: &str) -> Result<Vec<Escalation>, StoreError> {
        let conn = self.lock();
        query_escalations(
            &conn,
            "WHERE e.organisation_id = ?1 AND e.acknowledged_at IS NULL",
            [organisation_id],
        )
    }

    fn escalations_since(
        &self,
        organisation_id: &str,
        since: Timestamp,
    ) -> Result<Vec<Escalation>, StoreError> {
        let conn = self.lock();
        query_escalations(
            &conn,
            "WHERE e.organisation_id = ?1 AND e.raised_at >= ?2",
            (organisation_id, ms(since)),
        )
    }

    fn note_seen(&self, ids: &[Uuid], worker_id: &str, now: Timestamp) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let actor = worker_id;
        for id in ids {
            let first = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO safety_seen (id, worker_id, at)
                     SELECT ?1, ?2, ?3
                     WHERE EXISTS (SELECT 1 FROM safety_escalations WHERE id = ?1)",
                )?
                .execute((id.to_string(), worker_id, ms(now)))?;
            if first > 0 {
                audit(&tx, now, actor, "safety_seen", *id, None)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn acknowledge(
        &self,
        id: Uuid,
        organisation_id: &str,
        worker_id: &str,
        worker_name: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kind: Option<String> = tx
            .query_row(
                "SELECT kind FROM safety_escalations
                 WHERE id = ?1 AND organisation_id = ?2 AND acknowledged_at IS NULL",
                (id.to_string(), organisation_id),
                |r| r.get(0),
            )
            .optional()?;
        let Some(kind) = kind else {
            return Ok(false);
        };
        tx.execute(
            "UPDATE safety_escalations SET acknowledged_by = ?1, acknowledged_at = ?2
             WHERE id = ?3",
            (worker_name, ms(now), id.to_string()),
        )?;
        audit(&tx, now, worker_id, "safety_acknowledged", id, None)?;
        if kind == kind_str(EscalationKind::MissedRound) {
            let name = worker_name.to_owned();
            rewrite_watch(&tx, &self.key, id, now, |watch| {
                if let Some(w) = watch {
                    w.acknowledged_by = Some(name);
                    w.acknowledged_at = Some(now);
                    w.changed_at = now;
                }
            })?;
        }
        tx.commit()?;
        Ok(true)
    }

    fn urgent_since(
        &self,
        caller: &EnrolledDevice,
        after: u64,
        now: Timestamp,
    ) -> Result<Vec<LiveItem>, StoreError> {
        let conn = self.lock();
        let dir = read_directory(&conn)?;
        let facts = SqlFacts {
            conn: &conn,
            dir: &dir,
        };
        let viewer = caller.viewer();
        let rows: Vec<super::rows::RawRecord> = conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records
                 WHERE seq > ?1 AND alert_until > ?2 AND tombstone = 0 ORDER BY seq"
            ))?
            .query_map((seq_param(after), ms(now)), read_record)?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for raw in rows {
            let (meta, _) = raw.into_meta()?;
            if policy::may_see(&viewer, &meta, &facts, now)? {
                out.push(LiveItem {
                    seq: meta.seq,
                    kind: meta.kind,
                    id: meta.id,
                });
                if out.len() == MAX_LIVE_ITEMS {
                    break;
                }
            }
        }
        Ok(out)
    }
}
