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

/// A kind of information about her, the unit her consent is given in:
/// she agrees, agency by agency, which of these may go to whom. Every
/// field of every record belongs to one of them (see
/// [`crate::domain::categories`], the data dictionary).
///
/// The wire names are stored in consents already made: never rename one;
/// new categories are added, never substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum InfoCategory {
    /// Her alias, how to reach her and recognise her, her key worker.
    ContactDetails,
    /// Physical, mental and sexual health.
    Health,
    /// Drug and alcohol use.
    SubstanceUse,
    /// Where she is staying.
    Housing,
    /// Safety concerns, violence against her and safeguarding.
    Safety,
    /// Her contacts with outreach: when, where, how.
    ContactHistory,
    /// How she seemed: a worker's neutral observations on a contact.
    Wellbeing,
    /// Offences, arrests, court, probation.
    CriminalJustice,
    /// A worker's own words: notes and needs written as free text.
    FreeTextNote,
}

impl InfoCategory {
    /// Every category, in the order screens and documents list them.
    pub const ALL: [InfoCategory; 9] = [
        InfoCategory::ContactDetails,
        InfoCategory::ContactHistory,
        InfoCategory::Wellbeing,
        InfoCategory::Health,
        InfoCategory::SubstanceUse,
        InfoCategory::Housing,
        InfoCategory::CriminalJustice,
        InfoCategory::Safety,
        InfoCategory::FreeTextNote,
    ];

    /// The wire name (serde's), for documents and the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            InfoCategory::ContactDetails => "contact_details",
            InfoCategory::Health => "health",
            InfoCategory::SubstanceUse => "substance_use",
            InfoCategory::Housing => "housing",
            InfoCategory::Safety => "safety",
            InfoCategory::ContactHistory => "contact_history",
            InfoCategory::Wellbeing => "wellbeing",
            InfoCategory::CriminalJustice => "criminal_justice",
            InfoCategory::FreeTextNote => "free_text_note",
        }
    }

    /// A short name for a worker's screen and the data dictionary.
    pub const fn label(self) -> &'static str {
        match self {
            InfoCategory::ContactDetails => "Contact details",
            InfoCategory::Health => "Health",
            InfoCategory::SubstanceUse => "Substance use",
            InfoCategory::Housing => "Housing",
            InfoCategory::Safety => "Safety concern",
            InfoCategory::ContactHistory => "Contact history",
            InfoCategory::Wellbeing => "Wellbeing",
            InfoCategory::CriminalJustice => "Criminal justice",
            InfoCategory::FreeTextNote => "Free-text note",
        }
    }

    /// One line saying what the category holds, in words she can be read.
    pub const fn meaning(self) -> &'static str {
        match self {
            InfoCategory::ContactDetails => {
                "The name she gives, how to recognise and reach her, and her key worker."
            }
            InfoCategory::Health => {
                "Her physical, mental and sexual health, and the harm-reduction supplies she was given."
            }
            InfoCategory::SubstanceUse => "Her use of drugs and alcohol.",
            InfoCategory::Housing => "Where she is staying.",
            InfoCategory::Safety => {
                "Dangers to her: violence, threats, dangerous men or vehicles, and safeguarding."
            }
            InfoCategory::ContactHistory => {
                "When, where and how she was in contact with outreach."
            }
            InfoCategory::Wellbeing => "How she seemed when a worker saw her, in neutral words.",
            InfoCategory::CriminalJustice => "Offences, arrests, court and probation.",
            InfoCategory::FreeTextNote => {
                "What a worker wrote in her own words: notes and needs, which may mention anything."
            }
        }
    }

    /// The category as it is read to her, in the second person, in a list
    /// after "Each of them may be told:".
    pub const fn to_her(self) -> &'static str {
        match self {
            InfoCategory::ContactDetails => "how to reach you and who your key worker is",
            InfoCategory::Health => "your health",
            InfoCategory::SubstanceUse => "drug and alcohol use",
            InfoCategory::Housing => "where you are staying",
            InfoCategory::Safety => "your safety and anything that has happened to you",
            InfoCategory::ContactHistory => "when you have seen outreach",
            InfoCategory::Wellbeing => "how you were when we saw you",
            InfoCategory::CriminalJustice => "anything to do with police, courts or probation",
            InfoCategory::FreeTextNote => "what the worker wrote down",
        }
    }

    /// The category of a wire name, if it is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The category with its label and meaning, for a screen.
    pub fn text(self) -> InfoCategoryText {
        InfoCategoryText {
            category: self,
            label: self.label().to_owned(),
            meaning: self.meaning().to_owned(),
            to_her: self.to_her().to_owned(),
        }
    }
}

/// A category with the words every screen shows for it, so that Android,
/// iOS and the data dictionary say the same thing (the apps used to keep
/// their own wording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct InfoCategoryText {
    pub category: InfoCategory,
    /// A short name ("Contact details").
    pub label: String,
    /// One sentence saying what it holds, in words she can be read.
    pub meaning: String,
    /// The words read to her in a consent ("your health").
    pub to_her: String,
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
    fn category_names_are_serdes_and_old_values_still_parse() {
        for c in InfoCategory::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(InfoCategory::parse(c.as_str()), Some(c));
            assert!(!c.label().is_empty() && c.meaning().ends_with('.'));
        }
        let mut names: Vec<_> = InfoCategory::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), InfoCategory::ALL.len());
        // Consents stored before the categories grew still read back.
        let old: Vec<InfoCategory> = serde_json::from_str(
            r#"["contact_details","health","substance_use","housing","safety","contact_history"]"#,
        )
        .unwrap();
        assert_eq!(old.len(), 6);
        assert!(serde_json::from_str::<InfoCategory>(r#""gossip""#).is_err());
    }

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
