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
    /// "HARP have said they will respond within 3 days."
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
        Urgency::Red => "red: as soon as possible",
        Urgency::Amber => "amber: within days",
        Urgency::Green => "green: when they can",
    }
}

/// The question that ends the read-back: she is asked, not told.
fn method_question(m: ConsentMethod) -> &'static str {
    match m {
        ConsentMethod::Verbal => "Do you agree?",
        ConsentMethod::Written => "Please sign to say you agree.",
    }
}

/// Names the way a person says them: "A", "A and B", "A, B and C".
pub(crate) fn spoken_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

/// "4 hours", "3 days", "1 week": how long a service has committed to take.
pub fn hours_words(hours: u32) -> String {
    let plural = |n: u32, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if hours >= 24 * 7 && hours.is_multiple_of(24 * 7) {
        plural(hours / (24 * 7), "week")
    } else if hours > 24 && hours.is_multiple_of(24) {
        plural(hours / 24, "day")
    } else {
        plural(hours, "hour")
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
            let mut police = false;
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
                    sentence: format!(
                        "{} have said they will respond within {}.",
                        agency.name,
                        hours_words(hours)
                    ),
                });
                police |= agency.is_police;
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
            let told: Vec<&str> = covers.iter().map(|c| c.to_her.as_str()).collect();
            let mut lines = vec![format!(
                "You are agreeing that we refer you to {}.",
                spoken_list(&names)
            )];
            lines.extend(agencies.iter().map(|a| a.sentence.clone()));
            lines.push(format!(
                "Each of them may be told: {}. Nothing else.",
                told.join("; ")
            ));
            lines.push(format!("What you've asked for: {needs}"));
            lines.push(format!("This is {}.", urgency_word(form.urgency)));
            if police {
                lines.push(
                    "The police are on this list because you chose them. You can take them off."
                        .to_owned(),
                );
            }
            lines.push(format!(
                "You can change your mind about any of them at any time. We'll check with you again by {}.",
                review_at.format("%-d %B %Y")
            ));
            lines.push(method_question(form.consent_method).to_owned());
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

#[cfg(test)]
mod tests {
    use super::{hours_words, spoken_list};

    #[test]
    fn hours_read_as_a_person_says_them() {
        for (h, words) in [
            (1, "1 hour"),
            (4, "4 hours"),
            (24, "24 hours"),
            (48, "2 days"),
            (72, "3 days"),
            (168, "1 week"),
            (336, "2 weeks"),
            (30, "30 hours"),
        ] {
            assert_eq!(hours_words(h), words);
        }
    }

    #[test]
    fn names_join_as_spoken() {
        assert_eq!(spoken_list::<&str>(&[]), "");
        assert_eq!(spoken_list(&["A"]), "A");
        assert_eq!(spoken_list(&["A", "B"]), "A and B");
        assert_eq!(spoken_list(&["A", "B", "C"]), "A, B and C");
    }
}
