//! Lone-worker safety on the phone: start a round, check in, call for help,
//! end the round; and what the round and team-alert screens show.
//!
//! Check-ins and help calls are queued ahead of everything else waiting
//! (`RecordKind::is_urgent`). The server decides when a round is missed; the
//! phone only shows what it was told (ADR 0004).

use super::actions::{begin, save, save_change};
use super::indexing::{check_in_index, round_index};
use super::locked_check_in::locked_check_ins;
use super::{get_meta, store, Session, Vault};
use crate::clock::to_millis;
use crate::domain::round::{
    remind_at, DEFAULT_CHECK_IN_MINUTES, HELP_ALERT_HOURS, MAX_CHECK_IN_MINUTES,
    MIN_CHECK_IN_MINUTES,
};
use crate::domain::{
    CheckIn, CheckInKind, RecordKind, Round, RoundDraft, TeamMember, ValidationError, WatchState,
};
use crate::error::{CoreError, Result};
use crate::Timestamp;
use chrono::{Duration, DurationRound};
use rusqlite::Connection;
use uuid::Uuid;

/// Her open round as the round screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RoundView {
    pub round: Round,
    pub area_name: Option<String>,
    /// Her last check-in as she made it (sent or not).
    pub last_check_in_at: Option<Timestamp>,
    /// "I am all right" taps on this round (help calls are not counted).
    pub check_ins: u32,
    pub next_check_in_due: Timestamp,
    /// When the phone should remind her (`domain::round::remind_at`).
    pub remind_at: Timestamp,
    /// Whole minutes until the next check-in is due; negative once late.
    pub minutes_until_due: i64,
    pub check_in_overdue: bool,
    pub past_expected_end: bool,
    /// Check-ins and help calls made here that have not reached the server.
    pub unsent_check_ins: u32,
    /// The server has raised this round as missed and nobody has settled it.
    pub raised_as_missed: bool,
}

/// The round screen: her open round, or what starting one needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RoundScreen {
    pub open: Option<RoundView>,
    /// Who can be her buddy (the team the server last sent, not herself).
    pub buddies: Vec<TeamMember>,
    pub default_check_in_minutes: u32,
    pub min_check_in_minutes: u32,
    pub max_check_in_minutes: u32,
    /// A sensible end for a new round: three hours on, to the quarter hour.
    pub suggested_end: Timestamp,
}

/// What a team alert about a worker's safety is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum SafetyAlertKind {
    HelpCall,
    MissedCheckIn,
    HeardFromAgain,
}

/// A colleague's help call or missed round, as the alerts screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SafetyAlertView {
    pub kind: SafetyAlertKind,
    /// The help call or the round.
    pub record_id: Uuid,
    pub worker_name: String,
    pub organisation: String,
    pub area_name: Option<String>,
    /// When she called, or when the server raised the round.
    pub at: Timestamp,
    pub last_heard_at: Option<Timestamp>,
    /// She named this phone's worker as her buddy: shown first and loudest.
    pub to_me_as_buddy: bool,
    pub acknowledged_by: Option<String>,
}

fn area_name(s: &Session, area: Option<&String>) -> Option<String> {
    area.map(|a| {
        s.directory
            .area(a)
            .map_or_else(|| a.clone(), |x| x.name.clone())
    })
}

/// Her own open round, if any.
fn open_round(conn: &Connection, s: &Session) -> Result<Option<Round>> {
    let rounds: Vec<Round> = store::read_many(
        conn,
        &s.keys,
        RecordKind::Round,
        "SELECT id, version, body FROM records
         WHERE kind = 'round' AND is_open = 1 AND deleted = 0",
        [],
    )?;
    Ok(rounds
        .into_iter()
        .filter(|r| r.recorded_by.worker_id == s.identity.worker_id)
        .max_by_key(|r| r.started_at))
}

/// Her check-ins on a round, oldest first.
fn check_ins_of(conn: &Connection, s: &Session, round: &Round) -> Result<Vec<CheckIn>> {
    let mut all: Vec<CheckIn> = store::read_many(
        conn,
        &s.keys,
        RecordKind::CheckIn,
        "SELECT id, version, body FROM records
         WHERE kind = 'check_in' AND occurred_at >= ?1 AND deleted = 0",
        [to_millis(round.started_at - Duration::minutes(10))],
    )?;
    all.retain(|c| c.round_id == Some(round.id));
    all.sort_by_key(|c| c.made_at);
    Ok(all)
}

fn unsent_check_ins(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM outbox
                 WHERE kind = 'check_in' AND quarantined_reason IS NULL)
              + (SELECT COUNT(*) FROM sealed_outbox WHERE kind = 'check_in')",
        [],
        |r| r.get(0),
    )?)
}

fn view(conn: &Connection, s: &Session, round: Round, now: Timestamp) -> Result<RoundView> {
    let check_ins = check_ins_of(conn, s, &round)?;
    // A check-in made from the notification while locked is sealed to the
    // server and unreadable here: it counts by its time until it comes back.
    let (locked_count, locked_last) = locked_check_ins(conn, round.started_at)?;
    let last = check_ins.last().map(|c| c.made_at).max(locked_last);
    let due = round.next_check_in_due(last);
    let until = due - now;
    // Rounded down, so "0 minutes" means due within the minute.
    let minutes_until_due = if until >= Duration::zero() {
        until.num_minutes()
    } else {
        -((-until).num_seconds() + 59) / 60
    };
    Ok(RoundView {
        area_name: area_name(s, round.area_id.as_ref()),
        last_check_in_at: last,
        // A help call is a sign of life for the due time, but not a check-in.
        check_ins: u32::try_from(
            check_ins
                .iter()
                .filter(|c| c.kind == CheckInKind::AllRight)
                .count(),
        )
        .unwrap_or(u32::MAX)
        .saturating_add(locked_count),
        next_check_in_due: due,
        remind_at: remind_at(due),
        minutes_until_due,
        check_in_overdue: now > due,
        past_expected_end: now > round.expected_end,
        unsent_check_ins: unsent_check_ins(conn)?,
        raised_as_missed: round.is_missed(),
        round,
    })
}

fn require_open(conn: &Connection, s: &Session, round_id: Uuid) -> Result<Round> {
    open_round(conn, s)?
        .filter(|r| r.id == round_id)
        .ok_or(CoreError::Validation(ValidationError::NoOpenRound))
}

/// Her area now: the open round's, else her last contact's.
fn current_area(s: &Session, round: Option<&Round>) -> Option<String> {
    let prefs = s.prefs.lock().unwrap_or_else(|p| p.into_inner());
    prefs
        .last_area_id
        .clone()
        .or_else(|| round.and_then(|r| r.area_id.clone()))
}

fn record_check_in(
    conn: &mut Connection,
    s: &Session,
    now: Timestamp,
    round: Option<&Round>,
    kind: CheckInKind,
    area_id: Option<String>,
) -> Result<CheckIn> {
    let check_in = CheckIn {
        id: s.rng.record_id(),
        round_id: round.map(|r| r.id),
        kind,
        made_at: now,
        area_id,
        alert_until: (kind == CheckInKind::NeedHelp)
            .then(|| now + Duration::hours(HELP_ALERT_HOURS)),
        recorded_by: s.identity.clone(),
    };
    let tx = begin(conn)?;
    let index = check_in_index(&check_in);
    save(
        &tx,
        s,
        RecordKind::CheckIn,
        check_in.id,
        &check_in,
        index,
        now,
    )?;
    tx.commit()?;
    Ok(check_in)
}

impl Vault {
    /// Starts a round: she is out until `expected_end` and checks in every
    /// `check_in_minutes`. One open round per phone.
    pub fn start_round(&self, draft: RoundDraft) -> Result<Round> {
        let keystore = self.keystore.clone();
        let vault_id = self.vault_id();
        self.with_session(|conn, s, now| {
            let minutes = draft.validated(&s.directory, now)?;
            if let Some(buddy) = &draft.buddy {
                let team: Vec<TeamMember> = get_meta(conn, &s.keys, "team")?.unwrap_or_default();
                let on_team = team
                    .iter()
                    .any(|m| m.worker_id == buddy.worker_id && m.worker_id != s.identity.worker_id);
                if !on_team {
                    return Err(ValidationError::BuddyNotOnTeam.into());
                }
            }
            if open_round(conn, s)?.is_some() {
                return Err(ValidationError::RoundAlreadyOpen.into());
            }
            let area_id = draft.area_id.clone().or_else(|| current_area(s, None));
            let round = Round {
                id: s.rng.record_id(),
                started_at: now,
                expected_end: draft.expected_end,
                check_in_minutes: minutes,
                buddy: draft.buddy.clone(),
                area_id,
                ended_at: None,
                recorded_by: s.identity.clone(),
                watch: None,
            };
            let tx = begin(conn)?;
            save(
                &tx,
                s,
                RecordKind::Round,
                round.id,
                &round,
                round_index(&round),
                now,
            )?;
            tx.commit()?;
            // The delivery package carries her identity and the server's
            // key, so that she can check in from a notification while locked.
            super::delivery::refresh(conn, s, keystore.as_ref(), &vault_id)?;
            Ok(round)
        })
    }

    /// "I am all right": one tap, also from the reminder notification. Kept
    /// and sent later, with the time she tapped, when there is no signal.
    pub fn check_in(&self, round_id: Uuid) -> Result<CheckIn> {
        self.with_session(|conn, s, now| {
            let round = require_open(conn, s, round_id)?;
            let area = current_area(s, Some(&round));
            record_check_in(conn, s, now, Some(&round), CheckInKind::AllRight, area)
        })
    }

    /// "Need help now": a help call with her last area, queued ahead of
    /// everything else. Works with or without an open round. The app syncs
    /// straight after.
    pub fn call_for_help(&self) -> Result<CheckIn> {
        self.with_session(|conn, s, now| {
            let round = open_round(conn, s)?;
            let area = current_area(s, round.as_ref());
            record_check_in(conn, s, now, round.as_ref(), CheckInKind::NeedHelp, area)
        })
    }

    /// Ends her round; the server stops watching it.
    pub fn end_round(&self, round_id: Uuid) -> Result<Round> {
        self.with_session(|conn, s, now| {
            let mut round = require_open(conn, s, round_id)?;
            round.ended_at = Some(now);
            let tx = begin(conn)?;
            save_change(
                &tx,
                s,
                RecordKind::Round,
                round.id,
                &round,
                round_index(&round),
                now,
            )?;
            tx.commit()?;
            Ok(round)
        })
    }

    /// The round screen.
    pub fn round_screen(&self) -> Result<RoundScreen> {
        self.with_session(|conn, s, now| {
            let open = match open_round(conn, s)? {
                Some(r) => Some(view(conn, s, r, now)?),
                None => None,
            };
            let mut buddies: Vec<TeamMember> = get_meta(conn, &s.keys, "team")?.unwrap_or_default();
            buddies.retain(|m| m.worker_id != s.identity.worker_id);
            let quarter = Duration::minutes(15);
            let suggested_end = (now + Duration::hours(3))
                .duration_round_up(quarter)
                .unwrap_or(now + Duration::hours(3));
            Ok(RoundScreen {
                open,
                buddies,
                default_check_in_minutes: DEFAULT_CHECK_IN_MINUTES,
                min_check_in_minutes: MIN_CHECK_IN_MINUTES,
                max_check_in_minutes: MAX_CHECK_IN_MINUTES,
                suggested_end,
            })
        })
    }

    /// Colleagues' help calls and missed rounds, hers as buddy first, then
    /// help calls, missed rounds, and "heard from again"; newest first.
    pub fn safety_alerts(&self) -> Result<Vec<SafetyAlertView>> {
        self.with_session(|conn, s, now| {
            let me = &s.identity.worker_id;
            let calls: Vec<CheckIn> = store::read_many(
                conn,
                &s.keys,
                RecordKind::CheckIn,
                "SELECT id, version, body FROM records
                 WHERE alert_until > ?1 AND kind = 'check_in' AND deleted = 0",
                [to_millis(now)],
            )?;
            let rounds: Vec<Round> = store::read_many(
                conn,
                &s.keys,
                RecordKind::Round,
                "SELECT id, version, body FROM records
                 WHERE alert_until > ?1 AND kind = 'round' AND deleted = 0",
                [to_millis(now)],
            )?;
            // Rounds she is buddy on: raised ones, and open ones of her
            // organisation (a help call on a quiet round is hers too).
            let open: Vec<Round> = store::read_many(
                conn,
                &s.keys,
                RecordKind::Round,
                "SELECT id, version, body FROM records
                 WHERE kind = 'round' AND is_open = 1 AND deleted = 0",
                [],
            )?;
            let buddy_of: Vec<(Uuid, String)> = rounds
                .iter()
                .chain(open.iter())
                .filter(|r| r.buddy.as_ref().is_some_and(|b| &b.worker_id == me))
                .map(|r| (r.id, r.recorded_by.worker_id.clone()))
                .collect();
            let mut out = Vec::new();
            for c in calls
                .into_iter()
                .filter(|c| c.is_active_help(now) && &c.recorded_by.worker_id != me)
            {
                let to_me = buddy_of.iter().any(|(round, worker)| {
                    c.round_id == Some(*round) || *worker == c.recorded_by.worker_id
                });
                out.push(SafetyAlertView {
                    kind: SafetyAlertKind::HelpCall,
                    record_id: c.id,
                    worker_name: c.recorded_by.display_name.clone(),
                    organisation: c.recorded_by.organisation.clone(),
                    area_name: area_name(s, c.area_id.as_ref()),
                    at: c.made_at,
                    last_heard_at: Some(c.made_at),
                    to_me_as_buddy: to_me,
                    acknowledged_by: None,
                });
            }
            for r in rounds
                .into_iter()
                .filter(|r| &r.recorded_by.worker_id != me)
            {
                let Some(w) = &r.watch else { continue };
                let kind = match w.state {
                    WatchState::Missed => SafetyAlertKind::MissedCheckIn,
                    WatchState::HeardFromAgain => SafetyAlertKind::HeardFromAgain,
                    WatchState::Resolved => continue,
                };
                out.push(SafetyAlertView {
                    kind,
                    record_id: r.id,
                    worker_name: r.recorded_by.display_name.clone(),
                    organisation: r.recorded_by.organisation.clone(),
                    area_name: area_name(s, r.area_id.as_ref()),
                    at: w.raised_at,
                    last_heard_at: Some(w.last_heard_at),
                    to_me_as_buddy: r.buddy.as_ref().is_some_and(|b| &b.worker_id == me),
                    acknowledged_by: w.acknowledged_by.clone(),
                });
            }
            out.sort_by(|a, b| {
                b.to_me_as_buddy
                    .cmp(&a.to_me_as_buddy)
                    .then(a.kind.cmp(&b.kind))
                    .then(b.at.cmp(&a.at))
            });
            Ok(out)
        })
    }
}
