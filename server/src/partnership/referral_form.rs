//! The partnership's universal referral form for an agency with no account
//! on the server: what goes to it by hand (printed, or a PDF sent by secure
//! email). Her details and the needs appear only as far as her consent to
//! that agency covers them ([`nightround_core::domain::categories::project`]);
//! the form says what was left out and why. One model, [`ReferralSheet`],
//! feeds both the printable page and the PDF.

use nightround_core::domain::categories::project;
use nightround_core::domain::{
    Agency, Consent, ConsentMethod, Person, RecordKind, Referral, ReferralStatus, Urgency,
};
use nightround_core::Timestamp;
use serde_json::Value;

/// Why no form can be made for a referral.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the consent this referral was made under is not on the server")]
    NoConsent,
    #[error("her consent to share with this agency was withdrawn: nothing may be sent")]
    Withdrawn,
    #[error("her consent to share with this agency has lapsed (review was due {0}): review it with her first")]
    Lapsed(String),
    #[error("the consent names another agency than the referral")]
    ConsentForAnotherAgency,
}

/// One labelled line of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: &'static str,
    pub value: String,
}

/// The referral form, filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralSheet {
    pub partnership: String,
    pub referral_id: String,
    pub agency: Vec<Line>,
    pub referral: Vec<Line>,
    /// Her details as consented; empty when her consent covers none.
    pub her_details: Vec<Line>,
    /// What her consent left out, in words.
    pub withheld: Vec<String>,
    pub consent: Vec<Line>,
    /// "Sent by hand by … on …" once recorded.
    pub sent: Option<String>,
}

/// What the form is made from.
pub struct FormInput<'a> {
    pub partnership: &'a str,
    pub referral: &'a Referral,
    pub person: Option<&'a Person>,
    pub consent: Option<&'a Consent>,
    pub agency: Option<&'a Agency>,
    pub now: Timestamp,
    /// How times are written (the dashboard's UK time).
    pub when: &'a dyn Fn(Timestamp) -> String,
}

fn urgency_words(u: Urgency) -> &'static str {
    match u {
        Urgency::Red => "Red",
        Urgency::Amber => "Amber",
        Urgency::Green => "Green",
    }
}

fn line(label: &'static str, value: impl Into<String>) -> Line {
    Line {
        label,
        value: value.into(),
    }
}

/// Fills in the form, or says why it may not be made.
pub fn build(input: &FormInput<'_>) -> Result<ReferralSheet, FormError> {
    let r = input.referral;
    let when = input.when;
    let consent = input.consent.ok_or(FormError::NoConsent)?;
    if consent.agency_id != r.agency_id {
        return Err(FormError::ConsentForAnotherAgency);
    }
    if consent.withdrawn_at.is_some() {
        return Err(FormError::Withdrawn);
    }
    if consent.review_at <= input.now {
        return Err(FormError::Lapsed(when(consent.review_at)));
    }
    let covers = &consent.covers;
    let mut withheld = Vec::new();

    let mut her_details = Vec::new();
    if let Some(p) = input.person {
        let mut body = match serde_json::to_value(p) {
            Ok(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let removed = project(RecordKind::Person, &mut body, covers);
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
        if let Some(a) = text("alias") {
            her_details.push(line("Name she uses", a));
        }
        if let Some(d) = text("description") {
            her_details.push(line("How to recognise her", d));
        }
        if let Some(y) = body.get("birth_year").and_then(Value::as_i64) {
            her_details.push(line("Year of birth", y.to_string()));
        }
        if let Some(k) = text("key_worker") {
            her_details.push(line("Key worker", k));
        }
        if body.get("prefers_female_worker").and_then(Value::as_bool) == Some(true) {
            her_details.push(line("Workers", "She asks to see women workers only"));
        }
        if !removed.is_empty() {
            withheld.push(
                "Some of her details: her consent to this agency does not cover them.".into(),
            );
        }
    } else {
        withheld.push("Her details: the referring worker's organisation holds them.".into());
    }

    let mut referral = vec![
        line("Urgency", urgency_words(r.urgency)),
        line(
            "Made",
            format!(
                "{} by {} ({})",
                when(r.created_at),
                r.recorded_by.display_name,
                r.recorded_by.organisation
            ),
        ),
        line("Response due by", when(r.due_at)),
    ];
    let mut needs = serde_json::Map::new();
    needs.insert("needs".into(), Value::String(r.needs.clone()));
    project(RecordKind::Referral, &mut needs, covers);
    match needs.get("needs").and_then(Value::as_str) {
        Some(n) if !n.trim().is_empty() => referral.insert(0, line("What she needs", n)),
        _ => withheld.push(
            "What she needs, in the worker's words: her consent does not cover free-text notes; call the referring worker.".into(),
        ),
    }

    let agency = match input.agency {
        Some(a) => vec![
            line("To", a.name.clone()),
            line("Address", a.address.clone()),
            line("Phone", a.phone.clone()),
            line("Opening times", a.opening_times.clone()),
        ],
        None => vec![line("To", r.agency_id.clone())],
    };

    let method = match consent.method {
        ConsentMethod::Verbal => "verbally",
        ConsentMethod::Written => "in writing",
    };
    let categories: Vec<&str> = covers.iter().map(|c| c.label()).collect();
    let agency_name = input
        .agency
        .map_or(r.agency_id.as_str(), |a| a.name.as_str());
    let consent_lines = vec![
        line(
            "Her consent",
            format!(
                "She agreed {method}, on {}, to {} being told: {}. She may withdraw it at any time.",
                when(consent.given_at),
                agency_name,
                if categories.is_empty() { "nothing".to_owned() } else { categories.join(", ") }
            ),
        ),
        line("Taken by", format!("{} ({})", consent.taken_by.display_name, consent.taken_by.organisation)),
        line("Consent date", when(consent.given_at)),
        line("To be reviewed with her by", when(consent.review_at)),
    ];

    let sent = r
        .history
        .iter()
        .rev()
        .find(|h| h.status == ReferralStatus::Sent)
        .map(|h| format!("Sent by hand by {} on {}", h.by, when(h.at)));

    Ok(ReferralSheet {
        partnership: input.partnership.to_owned(),
        referral_id: r.id.to_string(),
        agency,
        referral,
        her_details,
        withheld,
        consent: consent_lines,
        sent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nightround_core::domain::{Directory, InfoCategory, Role, WorkerIdentity};
    use uuid::Uuid;

    fn sam() -> WorkerIdentity {
        WorkerIdentity {
            worker_id: "w1".into(),
            display_name: "Sam".into(),
            role: Role::OutreachWorker,
            organisation: "Aspirations".into(),
        }
    }

    fn fixtures(covers: Vec<InfoCategory>) -> (Person, Consent, Referral) {
        let now = chrono::Utc::now();
        let person = Person {
            id: Uuid::now_v7(),
            alias: "Jaz".into(),
            description: Some("Red coat".into()),
            birth_year: Some(1990),
            registered_with_outreach: true,
            prefers_female_worker: false,
            key_worker: Some("Sam".into()),
            created_at: now,
            updated_at: now,
            recorded_by: sam(),
        };
        let consent = Consent {
            id: Uuid::now_v7(),
            person_id: person.id,
            agency_id: "cgl".into(),
            method: ConsentMethod::Written,
            taken_by: sam(),
            given_at: now,
            covers,
            review_at: now + chrono::Duration::days(30),
            withdrawn_at: None,
        };
        let referral = Referral {
            id: Uuid::now_v7(),
            person_id: person.id,
            agency_id: "cgl".into(),
            needs: "A script, tomorrow".into(),
            urgency: Urgency::Amber,
            consent_id: consent.id,
            created_at: now,
            due_at: now + chrono::Duration::hours(72),
            status: ReferralStatus::Queued,
            history: vec![],
            recorded_by: sam(),
        };
        (person, consent, referral)
    }

    fn make(
        p: &Person,
        c: Option<&Consent>,
        r: &Referral,
        now: Timestamp,
    ) -> Result<ReferralSheet, FormError> {
        let dir = Directory::southend_defaults();
        let when = |t: Timestamp| t.to_rfc3339();
        build(&FormInput {
            partnership: "P",
            referral: r,
            person: Some(p),
            consent: c,
            agency: dir.agency("cgl"),
            now,
            when: &when,
        })
    }

    fn all_text(s: &ReferralSheet) -> String {
        [&s.agency, &s.referral, &s.her_details, &s.consent]
            .iter()
            .flat_map(|l| l.iter().map(|l| l.value.clone()))
            .chain(s.withheld.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_form_carries_exactly_what_her_consent_covers() {
        let (p, c, r) = fixtures(vec![InfoCategory::ContactDetails]);
        let now = r.created_at;
        let text = all_text(&make(&p, Some(&c), &r, now).unwrap());
        assert!(text.contains("Jaz") && text.contains("Red coat") && text.contains("1990"));
        assert!(
            !text.contains("A script, tomorrow"),
            "needs are a free-text note"
        );
        assert!(text.contains("free-text notes"));
        assert!(text.contains("She agreed in writing"));

        let (p, c, r) = fixtures(vec![InfoCategory::FreeTextNote]);
        let sheet = make(&p, Some(&c), &r, now).unwrap();
        let text = all_text(&sheet);
        assert!(text.contains("A script, tomorrow"));
        assert!(!text.contains("Jaz") && !text.contains("Red coat"));
        assert!(sheet.her_details.is_empty());
    }

    #[test]
    fn no_form_without_a_consent_in_force() {
        let (p, mut c, r) = fixtures(vec![InfoCategory::ContactDetails]);
        let now = r.created_at;
        assert_eq!(make(&p, None, &r, now), Err(FormError::NoConsent));
        let lapsed = c.review_at + chrono::Duration::seconds(1);
        assert!(matches!(
            make(&p, Some(&c), &r, lapsed),
            Err(FormError::Lapsed(_))
        ));
        c.agency_id = "harp".into();
        assert_eq!(
            make(&p, Some(&c), &r, now),
            Err(FormError::ConsentForAnotherAgency)
        );
        c.agency_id = "cgl".into();
        c.withdrawn_at = Some(now);
        assert_eq!(make(&p, Some(&c), &r, now), Err(FormError::Withdrawn));
    }
}
