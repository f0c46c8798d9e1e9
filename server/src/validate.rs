//! The checks a change passes before the store looks at it: its version is a
//! canonical HLC not ahead of the server's clock by more than the skew bound,
//! its body parses as its kind (serde into the core domain type) and passes
//! the core's own validation (the phone's rules), the body's id is the
//! change's id, the body is at most 64 KiB, the author is the device's worker
//! with the device's exact identity where the role writes only its own, and
//! the role may write that kind at all. Checks that need the stored record or
//! its relations (another worker's record, a woman another organisation
//! holds, the round of a check-in) are in `apply` and `authorize`.
//!
//! Reasons name the rule, never a value from the body.

use crate::policy::{self, Viewer, Writes};
use crate::refusal::{Refusal, RejectCode};
use nightround_core::domain::round::HELP_ALERT_HOURS;
use nightround_core::domain::{
    CheckIn, CheckInKind, Concern, Consent, Contact, ContactKind, Directory, Person, RecordKind,
    Referral, ReferralStatus, Role, Round, SupplyDrop, WorkerIdentity, MAX_CLOCK_SKEW_MS,
};
use nightround_core::sync::protocol::{Change, MAX_BODY_BYTES};
use nightround_core::vault::hlc::{is_ahead_of, Hlc};
use nightround_core::Timestamp;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The longest version string accepted.
pub const MAX_VERSION_LEN: usize = 64;

/// Who is writing, and what the checks compare against: the device's
/// policy view, its exact identity, the directory and the server's clock.
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    pub viewer: Viewer<'a>,
    pub identity: &'a WorkerIdentity,
    pub directory: &'a Directory,
    pub now: Timestamp,
}

/// What the policy and the plaintext columns need from a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    pub id: Uuid,
    /// The worker the body says recorded it.
    pub author: String,
    /// The whole identity the body carries (`recorded_by`, `taken_by`).
    pub identity: Option<WorkerIdentity>,
    pub person_id: Option<Uuid>,
    /// A woman the body names without being about her (a concern's
    /// `reported_by`): never a plaintext column, but checked like one.
    pub mentions: Option<Uuid>,
    /// The round a check-in belongs to.
    pub round_id: Option<Uuid>,
    pub agency_id: Option<String>,
    pub alert_until: Option<Timestamp>,
    pub consent_until: Option<Timestamp>,
    pub contact_kind: Option<ContactKind>,
    pub referral_status: Option<ReferralStatus>,
}

/// A change that passed the stateless checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub kind: RecordKind,
    pub id: Uuid,
    pub version: String,
    pub tombstone: bool,
    /// `None` for a tombstone.
    pub body: Option<Map<String, Value>>,
    /// `None` for a tombstone.
    pub facts: Option<BodyFacts>,
    /// The device's identity: who is writing (not what the body says).
    pub writer: WorkerIdentity,
}

impl Incoming {
    /// Whether the body's identity is exactly the writing device's.
    pub fn identity_is_writers(&self) -> bool {
        self.facts
            .as_ref()
            .and_then(|f| f.identity.as_ref())
            .is_some_and(|i| *i == self.writer)
    }
}

/// The body field that carries who recorded a kind.
pub fn identity_field(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Consent => "taken_by",
        _ => "recorded_by",
    }
}

/// Whether `v` is a version exactly as the phone's clock writes it, so that
/// string order is clock order.
pub fn is_canonical_version(v: &str) -> bool {
    v.len() <= MAX_VERSION_LEN
        && Hlc::parse(v).is_some_and(|h| {
            h.node
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && h.encode() == v
        })
}

fn parse<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, ()> {
    T::deserialize(body).map_err(|_| ())
}

/// Reads what the server needs from a body, parsing it as its kind; with
/// `rules`, also runs the core's validation of that kind against the
/// directory at the server's time.
pub fn checked_facts(
    kind: RecordKind,
    body: &Value,
    rules: Option<(&Directory, Timestamp)>,
) -> Result<BodyFacts, Refusal> {
    let not_valid = |_| {
        Refusal::new(
            RejectCode::Malformed,
            format!("the body is not a valid {} record", kind.as_str()),
        )
    };
    let facts = match kind {
        RecordKind::Person => {
            let p: Person = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                p.validate_record(dir, now)?;
            }
            BodyFacts {
                id: p.id,
                author: p.recorded_by.worker_id.clone(),
                identity: Some(p.recorded_by),
                person_id: Some(p.id),
                ..Default::default()
            }
        }
        RecordKind::Contact => {
            let c: Contact = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                c.validate_record(dir, now)?;
            }
            BodyFacts {
                id: c.id,
                author: c.recorded_by.worker_id.clone(),
                identity: Some(c.recorded_by),
                person_id: c.person_id,
                contact_kind: Some(c.kind),
                ..Default::default()
            }
        }
        RecordKind::SupplyDrop => {
            let s: SupplyDrop = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                s.validate_record(dir, now)?;
            }
            BodyFacts {
                id: s.id,
                author: s.recorded_by.worker_id.clone(),
                identity: Some(s.recorded_by),
                ..Default::default()
            }
        }
        RecordKind::Concern => {
            // The person who reported it stays inside the sealed body: a
            // plaintext link between a woman and a report is not needed.
            let c: Concern = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                c.validate_record(dir, now)?;
            }
            BodyFacts {
                id: c.id,
                author: c.recorded_by.worker_id.clone(),
                identity: Some(c.recorded_by),
                mentions: c.reported_by,
                alert_until: c.alert_until,
                ..Default::default()
            }
        }
        RecordKind::Consent => {
            let c: Consent = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                c.validate_record(dir, now)?;
            }
            let until = match c.withdrawn_at {
                Some(w) => w.min(c.review_at),
                None => c.review_at,
            };
            BodyFacts {
                id: c.id,
                author: c.taken_by.worker_id.clone(),
                identity: Some(c.taken_by),
                person_id: Some(c.person_id),
                agency_id: Some(c.agency_id),
                consent_until: Some(until),
                ..Default::default()
            }
        }
        RecordKind::Referral => {
            let r: Referral = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                r.validate_record(dir, now)?;
            }
            BodyFacts {
                id: r.id,
                author: r.recorded_by.worker_id.clone(),
                identity: Some(r.recorded_by),
                person_id: Some(r.person_id),
                agency_id: Some(r.agency_id),
                referral_status: Some(r.status),
                ..Default::default()
            }
        }
        RecordKind::Round => {
            // Shown to the team only while the server's watch says so; the
            // watch in a phone's copy is replaced by the stored one (apply).
            let r: Round = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                r.validate_record(dir, now)?;
            }
            BodyFacts {
                id: r.id,
                author: r.recorded_by.worker_id.clone(),
                alert_until: r.alert_until(),
                identity: Some(r.recorded_by),
                ..Default::default()
            }
        }
        RecordKind::CheckIn => {
            let c: CheckIn = parse(body).map_err(not_valid)?;
            if let Some((dir, now)) = rules {
                c.validate_record(dir, now)?;
            }
            // Only a help call is shown beyond her organisation, and for a
            // bounded time: a phone cannot make an ordinary check-in an alert.
            let longest = c.made_at + chrono::Duration::hours(HELP_ALERT_HOURS);
            let alert_ok = match (c.kind, c.alert_until) {
                (CheckInKind::AllRight, None) => true,
                (CheckInKind::AllRight, Some(_)) => false,
                (CheckInKind::NeedHelp, until) => until.is_none_or(|u| u <= longest),
            };
            if !alert_ok {
                return Err(Refusal::new(
                    RejectCode::Invalid,
                    "a check-in's alert time is not allowed",
                ));
            }
            BodyFacts {
                id: c.id,
                author: c.recorded_by.worker_id.clone(),
                identity: Some(c.recorded_by),
                round_id: c.round_id,
                alert_until: c.alert_until,
                ..Default::default()
            }
        }
    };
    Ok(facts)
}

/// Reads what the server needs from a body it already trusts (a merged
/// result of checked versions).
pub fn body_facts(kind: RecordKind, body: &Value) -> Result<BodyFacts, Refusal> {
    checked_facts(kind, body, None)
}

fn role_words(role: Role) -> String {
    let label = role.label();
    let article = if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {label}")
}

/// Checks one change from the writer's device; `Err` is the refusal.
pub fn check(change: &Change, writer: &Writer<'_>) -> Result<Incoming, Refusal> {
    let kind = change.kind;
    let viewer = &writer.viewer;
    let malformed = |reason: String| Refusal::new(RejectCode::Malformed, reason);
    if !is_canonical_version(&change.version) {
        return Err(malformed(
            "the version is not a hybrid-logical-clock version".into(),
        ));
    }
    if Hlc::parse(&change.version).is_some_and(|h| is_ahead_of(&h, writer.now)) {
        return Err(Refusal::new(
            RejectCode::ClockAhead,
            format!(
                "the phone's clock is ahead of the server's: the version is more than {} minutes in the future",
                MAX_CLOCK_SKEW_MS / 60_000
            ),
        ));
    }
    let rule = policy::writes(kind, viewer.role);
    if rule == Writes::Nothing {
        return Err(Refusal::new(
            RejectCode::Forbidden,
            format!(
                "{} may not write {} records",
                role_words(viewer.role),
                kind.as_str()
            ),
        ));
    }
    if change.tombstone {
        if change.body.is_some() {
            return Err(malformed("a tombstone carries no body".into()));
        }
        if rule == Writes::StatusOfReferralsToItsAgency {
            return Err(Refusal::new(
                RejectCode::Forbidden,
                format!("{} may not delete records", role_words(viewer.role)),
            ));
        }
        return Ok(Incoming {
            kind,
            id: change.id,
            version: change.version.clone(),
            tombstone: true,
            body: None,
            facts: None,
            writer: writer.identity.clone(),
        });
    }
    let body = change
        .body
        .as_ref()
        .ok_or_else(|| malformed("the change has no body".into()))?;
    let size = serde_json::to_vec(body).map_or(usize::MAX, |b| b.len());
    if size > MAX_BODY_BYTES {
        return Err(malformed(format!(
            "the body is over {} KiB",
            MAX_BODY_BYTES / 1024
        )));
    }
    let Value::Object(map) = body else {
        return Err(malformed(format!(
            "the body is not a valid {} record",
            kind.as_str()
        )));
    };
    // Parse and read identity first: whose record it claims to be decides
    // the reason before the phone's rules do.
    let facts = body_facts(kind, body)?;
    if facts.id != change.id {
        return Err(malformed("the body's id is not the change's id".into()));
    }
    if rule == Writes::Own {
        if facts.author != viewer.worker_id {
            return Err(Refusal::new(
                RejectCode::NotOwner,
                "the record's author is not this device's worker",
            ));
        }
        if facts.identity.as_ref() != Some(writer.identity) {
            return Err(Refusal::new(
                RejectCode::IdentityMismatch,
                "the record's worker identity (name, role or organisation) is not this device's",
            ));
        }
    }
    if let Some(k) = facts.contact_kind {
        if !k.allowed_for(viewer.role) {
            return Err(Refusal::new(
                RejectCode::Forbidden,
                format!(
                    "{} may not record this kind of contact",
                    role_words(viewer.role)
                ),
            ));
        }
    }
    let facts = checked_facts(kind, body, Some((writer.directory, writer.now)))?;
    Ok(Incoming {
        kind,
        id: change.id,
        version: change.version.clone(),
        tombstone: false,
        body: Some(map.clone()),
        facts: Some(facts),
        writer: writer.identity.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_versions() {
        assert!(!is_canonical_version("9223372036854775807-99999-zz"));
        assert!(is_canonical_version("9999999999999-99999-zz"));
        assert!(is_canonical_version("1767225600000-00000-abcd1234"));
        assert!(is_canonical_version("1767225600000-00003-server"));
        for bad in [
            "",
            "1-0-a",
            "1767225600000-0-abcd",
            "1767225600000-00000-",
            "1767225600000-00000-ab cd",
            "x767225600000-00000-abcd",
        ] {
            assert!(!is_canonical_version(bad), "{bad:?}");
        }
        let long = format!("1767225600000-00000-{}", "a".repeat(60));
        assert!(!is_canonical_version(&long));
    }

    #[test]
    fn role_words_read_well() {
        assert_eq!(role_words(Role::OutreachWorker), "an outreach worker");
        assert_eq!(role_words(Role::PoliceOfficer), "a police officer");
    }
}
