//! A safety concern: the "ugly mug" report of a dangerous man or vehicle.
//! Shared as a team alert, it reaches every team phone until it expires.

use super::directory::Directory;
use super::identity::WorkerIdentity;
use super::validation::{optional_text, required_text, TextField, ValidationError};
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest a team alert may stay up before it is reissued.
pub const MAX_ALERT_DAYS: u32 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ConcernCategory {
    PhysicalViolence,
    SexualViolence,
    Robbery,
    Threats,
    Stalking,
    DangerousVehicle,
    Spiking,
    Exploitation,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

/// The vehicle, as far as she saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Vehicle {
    pub make: Option<String>,
    pub colour: Option<String>,
    pub partial_registration: Option<String>,
}

/// What the concern screen fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ConcernDraft {
    pub category: ConcernCategory,
    pub description: String,
    pub vehicle: Option<Vehicle>,
    pub area_id: String,
    /// When it happened; defaults to now.
    pub at: Option<Timestamp>,
    pub severity: Severity,
    /// Share with the team as an alert until this time.
    pub alert_until: Option<Timestamp>,
    /// She agrees that this may be passed to the police.
    pub police_consent: bool,
    /// Who reported it, if she is known; `None` keeps it anonymous.
    pub reported_by: Option<Uuid>,
}

/// A concern as stored. Immutable once made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Concern {
    // Fields with `#[serde(default)]` may be absent from a body projected to
    // a viewer's consented categories: absent means "not shared with you",
    // not blank (`domain::categories`).
    pub id: Uuid,
    #[serde(default = "not_shared::category")]
    pub category: ConcernCategory,
    #[serde(default)]
    pub description: String,
    pub vehicle: Option<Vehicle>,
    #[serde(default)]
    pub area_id: String,
    pub at: Timestamp,
    #[serde(default = "not_shared::severity")]
    pub severity: Severity,
    pub alert_until: Option<Timestamp>,
    pub police_consent: bool,
    pub reported_by: Option<Uuid>,
    pub recorded_by: WorkerIdentity,
}

/// What a concern's enums read as in a body projected without them.
mod not_shared {
    pub(super) fn category() -> super::ConcernCategory {
        super::ConcernCategory::Other
    }
    pub(super) fn severity() -> super::Severity {
        super::Severity::Low
    }
}

impl Concern {
    /// Whether this concern is a team alert at `now`.
    pub fn is_active_alert(&self, now: Timestamp) -> bool {
        self.alert_until.is_some_and(|until| until > now)
    }
}

impl ConcernDraft {
    /// Checks the draft and returns it normalised.
    pub fn validated(
        &self,
        dir: &Directory,
        now: Timestamp,
    ) -> Result<ConcernDraft, ValidationError> {
        if dir.area(&self.area_id).is_none() {
            return Err(ValidationError::UnknownArea);
        }
        let description = required_text(TextField::ConcernDescription, &self.description)?;
        if let Some(at) = self.at {
            if at > now + chrono::Duration::minutes(10) {
                return Err(ValidationError::TimeInFuture);
            }
        }
        if let Some(until) = self.alert_until {
            if until <= now {
                return Err(ValidationError::AlertEndInPast);
            }
            if until > now + chrono::Duration::days(i64::from(MAX_ALERT_DAYS)) {
                return Err(ValidationError::AlertTooLong {
                    max_days: MAX_ALERT_DAYS,
                });
            }
        }
        let vehicle = match &self.vehicle {
            None => None,
            Some(v) => {
                let v = Vehicle {
                    make: optional_text(TextField::VehicleMake, v.make.as_deref())?,
                    colour: optional_text(TextField::VehicleColour, v.colour.as_deref())?,
                    partial_registration: optional_text(
                        TextField::VehicleRegistration,
                        v.partial_registration.as_deref(),
                    )?
                    .map(|r| r.to_uppercase()),
                };
                (v != Vehicle::default()).then_some(v)
            }
        };
        Ok(ConcernDraft {
            description,
            vehicle,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(now: Timestamp) -> ConcernDraft {
        ConcernDraft {
            category: ConcernCategory::DangerousVehicle,
            description: "Tall, grey hoodie".into(),
            vehicle: Some(Vehicle {
                make: Some("Ford".into()),
                colour: Some("silver".into()),
                partial_registration: Some("ab12".into()),
            }),
            area_id: "ambleside_drive".into(),
            at: None,
            severity: Severity::High,
            alert_until: Some(now + chrono::Duration::days(7)),
            police_consent: false,
            reported_by: None,
        }
    }

    #[test]
    fn alert_window_is_checked() {
        let d = Directory::southend_defaults();
        let now = chrono::Utc::now();
        let ok = draft(now).validated(&d, now).unwrap();
        assert_eq!(
            ok.vehicle.unwrap().partial_registration.as_deref(),
            Some("AB12")
        );
        let mut past = draft(now);
        past.alert_until = Some(now - chrono::Duration::minutes(1));
        assert_eq!(
            past.validated(&d, now),
            Err(ValidationError::AlertEndInPast)
        );
        let mut long = draft(now);
        long.alert_until = Some(now + chrono::Duration::days(91));
        assert_eq!(
            long.validated(&d, now),
            Err(ValidationError::AlertTooLong { max_days: 90 })
        );
        let mut blank = draft(now);
        blank.description = " ".into();
        assert_eq!(
            blank.validated(&d, now),
            Err(ValidationError::Required(TextField::ConcernDescription))
        );
    }
}
