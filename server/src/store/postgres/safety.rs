//! Lone-worker safety in the PostgreSQL backend: what a pushed round or
//! check-in does to the watch ([`observe`], inside the push's transaction),
//! the watchdog's step, escalations, acknowledgement, and the live channel's
//! query (the same steps as the SQLite backend's `safety.rs`). Each state
//! change rewrites the round's `watch` field under a server-minted version,
//! so phones receive it by ordinary pull.

use super::db::{get, Db};
use super::records::{load_current, write_state, PgFacts};
use super::rows::{ms, opt_ts, read_directory, read_record, seq_param, ts, uuid, RECORD_COLUMNS};
use super::PgStore;
use crate::apply::{mint_version, NewState, WATCH_FIELD};
use crate::policy;
use crate::store::safety::{Escalation, EscalationKind, EscalationState, SafetyStore, WatchRules};
use crate::store::{EnrolledDevice, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::domain::{
    CheckIn, CheckInKind, MissedReason, RecordKind, Round, RoundWatch, WatchState,
};
use nightround_core::sync::protocol::LiveItem;
use nightround_core::Timestamp;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

/// The most urgent items one live answer lists.
const MAX_LIVE_ITEMS: usize = 50;

fn audit(
    db: &Db<'_>,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: Uuid,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    // Chained at the next append or read of the log, like the trigger's rows.
    db.exec(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&ms(at), &actor, &action, &subject.to_string(), &detail],
    )?;
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
fn last_heard(db: &Db<'_>, round_id: &str, started_at: i64) -> Result<i64, StoreError> {
    let latest: Option<i64> = db.one(
        "SELECT MAX(made_at) FROM check_in_log WHERE round_id = $1",
        &[&round_id],
    )?;
    Ok(latest.map_or(started_at, |l| l.max(started_at)))
}

/// Rewrites a round's watch under a new server version, so every phone that
/// may see it takes the change on its next pull. Nothing is written when
/// `change` leaves the watch as it was (a round never raised has none).
fn rewrite_watch(
    db: &Db<'_>,
    key: &DataKey,
    round_id: Uuid,
    now: Timestamp,
    change: impl FnOnce(&mut Option<RoundWatch>),
) -> Result<(), StoreError> {
    let Some(cur) = load_current(db, key, &round_id.to_string())? else {
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
        db,
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
    db: &Db<'_>,
    key: &DataKey,
    round_id: Uuid,
    state: EscalationState,
    heard: i64,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    let changed = db.exec(
        "UPDATE safety_escalations SET state = $1, last_heard_at = GREATEST(last_heard_at, $2),
             changed_at = $3
         WHERE id = $4 AND state != 'resolved'",
        &[&state.as_str(), &heard, &ms(now), &round_id.to_string()],
    )?;
    if changed == 0 {
        return Ok(());
    }
    let action = match state {
        EscalationState::HeardFromAgain => "safety_heard_from_again",
        EscalationState::Resolved => "safety_resolved",
        EscalationState::Raised => "safety_raised",
    };
    audit(db, now, actor, action, round_id, None)?;
    let heard_at = ts(heard)?;
    rewrite_watch(db, key, round_id, now, |watch| {
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
    db: &Db<'_>,
    key: &DataKey,
    state: &NewState,
    now: Timestamp,
) -> Result<(), StoreError> {
    let actor = state.author_worker_id.clone();
    match (state.kind, &state.body) {
        (RecordKind::Round, None) => {
            db.exec(
                "DELETE FROM round_watch WHERE round_id = $1",
                &[&state.id.to_string()],
            )?;
        }
        (RecordKind::Round, Some(body)) => {
            let round: Round = serde_json::from_value(Value::Object(body.clone()))
                .map_err(|_| StoreError::Corrupt("a stored round"))?;
            let id = round.id.to_string();
            let interval_ms = round.interval().num_milliseconds();
            db.exec(
                "INSERT INTO round_watch (round_id, organisation_id, worker_id, buddy_worker_id,
                     area_id, started_at, watch_from, expected_end, interval_ms, ended_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)
                 ON CONFLICT (round_id) DO UPDATE SET
                     buddy_worker_id = excluded.buddy_worker_id, area_id = excluded.area_id,
                     expected_end = excluded.expected_end, interval_ms = excluded.interval_ms,
                     ended_at = excluded.ended_at",
                &[
                    &id,
                    &state.organisation_id,
                    &state.author_worker_id,
                    &round.buddy.as_ref().map(|b| b.worker_id.clone()),
                    &round.area_id,
                    &ms(round.started_at),
                    &ms(round.expected_end),
                    &interval_ms,
                    &round.ended_at.map(ms),
                ],
            )?;
            if round.ended_at.is_some() {
                let heard = last_heard(db, &id, ms(round.started_at))?;
                settle_round(
                    db,
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
            db.exec(
                "INSERT INTO check_in_log (id, round_id, made_at, help)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[
                    &c.id.to_string(),
                    &c.round_id.map(|r| r.to_string()),
                    &ms(c.made_at),
                    &help,
                ],
            )?;
            if help {
                let buddy: Option<String> = match c.round_id {
                    Some(r) => db
                        .opt::<Option<String>>(
                            "SELECT buddy_worker_id FROM round_watch WHERE round_id = $1",
                            &[&r.to_string()],
                        )?
                        .flatten(),
                    None => None,
                };
                let inserted = db.exec(
                    "INSERT INTO safety_escalations (id, kind, organisation_id,
                         worker_id, buddy_worker_id, reason, area_id, raised_at,
                         last_heard_at, state, changed_at)
                     VALUES ($1, 'help_call', $2, $3, $4, NULL, $5, $6, $7, 'raised', $6)
                     ON CONFLICT DO NOTHING",
                    &[
                        &c.id.to_string(),
                        &state.organisation_id,
                        &state.author_worker_id,
                        &buddy,
                        &c.area_id,
                        &ms(now),
                        &ms(c.made_at),
                    ],
                )?;
                if inserted > 0 {
                    audit(db, now, &actor, "safety_help_called", c.id, None)?;
                }
            }
            if let Some(round_id) = c.round_id {
                let raised: Option<i64> = db.opt(
                    "SELECT started_at FROM round_watch WHERE round_id = $1 AND raised",
                    &[&round_id.to_string()],
                )?;
                if let Some(started) = raised {
                    let heard = last_heard(db, &round_id.to_string(), started)?;
                    let missed: bool = db.one(
                        "SELECT EXISTS (SELECT 1 FROM safety_escalations
                             WHERE id = $1 AND state = 'raised')",
                        &[&round_id.to_string()],
                    )?;
                    if missed {
                        settle_round(
                            db,
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
                    db.exec(
                        "UPDATE round_watch SET raised = FALSE,
                             watch_from = GREATEST(watch_from, $1)
                         WHERE round_id = $2 AND ended_at IS NULL",
                        &[&ms(now), &round_id.to_string()],
                    )?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

const ESCALATION_SELECT: &str = "SELECT e.id, e.kind, e.organisation_id, e.worker_id,
        w.display_name, e.buddy_worker_id, b.display_name, e.reason, e.area_id, e.raised_at,
        e.last_heard_at, e.state, e.acknowledged_by, e.acknowledged_at, e.changed_at
    FROM safety_escalations e
    LEFT JOIN workers w ON w.id = e.worker_id
    LEFT JOIN workers b ON b.id = e.buddy_worker_id";

fn read_escalation(r: &Row) -> Result<Escalation, StoreError> {
    let id: String = get(r, 0)?;
    let kind: String = get(r, 1)?;
    let kind = match kind.as_str() {
        "missed_round" => EscalationKind::MissedRound,
        "help_call" => EscalationKind::HelpCall,
        _ => return Err(StoreError::Corrupt("an escalation kind")),
    };
    let worker_id: String = get(r, 3)?;
    let worker_name: Option<String> = get(r, 4)?;
    let reason: Option<String> = get(r, 7)?;
    let state: String = get(r, 11)?;
    Ok(Escalation {
        id: uuid(&id)?,
        kind,
        worker_name: worker_name.unwrap_or_else(|| worker_id.clone()),
        organisation_id: get(r, 2)?,
        worker_id,
        buddy_worker_id: get(r, 5)?,
        buddy_name: get(r, 6)?,
        reason: reason.as_deref().and_then(parse_reason),
        area_id: get(r, 8)?,
        raised_at: ts(get(r, 9)?)?,
        last_heard_at: ts(get(r, 10)?)?,
        state: EscalationState::parse(&state).ok_or(StoreError::Corrupt("an escalation state"))?,
        acknowledged_by: get(r, 12)?,
        acknowledged_at: opt_ts(get(r, 13)?)?,
        changed_at: ts(get(r, 14)?)?,
    })
}

fn query_escalations(
    db: &Db<'_>,
    filter: &str,
    params: &[super::db::Param<'_>],
) -> Result<Vec<Escalation>, StoreError> {
    db.query(
        &format!("{ESCALATION_SELECT} {filter} ORDER BY e.raised_at DESC"),
        params,
    )?
    .iter()
    .map(read_escalation)
    .collect()
}

impl SafetyStore for PgStore {
    fn raise_overdue(
        &self,
        now: Timestamp,
        rules: &WatchRules,
    ) -> Result<Vec<Escalation>, StoreError> {
        self.pg.write(|db| {
            let grace = rules.grace.num_milliseconds();
            let open = db.query(
                "SELECT round_id, organisation_id, worker_id, buddy_worker_id, area_id,
                     started_at, watch_from, expected_end, interval_ms
                 FROM round_watch WHERE ended_at IS NULL AND NOT raised",
                &[],
            )?;
            let now_ms = ms(now);
            let mut raised_ids = Vec::new();
            for row in &open {
                let id: String = get(row, 0)?;
                let org: String = get(row, 1)?;
                let worker: String = get(row, 2)?;
                let buddy: Option<String> = get(row, 3)?;
                let area: Option<String> = get(row, 4)?;
                let started: i64 = get(row, 5)?;
                let watch_from: i64 = get(row, 6)?;
                let expected_end: i64 = get(row, 7)?;
                let interval: i64 = get(row, 8)?;
                let watched_since = last_heard(db, &id, watch_from)?;
                let heard = last_heard(db, &id, started)?;
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
                db.exec(
                    "UPDATE round_watch SET raised = TRUE WHERE round_id = $1",
                    &[&id],
                )?;
                db.exec(
                    "INSERT INTO safety_escalations (id, kind, organisation_id, worker_id,
                         buddy_worker_id, reason, area_id, raised_at, last_heard_at, state,
                         changed_at)
                     VALUES ($1, 'missed_round', $2, $3, $4, $5, $6, $7, $8, 'raised', $7)
                     ON CONFLICT (id) DO UPDATE SET state = 'raised', reason = excluded.reason,
                         raised_at = excluded.raised_at, last_heard_at = excluded.last_heard_at,
                         acknowledged_by = NULL, acknowledged_at = NULL,
                         changed_at = excluded.changed_at",
                    &[
                        &id,
                        &org,
                        &worker,
                        &buddy,
                        &reason_str(reason),
                        &area,
                        &now_ms,
                        &heard,
                    ],
                )?;
                audit(
                    db,
                    now,
                    "watchdog",
                    "safety_raised",
                    round_id,
                    Some(reason_str(reason)),
                )?;
                let heard_at = ts(heard)?;
                rewrite_watch(db, &self.key, round_id, now, |watch| {
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
                raised.extend(query_escalations(db, "WHERE e.id = $1", &[id])?);
            }
            Ok(raised)
        })
    }

    fn unacknowledged(&self, organisation_id: &str) -> Result<Vec<Escalation>, StoreError> {
        self.pg.read(|db| {
            query_escalations(
                db,
                "WHERE e.organisation_id = $1 AND e.acknowledged_at IS NULL",
                &[&organisation_id],
            )
        })
    }

    fn escalations_since(
        &self,
        organisation_id: &str,
        since: Timestamp,
    ) -> Result<Vec<Escalation>, StoreError> {
        self.pg.read(|db| {
            query_escalations(
                db,
                "WHERE e.organisation_id = $1 AND e.raised_at >= $2",
                &[&organisation_id, &ms(since)],
            )
        })
    }

    fn note_seen(&self, ids: &[Uuid], worker_id: &str, now: Timestamp) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.pg.write(|db| {
            for id in ids {
                let first = db.exec(
                    "INSERT INTO safety_seen (id, worker_id, at)
                     SELECT $1, $2, $3
                     WHERE EXISTS (SELECT 1 FROM safety_escalations WHERE id = $1)
                     ON CONFLICT DO NOTHING",
                    &[&id.to_string(), &worker_id, &ms(now)],
                )?;
                if first > 0 {
                    audit(db, now, worker_id, "safety_seen", *id, None)?;
                }
            }
            Ok(())
        })
    }

    fn acknowledge(
        &self,
        id: Uuid,
        organisation_id: &str,
        worker_id: &str,
        worker_name: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.pg.write(|db| {
            let kind: Option<String> = db.opt(
                "SELECT kind FROM safety_escalations
                 WHERE id = $1 AND organisation_id = $2 AND acknowledged_at IS NULL",
                &[&id.to_string(), &organisation_id],
            )?;
            let Some(kind) = kind else {
                return Ok(false);
            };
            db.exec(
                "UPDATE safety_escalations SET acknowledged_by = $1, acknowledged_at = $2
                 WHERE id = $3",
                &[&worker_name, &ms(now), &id.to_string()],
            )?;
            audit(db, now, worker_id, "safety_acknowledged", id, None)?;
            if kind == kind_str(EscalationKind::MissedRound) {
                let name = worker_name.to_owned();
                rewrite_watch(db, &self.key, id, now, |watch| {
                    if let Some(w) = watch {
                        w.acknowledged_by = Some(name);
                        w.acknowledged_at = Some(now);
                        w.changed_at = now;
                    }
                })?;
            }
            Ok(true)
        })
    }

    fn urgent_since(
        &self,
        caller: &EnrolledDevice,
        after: u64,
        now: Timestamp,
    ) -> Result<Vec<LiveItem>, StoreError> {
        self.pg.snapshot(|db| {
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            let viewer = caller.viewer();
            let rows = db.query(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM records
                     WHERE seq > $1 AND alert_until > $2 AND NOT tombstone ORDER BY seq"
                ),
                &[&seq_param(after), &ms(now)],
            )?;
            let mut out = Vec::new();
            for row in &rows {
                let (meta, _) = read_record(row)?;
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
        })
    }
}
