//! A person in contact with the service: who she is known as, shared with the
//! team so she tells her story once.

use super::identity::WorkerIdentity;
use super::validation::{optional_text, required_text, TextField, ValidationError};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the "add person" and "edit person" screens fill in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PersonDraft {
    /// The name she gives; never required to be a legal name.
    pub alias: String,
    pub description: Option<String>,
    pub birth_year: Option<i32>,
    pub registered_with_outreach: bool,
    pub prefers_female_worker: bool,
    pub key_worker: Option<String>,
}

/// A person's profile as stored and shared with the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Person {
    // Fields with `#[serde(default)]` may be absent from a body projected to
    // a viewer's consented categories: absent means "not shared with you",
    // not blank (`domain::categories`).
    pub id: Uuid,
    #[serde(default)]
    pub alias: String,
    pub description: Option<String>,
    pub birth_year: Option<i32>,
    #[serde(default)]
    pub registered_with_outreach: bool,
    #[serde(default)]
    pub prefers_female_worker: bool,
    pub key_worker: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub recorded_by: WorkerIdentity,
}

impl PersonDraft {
    /// Checks and normalises the draft (trimmed text, blanks to none).
    pub fn validated(&self, current_year: i32) -> Result<PersonDraft, ValidationError> {
        let alias = required_text(TextField::Alias, &self.alias)?;
        let description = optional_text(TextField::Description, self.description.as_deref())?;
        let key_worker = optional_text(TextField::KeyWorker, self.key_worker.as_deref())?;
        if let Some(y) = self.birth_year {
            if y < current_year - 100 || y > current_year - 10 {
                return Err(ValidationError::BirthYearOutOfRange);
            }
        }
        Ok(PersonDraft {
            alias,
            description,
            birth_year: self.birth_year,
            registered_with_outreach: self.registered_with_outreach,
            prefers_female_worker: self.prefers_female_worker,
            key_worker,
        })
    }
}

impl Person {
    /// A new profile from a validated draft.
    pub fn new(id: Uuid, d: PersonDraft, now: Timestamp, by: WorkerIdentity) -> Self {
        Person {
            id,
            alias: d.alias,
            description: d.description,
            birth_year: d.birth_year,
            registered_with_outreach: d.registered_with_outreach,
            prefers_female_worker: d.prefers_female_worker,
            key_worker: d.key_worker,
            created_at: now,
            updated_at: now,
            recorded_by: by,
        }
    }

    /// The profile with a validated draft's fields applied.
    pub fn with_changes(&self, d: PersonDraft, now: Timestamp) -> Self {
        Person {
            alias: d.alias,
            description: d.description,
            birth_year: d.birth_year,
            registered_with_outreach: d.registered_with_outreach,
            prefers_female_worker: d.prefers_female_worker,
            key_worker: d.key_worker,
            updated_at: now,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_required_and_birth_year_plausible() {
        let d = PersonDraft {
            alias: "  ".into(),
            ..Default::default()
        };
        assert_eq!(d.validated(2026), Err(ValidationError::EmptyAlias));
        let d = PersonDraft {
            alias: "Jade".into(),
            birth_year: Some(2020),
            ..Default::default()
        };
        assert_eq!(d.validated(2026), Err(ValidationError::BirthYearOutOfRange));
        let d = PersonDraft {
            alias: " Jade ".into(),
            birth_year: Some(1990),
            description: Some(" ".into()),
            ..Default::default()
        };
        let v = d.validated(2026).unwrap();
        assert_eq!(v.alias, "Jade");
        assert_eq!(v.description, None);
    }
}
