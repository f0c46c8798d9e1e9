//! A referral to an agency, with the red/amber/green urgency that sets the
//! agency's response deadline. "Overdue" is computed from the due time at the
//! moment of asking, never stored, so it cannot go stale.

use super::consent::{ConsentMethod, InfoCategory};
use super::directory::Directory;
use super::identity::WorkerIdentity;
use super::validation::{required_text, TextField, ValidationError};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Red,
    Amber,
    Green,
}

/// Where a referral is on its way through the agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Draft,
    Queued,
    Sent,
    Acknowledged,
    Accepted,
    Declined,
    Closed,
}

impl ReferralStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Draft => "draft",
            ReferralStatus::Queued => "queued",
            ReferralStatus::Sent => "sent",
            ReferralStatus::Acknowledged => "acknowledged",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::Closed => "closed",
        }
    }

    /// Still needs someone to act.
    pub const fn is_open(self) -> bool {
        !matches!(self, ReferralStatus::Declined | ReferralStatus::Closed)
    }

    /// The agency has not yet answered: the deadline still runs.
    pub const fn awaits_response(self) -> bool {
        matches!(
            self,
            ReferralStatus::Draft | ReferralStatus::Queued | ReferralStatus::Sent
        )
    }

    /// The moves a referral may make. Closing is always allowed; nothing
    /// reopens a closed referral (a new one is made instead).
    pub fn can_move_to(self, to: ReferralStatus) -> bool {
        use ReferralStatus::*;
        match (self, to) {
            (Closed, _) => false,
            (_, Closed) => true,
            (Draft, Queued) | (Queued, Sent) => true,
            (Queued | Sent, Acknowledged | Accepted | Declined) => true,
            (Acknowledged, Accepted | Declined) => true,
            _ => false,
        }
    }
}

/// One step in a referral's history, kept so that nothing is silently lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct StatusChange {
    pub status: ReferralStatus,
    pub at: Timestamp,
    pub by: String,
}

/// The universal referral form: her consent ticked agency by agency, and a
/// referral to each ticked agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ReferralForm {
    pub person_id: Uuid,
    pub agency_ids: Vec<String>,
    pub urgency: Urgency,
    pub needs: String,
    pub consent_method: ConsentMethod,
    pub consent_covers: Vec<InfoCategory>,
    pub consent_review_at: Option<Timestamp>,
}

/// A referral to one agency under a consent she has already given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ReferralDraft {
    pub person_id: Uuid,
    pub agency_id: String,
    pub urgency: Urgency,
    pub needs: String,
}

/// A referral as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Referral {
    // Fields with `#[serde(default)]` may be absent from a body projected to
    // a viewer's consented categories: absent means "not shared with you",
    // not blank (`domain::categories`).
    pub id: Uuid,
    pub person_id: Uuid,
    pub agency_id: String,
    #[serde(default)]
    pub needs: String,
    pub urgency: Urgency,
    pub consent_id: Uuid,
    pub created_at: Timestamp,
    /// Set from the agency's response commitment for the urgency.
    pub due_at: Timestamp,
    pub status: ReferralStatus,
    pub history: Vec<StatusChange>,
    pub recorded_by: WorkerIdentity,
}

impl Referral {
    /// Past its due time with no answer from the agency.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status.awaits_response() && now > self.due_at
    }

    /// The referral moved to `to`, its history extended.
    pub fn moved_to(
        &self,
        to: ReferralStatus,
        at: Timestamp,
        by: &str,
    ) -> Result<Referral, ValidationError> {
        if !self.status.can_move_to(to) {
            return Err(ValidationError::InvalidStatusChange {
                from: self.status,
                to,
            });
        }
        let mut next = self.clone();
        next.status = to;
        next.history.push(StatusChange {
            status: to,
            at,
            by: by.to_owned(),
        });
        Ok(next)
    }
}

impl ReferralDraft {
    /// Checks the draft and works out its due time.
    pub fn validated(
        &self,
        dir: &Directory,
        now: Timestamp,
    ) -> Result<(String, Timestamp), ValidationError> {
        let agency = dir
            .agency(&self.agency_id)
            .ok_or(ValidationError::UnknownAgency)?;
        let needs = required_text(TextField::Needs, &self.needs)?;
        Ok((needs, now + agency.response.for_urgency(self.urgency)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    #[test]
    fn transitions() {
        assert!(Queued.can_move_to(Sent));
        assert!(Sent.can_move_to(Acknowledged));
        assert!(Acknowledged.can_move_to(Accepted));
        assert!(Accepted.can_move_to(Closed));
        assert!(!Closed.can_move_to(Queued));
        assert!(!Accepted.can_move_to(Sent));
        assert!(!Draft.can_move_to(Accepted));
    }

    #[test]
    fn due_time_from_agency_and_overdue_computed() {
        let dir = Directory::southend_defaults();
        let now = chrono::Utc::now();
        let d = ReferralDraft {
            person_id: Uuid::now_v7(),
            agency_id: "harp".into(),
            urgency: Urgency::Amber,
            needs: "somewhere to stay tonight".into(),
        };
        let (_, due) = d.validated(&dir, now).unwrap();
        assert_eq!(due - now, chrono::Duration::hours(72));
        let police = ReferralDraft {
            agency_id: "essex_police".into(),
            urgency: Urgency::Red,
            ..d.clone()
        };
        assert_eq!(
            police.validated(&dir, now).unwrap().1 - now,
            chrono::Duration::hours(4)
        );
        let blank = ReferralDraft {
            needs: "  ".into(),
            ..d
        };
        assert_eq!(
            blank.validated(&dir, now),
            Err(ValidationError::Required(TextField::Needs))
        );
    }
}
