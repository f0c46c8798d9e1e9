//! Consent to share, given per agency: the heart of the universal referral
//! form. Captured once, clearly, so no referral waits on doubts about it.

use super::directory::Directory;
use super::identity::WorkerIdentity;
use super::validation::ValidationError;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How she gave consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    Verbal,
    Written,
}

/// What information the consent lets the agency receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum InfoCategory {
    /// Her alias, how to reach her, her key worker.
    ContactDetails,
    /// Physical, mental and sexual health.
    Health,
    /// Drug and alcohol use.
    SubstanceUse,
    /// Where she is staying.
    Housing,
    /// Safety concerns and violence against her.
    Safety,
    /// Her contacts with outreach.
    ContactHistory,
}

/// What the consent part of the referral form fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ConsentDraft {
    pub person_id: Uuid,
    pub agency_ids: Vec<String>,
    pub method: ConsentMethod,
    pub covers: Vec<InfoCategory>,
    /// Defaults to six months from now.
    pub review_at: Option<Timestamp>,
}

/// Consent to share with one agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Consent {
    pub id: Uuid,
    pub person_id: Uuid,
    pub agency_id: String,
    pub method: ConsentMethod,
    /// The worker who took it.
    pub taken_by: WorkerIdentity,
    pub given_at: Timestamp,
    pub covers: Vec<InfoCategory>,
    pub review_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
}

/// Where a consent stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    Valid,
    DueForReview,
    Withdrawn,
}

/// How long a consent lasts before it must be reviewed with her.
pub fn default_review_period() -> chrono::Duration {
    chrono::Duration::days(182)
}

impl Consent {
    pub fn state(&self, now: Timestamp) -> ConsentState {
        if self.withdrawn_at.is_some_and(|w| w <= now) {
            ConsentState::Withdrawn
        } else if self.review_at <= now {
            ConsentState::DueForReview
        } else {
            ConsentState::Valid
        }
    }

    /// Checks that this consent lets a referral go now.
    pub fn permits_referral(&self, now: Timestamp) -> Result<(), ValidationError> {
        match self.state(now) {
            ConsentState::Valid => Ok(()),
            ConsentState::DueForReview => Err(ValidationError::ConsentExpired),
            ConsentState::Withdrawn => Err(ValidationError::ConsentWithdrawn),
        }
    }
}

impl ConsentDraft {
    pub fn validate(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        if self.agency_ids.is_empty() {
            return Err(ValidationError::NoAgencies);
        }
        if self.agency_ids.iter().any(|a| dir.agency(a).is_none()) {
            return Err(ValidationError::UnknownAgency);
        }
        if self.covers.is_empty() {
            return Err(ValidationError::ConsentCoversNothing);
        }
        if self.review_at.is_some_and(|r| r <= now) {
            return Err(ValidationError::ReviewDateInPast);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_over_time() {
        let now = chrono::Utc::now();
        let mut c = Consent {
            id: Uuid::now_v7(),
            person_id: Uuid::now_v7(),
            agency_id: "stars".into(),
            method: ConsentMethod::Verbal,
            taken_by: WorkerIdentity {
                worker_id: "w1".into(),
                display_name: "Sam".into(),
                role: super::super::identity::Role::OutreachWorker,
                organisation: "Aspirations".into(),
            },
            given_at: now,
            covers: vec![InfoCategory::ContactDetails],
            review_at: now + chrono::Duration::days(30),
            withdrawn_at: None,
        };
        assert!(c.permits_referral(now).is_ok());
        assert_eq!(
            c.permits_referral(now + chrono::Duration::days(31)),
            Err(ValidationError::ConsentExpired)
        );
        c.withdrawn_at = Some(now + chrono::Duration::days(1));
        assert!(c.permits_referral(now).is_ok());
        assert_eq!(
            c.permits_referral(now + chrono::Duration::days(2)),
            Err(ValidationError::ConsentWithdrawn)
        );
    }
}
