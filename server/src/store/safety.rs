//! Lone-worker safety on the server (ADR 0004), behind its own trait: the
//! watchdog's state, the escalations supervisors see, and the urgent records
//! a device hears on the live channel.
//!
//! The watch is kept in the database, not in memory, so a restart between a
//! check-in's due time and its escalation changes nothing: the next watchdog
//! step after the restart raises it. Every step (raised, seen, heard from
//! again, acknowledged, resolved) is written to the audit chain in the same
//! transaction as the change it records.

use super::{EnrolledDevice, StoreError};
use nightround_core::domain::MissedReason;
use nightround_core::sync::protocol::LiveItem;
use nightround_core::Timestamp;
use uuid::Uuid;

/// What an escalation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalationKind {
    /// A round went quiet (the id is the round's).
    MissedRound,
    /// She pressed "Need help now" (the id is the help call's).
    HelpCall,
}

/// Where an escalation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalationState {
    Raised,
    /// A check-in arrived after the round was raised (it may have been made
    /// earlier, offline: its own time is kept).
    HeardFromAgain,
    /// The round was ended.
    Resolved,
}

impl EscalationState {
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationState::Raised => "raised",
            EscalationState::HeardFromAgain => "heard_from_again",
            EscalationState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Raised, Self::HeardFromAgain, Self::Resolved]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One escalation, with the names a banner shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub id: Uuid,
    pub kind: EscalationKind,
    pub organisation_id: String,
    pub worker_id: String,
    pub worker_name: String,
    pub buddy_worker_id: Option<String>,
    pub buddy_name: Option<String>,
    pub reason: Option<MissedReason>,
    pub area_id: Option<String>,
    pub raised_at: Timestamp,
    /// Her last check-in as she made it (or the round's start).
    pub last_heard_at: Timestamp,
    pub state: EscalationState,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<Timestamp>,
    pub changed_at: Timestamp,
}

/// What the watchdog needs to know about timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchRules {
    /// How late a check-in, or the end of a round, may be before it is
    /// raised (default ten minutes).
    pub grace: chrono::Duration,
}

impl Default for WatchRules {
    fn default() -> Self {
        Self {
            grace: chrono::Duration::minutes(10),
        }
    }
}

/// The server's safety state. Each method is one transaction.
pub trait SafetyStore: Send + Sync {
    /// The watchdog's step at `now`: raises every open round whose check-in
    /// or end is overdue by more than the grace period, and returns what it
    /// raised. Running it twice raises nothing twice.
    fn raise_overdue(
        &self,
        now: Timestamp,
        rules: &WatchRules,
    ) -> Result<Vec<Escalation>, StoreError>;
    /// Escalations of an organisation not yet acknowledged, newest first:
    /// the banner on every supervisor page.
    fn unacknowledged(&self, organisation_id: &str) -> Result<Vec<Escalation>, StoreError>;
    /// Every escalation of an organisation raised since `since`, newest first.
    fn escalations_since(
        &self,
        organisation_id: &str,
        since: Timestamp,
    ) -> Result<Vec<Escalation>, StoreError>;
    /// Writes "seen" to the audit chain the first time a worker is shown an
    /// escalation, on the dashboard or by her phone's pull (ids that are not
    /// escalations are ignored).
    fn note_seen(&self, ids: &[Uuid], worker_id: &str, now: Timestamp) -> Result<(), StoreError>;
    /// Acknowledges an escalation of the organisation; false when there is
    /// none (or it is another organisation's). Phones see who acknowledged.
    fn acknowledge(
        &self,
        id: Uuid,
        organisation_id: &str,
        worker_id: &str,
        worker_name: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Urgent records stored after `after` that the device may see (help
    /// calls, raised rounds, team alerts still in force), oldest first.
    fn urgent_since(
        &self,
        caller: &EnrolledDevice,
        after: u64,
        now: Timestamp,
    ) -> Result<Vec<LiveItem>, StoreError>;
}
