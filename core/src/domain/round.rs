//! Lone-worker safety: a round she starts, the check-ins that say she is
//! all right, and the help call when she is not.
//!
//! The absence of a check-in is the signal, so the watching is done by the
//! server on its own clock (it works when her phone is dead). The server
//! writes what it decided into the round's `watch` field; phones never write
//! that field (ADR 0004).

use super::directory::Directory;
use super::identity::{Role, WorkerIdentity};
use super::validation::ValidationError;
use crate::Timestamp;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Minutes between check-ins unless she chooses otherwise.
pub const DEFAULT_CHECK_IN_MINUTES: u32 = 30;
/// The shortest interval a round may ask for.
pub const MIN_CHECK_IN_MINUTES: u32 = 1;
/// The longest interval: beyond this nobody is really watching.
pub const MAX_CHECK_IN_MINUTES: u32 = 240;
/// The longest round; a longer one is a mistake in the end time.
pub const MAX_ROUND_HOURS: i64 = 16;
/// How long before a check-in is due the phone reminds her.
pub const REMINDER_MINUTES: i64 = 5;
/// How long a help call stays on team phones.
pub const HELP_ALERT_HOURS: i64 = 12;

/// Someone on the team: a possible buddy for a round. The server sends the
/// list with each pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct TeamMember {
    pub worker_id: String,
    pub display_name: String,
    pub role: Role,
}

/// What the start-round screen fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RoundDraft {
    pub expected_end: Timestamp,
    /// `None` takes [`DEFAULT_CHECK_IN_MINUTES`].
    pub check_in_minutes: Option<u32>,
    /// Who is told first if she goes quiet.
    pub buddy: Option<TeamMember>,
    /// Where she starts; `None` takes the area of her last contact.
    pub area_id: Option<String>,
}

/// Why the server raised a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MissedReason {
    /// The last check-in is older than the interval and the grace period.
    CheckInOverdue,
    /// The round is still open after its expected end and the grace period.
    PastExpectedEnd,
}

/// Where the server's watch over a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum WatchState {
    /// She has gone quiet: supervisors and the team are alerted.
    Missed,
    /// A check-in made before or after the escalation has arrived since.
    HeardFromAgain,
    /// The round ended after it had been raised.
    Resolved,
}

/// The server's watch over a round, written only by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RoundWatch {
    pub state: WatchState,
    pub reason: MissedReason,
    pub raised_at: Timestamp,
    /// When she was last heard from (her last check-in as she made it).
    pub last_heard_at: Timestamp,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<Timestamp>,
    /// When the state last moved (heard from again, resolved).
    pub changed_at: Timestamp,
}

/// A round as stored. Mutable: she ends it; the server watches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Round {
    pub id: Uuid,
    pub started_at: Timestamp,
    pub expected_end: Timestamp,
    pub check_in_minutes: u32,
    pub buddy: Option<TeamMember>,
    pub area_id: Option<String>,
    pub ended_at: Option<Timestamp>,
    /// Who is out.
    pub recorded_by: WorkerIdentity,
    #[serde(default)]
    pub watch: Option<RoundWatch>,
}

/// When the phone reminds her of a check-in due at `due`: the one rule both
/// the round screen and a check-in made while locked use.
pub fn remind_at(due: Timestamp) -> Timestamp {
    due - Duration::minutes(REMINDER_MINUTES)
}

impl Round {
    /// The check-in interval.
    pub fn interval(&self) -> Duration {
        Duration::minutes(i64::from(self.check_in_minutes))
    }

    /// When the next check-in is due, given her last one.
    pub fn next_check_in_due(&self, last_check_in: Option<Timestamp>) -> Timestamp {
        last_check_in.map_or(self.started_at, |t| t.max(self.started_at)) + self.interval()
    }

    pub fn is_open(&self) -> bool {
        self.ended_at.is_none()
    }

    /// Whether the team should see it as an alert now: raised and not yet
    /// settled by a check-in or the end of the round.
    pub fn is_missed(&self) -> bool {
        self.watch
            .as_ref()
            .is_some_and(|w| w.state == WatchState::Missed)
    }

    /// Until when the round is shown to the whole team (its `alert_until`):
    /// while missed, and a while after, so that "heard from again" reaches
    /// every phone that saw "missed".
    pub fn alert_until(&self) -> Option<Timestamp> {
        self.watch
            .as_ref()
            .map(|w| w.changed_at.max(w.raised_at) + Duration::hours(HELP_ALERT_HOURS))
    }
}

impl RoundDraft {
    /// Checks the draft and returns the interval to use.
    pub fn validated(&self, dir: &Directory, now: Timestamp) -> Result<u32, ValidationError> {
        let minutes = self.check_in_minutes.unwrap_or(DEFAULT_CHECK_IN_MINUTES);
        if !(MIN_CHECK_IN_MINUTES..=MAX_CHECK_IN_MINUTES).contains(&minutes) {
            return Err(ValidationError::CheckInIntervalOutOfRange {
                min: MIN_CHECK_IN_MINUTES,
                max: MAX_CHECK_IN_MINUTES,
            });
        }
        if self.expected_end <= now {
            return Err(ValidationError::RoundEndInPast);
        }
        if self.expected_end > now + Duration::hours(MAX_ROUND_HOURS) {
            return Err(ValidationError::RoundTooLong {
                max_hours: MAX_ROUND_HOURS as u32,
            });
        }
        if let Some(area) = &self.area_id {
            if dir.area(area).is_none() {
                return Err(ValidationError::UnknownArea);
            }
        }
        Ok(minutes)
    }
}

/// A check-in: "I am all right", or "I need help now".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum CheckInKind {
    AllRight,
    NeedHelp,
}

/// A check-in as stored. Immutable: the time is when she tapped, kept when
/// it is sent hours later from somewhere with signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct CheckIn {
    pub id: Uuid,
    /// The round it belongs to; a help call can come without one.
    pub round_id: Option<Uuid>,
    pub kind: CheckInKind,
    pub made_at: Timestamp,
    /// Her last known area (never GPS).
    pub area_id: Option<String>,
    /// A help call is a team alert until this time.
    pub alert_until: Option<Timestamp>,
    pub recorded_by: WorkerIdentity,
}

impl CheckIn {
    /// Whether this is a help call still shown to the team at `now`.
    pub fn is_active_help(&self, now: Timestamp) -> bool {
        self.kind == CheckInKind::NeedHelp && self.alert_until.is_some_and(|u| u > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Directory;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, h, m, 0)
            .single()
            .expect("a time")
    }

    fn me() -> WorkerIdentity {
        WorkerIdentity {
            worker_id: "w1".into(),
            display_name: "Sam".into(),
            role: Role::OutreachWorker,
            organisation: "Aspirations".into(),
        }
    }

    #[test]
    fn a_draft_takes_the_default_interval_and_refuses_odd_ones() {
        let dir = Directory::southend_defaults();
        let mut d = RoundDraft {
            expected_end: at(23, 30),
            check_in_minutes: None,
            buddy: None,
            area_id: Some("york_road".into()),
        };
        assert_eq!(d.validated(&dir, at(20, 0)), Ok(DEFAULT_CHECK_IN_MINUTES));
        d.check_in_minutes = Some(0);
        assert!(matches!(
            d.validated(&dir, at(20, 0)),
            Err(ValidationError::CheckInIntervalOutOfRange { .. })
        ));
        d.check_in_minutes = Some(45);
        d.expected_end = at(19, 0);
        assert_eq!(
            d.validated(&dir, at(20, 0)),
            Err(ValidationError::RoundEndInPast)
        );
        d.expected_end = at(23, 0);
        d.area_id = Some("mars".into());
        assert_eq!(
            d.validated(&dir, at(20, 0)),
            Err(ValidationError::UnknownArea)
        );
    }

    #[test]
    fn the_next_check_in_counts_from_the_last_one() {
        let r = Round {
            id: Uuid::nil(),
            started_at: at(20, 0),
            expected_end: at(23, 0),
            check_in_minutes: 30,
            buddy: None,
            area_id: None,
            ended_at: None,
            recorded_by: me(),
            watch: None,
        };
        assert_eq!(r.next_check_in_due(None), at(20, 30));
        assert_eq!(r.next_check_in_due(Some(at(20, 40))), at(21, 10));
        // A check-in stamped before the round (a skewed clock) counts from the start.
        assert_eq!(r.next_check_in_due(Some(at(19, 0))), at(20, 30));
        assert!(!r.is_missed());
        assert_eq!(r.alert_until(), None);
    }
}
