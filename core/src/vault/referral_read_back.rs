//! The referral form read back to her before it is saved: who gets her
//! information, what of it, how fast each service has committed to answer
//! (the due time the core will set), what she needs, and how she agreed.
//! Built here, from the same checks as saving, so a form that would be
//! refused is refused before it is read to her, and both apps read the same
//! words.

use super::Vault;
use crate::domain::consent::default_review_period;
use crate::domain::{
    ConsentDraft, ConsentMethod, InfoCategory, InfoCategoryText, Person, RecordKind, ReferralDraft,
    ReferralForm, Urgency, ValidationError,
};
use crate::error::{CoreError, Result};
use crate::Timestamp;

/// One service the form goes to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ReadBackAgency {
    pub agency_id: String,
    pub name: String,
    /// Hours the service has committed to answer within, for this urgency.
    pub response_hours: u32,
    /// The due time saving the form now would set.
    pub due_at: Timestamp,
    /// "Harp aim to answer within 72 hours."
    pub sentence: String,
}

/// What the worker reads to her, in order, before she agrees.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ReferralReadBack {
    pub person_alias: String,
    pub agencies: Vec<ReadBackAgency>,
    /// What they may know, in the screens' order, with label and meaning.
    pub covers: Vec<InfoCategoryText>,
    pub urgency: Urgency,
    /// Her needs as they will be saved (trimmed).
    pub needs: String,
    pub method: ConsentMethod,
    /// When her consent will be checked with her again.
    pub review_at: Timestamp,
    /// The whole read-back as sentences, for a screen or a screen reader.
    pub lines: Vec<String>,
}

fn urgency_word(u: Urgency) -> &'static str {
    match u {
        Urgency::Red => "Red: as soon as possible",
        Urgency::Amber => "Amber: within days",
        Urgency::Green => "Green: when they can",
    }
}

fn method_words(m: ConsentMethod) -> &'static str {
    match m {
        ConsentMethod::Verbal => "You told me you agree.",
        ConsentMethod::Written => "You agreed in writing.",
    }
}

impl Vault {
    /// The read-back of a referral form, refused exactly as saving it would
    /// be (no service, an unknown one, nothing covered, no needs, a review
    /// date past, an unknown person). Writes nothing.
    pub fn preview_referral_form(&self, form: &ReferralForm) -> Result<ReferralReadBack> {
        self.with_session(|conn, s, now| {
            ConsentDraft {
                person_id: form.person_id,
                agency_ids: form.agency_ids.clone(),
                method: form.consent_method,
                covers: form.consent_covers.clone(),
                review_at: form.consent_review_at,
            }
            .validate(&s.directory, now)?;
            let person: Person =
                super::store::read(conn, &s.keys, RecordKind::Person, form.person_id)?
                    .ok_or(CoreError::Validation(ValidationError::UnknownPerson))?;
            let mut agencies = Vec::with_capacity(form.agency_ids.len());
            let mut needs = String::new();
            for agency_id in &form.agency_ids {
                let draft = ReferralDraft {
                    person_id: form.person_id,
                    agency_id: agency_id.clone(),
                    urgency: form.urgency,
                    needs: form.needs.clone(),
                };
                let (n, due_at) = draft.validated(&s.directory, now)?;
                needs = n;
                let agency = s
                    .directory
                    .agency(agency_id)
                    .ok_or(ValidationError::UnknownAgency)?;
                let hours = u32::try_from((due_at - now).num_hours()).unwrap_or(u32::MAX);
                agencies.push(ReadBackAgency {
                    agency_id: agency_id.clone(),
                    name: agency.name.clone(),
                    response_hours: hours,
                    due_at,
                    sentence: format!("{} aim to answer within {hours} hours.", agency.name),
                });
            }
            let covers: Vec<InfoCategoryText> = InfoCategory::ALL
                .into_iter()
                .filter(|c| form.consent_covers.contains(c))
                .map(InfoCategory::text)
                .collect();
            let review_at = form
                .consent_review_at
                .unwrap_or(now + default_review_period());
            let names: Vec<&str> = agencies.iter().map(|a| a.name.as_str()).collect();
            let labels: Vec<&str> = covers.iter().map(|c| c.label.as_str()).collect();
            let mut lines = vec![format!("Your information may go to: {}.", names.join(", "))];
            lines.extend(agencies.iter().map(|a| a.sentence.clone()));
            lines.push(format!("What they may know: {}.", labels.join(", ")));
            lines.extend(covers.iter().map(|c| format!("{}: {}", c.label, c.meaning)));
            lines.push(format!("How urgent: {}.", urgency_word(form.urgency)));
            lines.push(format!("What you need: {needs}"));
            lines.push(method_words(form.consent_method).to_owned());
            lines.push("You can change your mind about any service at any time.".to_owned());
            Ok(ReferralReadBack {
                person_alias: person.alias,
                agencies,
                covers,
                urgency: form.urgency,
                needs,
                method: form.consent_method,
                review_at,
                lines,
            })
        })
    }
}
