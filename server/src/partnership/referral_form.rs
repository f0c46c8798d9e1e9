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
