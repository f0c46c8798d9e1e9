//! A contact: one conversation, check or visit on a round.

use super::directory::Directory;
use super::identity::{Role, WorkerIdentity};
use super::supplies::{validate_lines, SupplyLine};
use super::validation::{optional_text, TextField, ValidationError};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How the contact happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    OutreachConversation,
    PoliceWelfareCheck,
    DropInVisit,
    Phone,
}

impl ContactKind {
    /// What a contact's kind reads as in a body projected without it.
    fn when_not_shared() -> Self {
        ContactKind::OutreachConversation
    }

    /// Police officers record welfare checks, and only they do: the
    /// information sharing agreement treats them differently.
    pub fn allowed_for(self, role: Role) -> bool {
        match role {
            Role::PoliceOfficer => self == ContactKind::PoliceWelfareCheck,
            Role::OutreachWorker | Role::Supervisor => self != ContactKind::PoliceWelfareCheck,
            Role::ReceivingAgency => false,
        }
    }
}

/// What the worker noticed, in neutral words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum WellbeingFlag {
    Intoxicated,
    Injured,
    Distressed,
    Unwell,
    FirstContact,
    /// Raises a safeguarding flag that must be acknowledged.
    AppearsUnder18,
}

/// The acknowledgement an "appears under 18" contact carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Safeguarding {
    pub acknowledged_by: String,
    pub acknowledged_at: Timestamp,
}

/// What the quick-contact screen fills in; everything but the area defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ContactDraft {
    /// `None` for an anonymous contact.
    pub person_id: Option<Uuid>,
    /// Defaults to now.
    pub at: Option<Timestamp>,
    pub area_id: String,
    pub kind: ContactKind,
    pub wellbeing: Vec<WellbeingFlag>,
    pub note: Option<String>,
    pub supplies: Vec<SupplyLine>,
    /// The worker has seen and acted on the under-18 safeguarding prompt.
    pub safeguarding_acknowledged: bool,
}

/// A contact as stored. Immutable: a correction is a new contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Contact {
    // Fields with `#[serde(default)]` may be absent from a body projected to
    // a viewer's consented categories: absent means "not shared with you",
    // not blank (`domain::categories`).
    pub id: Uuid,
    pub person_id: Option<Uuid>,
    pub at: Timestamp,
    #[serde(default)]
    pub area_id: String,
    #[serde(default = "ContactKind::when_not_shared")]
    pub kind: ContactKind,
    #[serde(default)]
    pub wellbeing: Vec<WellbeingFlag>,
    pub note: Option<String>,
    #[serde(default)]
    pub supplies: Vec<SupplyLine>,
    pub safeguarding: Option<Safeguarding>,
    pub recorded_by: WorkerIdentity,
}

impl Contact {
    /// Whether this contact raised a safeguarding flag.
    pub fn raises_safeguarding(&self) -> bool {
        self.wellbeing.contains(&WellbeingFlag::AppearsUnder18)
    }
}

impl ContactDraft {
    /// Checks the draft against the directory and the recording role and
    /// returns the normalised note.
    pub fn validate(
        &self,
        dir: &Directory,
        role: Role,
        now: Timestamp,
    ) -> Result<Option<String>, ValidationError> {
        if dir.area(&self.area_id).is_none() {
            return Err(ValidationError::UnknownArea);
        }
        if !self.kind.allowed_for(role) {
            return Err(ValidationError::ContactKindNotAllowed);
        }
        if let Some(at) = self.at {
            if at > now + chrono::Duration::minutes(10) {
                return Err(ValidationError::TimeInFuture);
            }
        }
        validate_lines(&self.supplies, dir)?;
        if self.wellbeing.contains(&WellbeingFlag::AppearsUnder18)
            && !self.safeguarding_acknowledged
        {
            return Err(ValidationError::SafeguardingNotAcknowledged);
        }
        optional_text(TextField::Note, self.note.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ContactDraft {
        ContactDraft {
            person_id: None,
            at: None,
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![],
            note: None,
            supplies: vec![],
            safeguarding_acknowledged: false,
        }
    }

    #[test]
    fn under_18_must_be_acknowledged() {
        let d = Directory::southend_defaults();
        let now = chrono::Utc::now();
        let mut c = draft();
        c.wellbeing = vec![WellbeingFlag::AppearsUnder18];
        assert_eq!(
            c.validate(&d, Role::OutreachWorker, now),
            Err(ValidationError::SafeguardingNotAcknowledged)
        );
        c.safeguarding_acknowledged = true;
        assert!(c.validate(&d, Role::OutreachWorker, now).is_ok());
    }

    #[test]
    fn area_kind_and_time_are_checked() {
        let d = Directory::southend_defaults();
        let now = chrono::Utc::now();
        let mut c = draft();
        c.area_id = "mars".into();
        assert_eq!(
            c.validate(&d, Role::OutreachWorker, now),
            Err(ValidationError::UnknownArea)
        );
        let mut c = draft();
        assert_eq!(
            c.validate(&d, Role::PoliceOfficer, now),
            Err(ValidationError::ContactKindNotAllowed)
        );
        c.kind = ContactKind::PoliceWelfareCheck;
        assert!(c.validate(&d, Role::PoliceOfficer, now).is_ok());
        assert_eq!(
            c.validate(&d, Role::OutreachWorker, now),
            Err(ValidationError::ContactKindNotAllowed)
        );
        let mut c = draft();
        c.at = Some(now + chrono::Duration::hours(2));
        assert_eq!(
            c.validate(&d, Role::OutreachWorker, now),
            Err(ValidationError::TimeInFuture)
        );
    }
}
