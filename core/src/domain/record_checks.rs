//! The phone's rules, applied to a record as stored rather than to a form:
//! what the server runs on every pushed body so that a change a phone would
//! refuse is refused by the server too, with the same typed reason.
//!
//! The rules are the drafts' own (`ContactDraft::validate`,
//! `PersonDraft::validated`, ...), reused through the same helpers. Two
//! differences, because a record may arrive hours after it was made: a time
//! may be in the past (an alert that has already ended, a round already
//! over), and "the future" allows [`super::validation::MAX_CLOCK_SKEW_MS`]
//! of clock drift.

use super::concern::{Concern, MAX_ALERT_DAYS};
use super::consent::Consent;
use super::contact::Contact;
use super::directory::Directory;
use super::person::Person;
use super::referral::Referral;
use super::round::{CheckIn, Round, MAX_CHECK_IN_MINUTES, MAX_ROUND_HOURS, MIN_CHECK_IN_MINUTES};
use super::supplies::{validate_lines, SupplyDrop};
use super::validation::{not_in_future, stored_text, TextField, ValidationError};
use crate::Timestamp;
use chrono::Datelike;

fn known_area(dir: &Directory, area: &str) -> Result<(), ValidationError> {
    dir.area(area)
        .map(|_| ())
        .ok_or(ValidationError::UnknownArea)
}

fn known_agency(dir: &Directory, agency: &str) -> Result<(), ValidationError> {
    dir.agency(agency)
        .map(|_| ())
        .ok_or(ValidationError::UnknownAgency)
}

impl Person {
    /// The profile form's rules: alias, bounded text, a plausible birth year.
    pub fn validate_record(&self, _dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        stored_text(TextField::Alias, Some(&self.alias), true)?;
        stored_text(TextField::Description, self.description.as_deref(), false)?;
        stored_text(TextField::KeyWorker, self.key_worker.as_deref(), false)?;
        if let Some(y) = self.birth_year {
            let current_year = now.year();
            if y < current_year - 100 || y > current_year - 10 {
                return Err(ValidationError::BirthYearOutOfRange);
            }
        }
        not_in_future(self.created_at, now)?;
        not_in_future(self.updated_at, now)
    }
}

impl Contact {
    /// The quick-contact form's rules, for the role that recorded it.
    pub fn validate_record(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        known_area(dir, &self.area_id)?;
        if !self.kind.allowed_for(self.recorded_by.role) {
            return Err(ValidationError::ContactKindNotAllowed);
        }
        not_in_future(self.at, now)?;
        validate_lines(&self.supplies, dir)?;
        if self.raises_safeguarding() && self.safeguarding.is_none() {
            return Err(ValidationError::SafeguardingNotAcknowledged);
        }
        if let Some(s) = &self.safeguarding {
            not_in_future(s.acknowledged_at, now)?;
        }
        stored_text(TextField::Note, self.note.as_deref(), false)
    }
}

impl SupplyDrop {
    /// The supplies-only form's rules.
    pub fn validate_record(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        known_area(dir, &self.area_id)?;
        if self.lines.is_empty() {
            return Err(ValidationError::NoSupplies);
        }
        validate_lines(&self.lines, dir)?;
        not_in_future(self.at, now)
    }
}

impl Concern {
    /// The concern form's rules; the alert may have ended already (a late
    /// delivery) but never lasts longer than [`MAX_ALERT_DAYS`] from now.
    pub fn validate_record(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        known_area(dir, &self.area_id)?;
        stored_text(TextField::ConcernDescription, Some(&self.description), true)?;
        if let Some(v) = &self.vehicle {
            stored_text(TextField::VehicleMake, v.make.as_deref(), false)?;
            stored_text(TextField::VehicleColour, v.colour.as_deref(), false)?;
            stored_text(
                TextField::VehicleRegistration,
                v.partial_registration.as_deref(),
                false,
            )?;
        }
        not_in_future(self.at, now)?;
        if let Some(until) = self.alert_until {
            if until > now + chrono::Duration::days(i64::from(MAX_ALERT_DAYS)) {
                return Err(ValidationError::AlertTooLong {
                    max_days: MAX_ALERT_DAYS,
                });
            }
        }
        Ok(())
    }
}

impl Consent {
    /// The consent form's rules: a known agency, something covered.
    pub fn validate_record(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        known_agency(dir, &self.agency_id)?;
        if self.covers.is_empty() {
            return Err(ValidationError::ConsentCoversNothing);
        }
        not_in_future(self.given_at, now)?;
        if let Some(w) = self.withdrawn_at {
            not_in_future(w, now)?;
        }
        Ok(())
    }
}

impl Referral {
    /// The referral form's rules: a known agency, bounded needs, no step of
    /// its history in the future.
    pub fn validate_record(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        known_agency(dir, &self.agency_id)?;
        stored_text(TextField::Needs, Some(&self.needs), true)?;
        not_in_future(self.created_at, now)?;
        for step in &self.history {
            not_in_future(step.at, now)?;
        }
        Ok(())
    }
}

impl Round {
    /// The start-round form's rules, counted from when the round started.
    pub fn validate_record(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        if !(MIN_CHECK_IN_MINUTES..=MAX_CHECK_IN_MINUTES).contains(&self.check_in_minutes) {
            return Err(ValidationError::CheckInIntervalOutOfRange {
                min: MIN_CHECK_IN_MINUTES,
                max: MAX_CHECK_IN_MINUTES,
            });
        }
        if let Some(area) = &self.area_id {
            known_area(dir, area)?;
        }
        not_in_future(self.started_at, now)?;
        if self.expected_end <= self.started_at {
            return Err(ValidationError::RoundEndInPast);
        }
        if self.expected_end > self.started_at + chrono::Duration::hours(MAX_ROUND_HOURS) {
            return Err(ValidationError::RoundTooLong {
                max_hours: MAX_ROUND_HOURS as u32,
            });
        }
        if let Some(ended) = self.ended_at {
            not_in_future(ended, now)?;
        }
        Ok(())
    }
}

impl CheckIn {
    /// A check-in is made now (or was, before it found signal): never in the
    /// future, and in a known area.
    pub fn validate_record(&self, dir: &Directory, now: Timestamp) -> Result<(), ValidationError> {
        if let Some(area) = &self.area_id {
            known_area(dir, area)?;
        }
        not_in_future(self.made_at, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ConcernCategory, ContactKind, Role, Severity, Urgency, WorkerIdentity};
    use chrono::TimeZone;
    use uuid::Uuid;

    fn now() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 3, 2, 21, 0, 0).unwrap()
    }

    fn me() -> WorkerIdentity {
        WorkerIdentity {
            worker_id: "w1".into(),
            display_name: "Sam".into(),
            role: Role::OutreachWorker,
            organisation: "Aspirations".into(),
        }
    }

    fn person() -> Person {
        Person {
            id: Uuid::now_v7(),
            alias: "Jade".into(),
            description: None,
            birth_year: Some(1990),
            registered_with_outreach: true,
            prefers_female_worker: false,
            key_worker: None,
            created_at: now(),
            updated_at: now(),
            recorded_by: me(),
        }
    }

    #[test]
    fn a_person_is_checked_like_the_form() {
        let dir = Directory::southend_defaults();
        assert_eq!(person().validate_record(&dir, now()), Ok(()));
        let mut p = person();
        p.alias = String::new();
        assert_eq!(
            p.validate_record(&dir, now()),
            Err(ValidationError::EmptyAlias)
        );
        p.alias = "x".repeat(60 * 1024);
        assert_eq!(
            p.validate_record(&dir, now()),
            Err(ValidationError::TextTooLong(TextField::Alias))
        );
        let mut p = person();
        p.birth_year = Some(-999_999);
        assert_eq!(
            p.validate_record(&dir, now()),
            Err(ValidationError::BirthYearOutOfRange)
        );
        let mut p = person();
        p.updated_at = now() + chrono::Duration::minutes(6);
        assert_eq!(
            p.validate_record(&dir, now()),
            Err(ValidationError::TimeInFuture)
        );
        p.updated_at = now() + chrono::Duration::minutes(4);
        assert_eq!(p.validate_record(&dir, now()), Ok(()));
    }

    #[test]
    fn a_concern_alert_window_and_area_are_checked() {
        let dir = Directory::southend_defaults();
        let mut c = Concern {
            id: Uuid::now_v7(),
            category: ConcernCategory::Threats,
            description: "Tall man".into(),
            vehicle: None,
            area_id: "york_road".into(),
            at: now(),
            severity: Severity::High,
            alert_until: Some(now() - chrono::Duration::hours(1)),
            police_consent: false,
            reported_by: None,
            recorded_by: me(),
        };
        assert_eq!(c.validate_record(&dir, now()), Ok(()), "a late delivery");
        c.alert_until = Some(chrono::Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).unwrap());
        assert_eq!(
            c.validate_record(&dir, now()),
            Err(ValidationError::AlertTooLong { max_days: 90 })
        );
        c.alert_until = None;
        c.area_id = "mars".into();
        assert_eq!(
            c.validate_record(&dir, now()),
            Err(ValidationError::UnknownArea)
        );
        c.area_id = "york_road".into();
        c.description = "x".repeat(60 * 1024);
        assert_eq!(
            c.validate_record(&dir, now()),
            Err(ValidationError::TextTooLong(TextField::ConcernDescription))
        );
    }

    #[test]
    fn rounds_check_ins_contacts_and_referrals() {
        let dir = Directory::southend_defaults();
        let mut r = Round {
            id: Uuid::now_v7(),
            started_at: now(),
            expected_end: now() + chrono::Duration::hours(3),
            check_in_minutes: 30,
            buddy: None,
            area_id: Some("york_road".into()),
            ended_at: None,
            recorded_by: me(),
            watch: None,
        };
        assert_eq!(r.validate_record(&dir, now()), Ok(()));
        r.check_in_minutes = 0;
        assert!(matches!(
            r.validate_record(&dir, now()),
            Err(ValidationError::CheckInIntervalOutOfRange { .. })
        ));
        let help = CheckIn {
            id: Uuid::now_v7(),
            round_id: None,
            kind: crate::domain::CheckInKind::NeedHelp,
            made_at: chrono::Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap(),
            area_id: None,
            alert_until: None,
            recorded_by: me(),
        };
        assert_eq!(
            help.validate_record(&dir, now()),
            Err(ValidationError::TimeInFuture)
        );
        let contact = Contact {
            id: Uuid::now_v7(),
            person_id: None,
            at: now(),
            area_id: "york_road".into(),
            kind: ContactKind::PoliceWelfareCheck,
            wellbeing: vec![],
            note: None,
            supplies: vec![],
            safeguarding: None,
            recorded_by: me(),
        };
        assert_eq!(
            contact.validate_record(&dir, now()),
            Err(ValidationError::ContactKindNotAllowed)
        );
        let referral = Referral {
            id: Uuid::now_v7(),
            person_id: Uuid::now_v7(),
            agency_id: "nowhere".into(),
            needs: "a bed".into(),
            urgency: Urgency::Red,
            consent_id: Uuid::now_v7(),
            created_at: now(),
            due_at: now(),
            status: crate::domain::ReferralStatus::Sent,
            history: vec![],
            recorded_by: me(),
        };
        assert_eq!(
            referral.validate_record(&dir, now()),
            Err(ValidationError::UnknownAgency)
        );
    }
}
