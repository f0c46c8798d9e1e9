//! The checks a change passes before the store looks at it: its version is a
//! canonical HLC, its body parses as its kind (serde into the core domain
//! type), the body's id is the change's id, the body is at most 64 KiB, the
//! author is the device's worker where the role writes only its own, and the
//! role may write that kind at all. Checks that need the stored record
//! (another worker's record, another organisation's) are in `apply`.
//!
//! Reasons name the rule, never a value from the body.

use crate::policy::{self, Viewer, Writes};
use nightround_core::domain::round::HELP_ALERT_HOURS;
use nightround_core::domain::{
    CheckIn, CheckInKind, Concern, Consent, Contact, ContactKind, Person, RecordKind, Referral,
    ReferralStatus, Role, Round, SupplyDrop,
};
use nightround_core::sync::protocol::{Change, MAX_BODY_BYTES};
use nightround_core::vault::hlc::Hlc;
use nightround_core::Timestamp;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The longest version string accepted.
pub const MAX_VERSION_LEN: usize = 64;

/// What the policy and the plaintext columns need from a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    pub id: Uuid,
    /// The worker the body says recorded it.
    pub author: String,
    pub person_id: Option<Uuid>,
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
}

/// Whether `v` is a version exactly as the phone's clock writes it, so that
/// string order is clock order.
pub fn is_canonical_version(v: &str) -> bool {
    v.len() <= MAX_VERSION_LEN
        && Hlc::parse(v).is_some_and(|h| {
            h.physical_ms >= 0
                && h.node
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && h.encode() == v
        })
}

fn parse<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, String> {
    T::deserialize(body).map_err(|_| String::new())
}

/// Reads what the server needs from a body, parsing it as its kind.
pub fn body_facts(kind: RecordKind, body: &Value) -> Result<BodyFacts, String> {
    let not_valid = |_| format!("the body is not a valid {} record", kind.as_str());
    let facts = match kind {
        RecordKind::Person => {
            let p: Person = parse(body).map_err(not_valid)?;
            BodyFacts {
                id: p.id,
                author: p.recorded_by.worker_id,
                person_id: Some(p.id),
                ..Default::default()
            }
        }
        RecordKind::Contact => {
            let c: Contact = parse(body).map_err(not_valid)?;
            BodyFacts {
                id: c.id,
                author: c.recorded_by.worker_id,
                person_id: c.person_id,
                contact_kind: Some(c.kind),
                ..Default::default()
            }
        }
        RecordKind::SupplyDrop => {
            let s: SupplyDrop = parse(body).map_err(not_valid)?;
            BodyFacts {
                id: s.id,
                author: s.recorded_by.worker_id,
                ..Default::default()
            }
        }
        RecordKind::Concern => {
            // The person who reported it stays inside the sealed body: a
            // plaintext link between a woman and a report is not needed.
            let c: Concern = parse(body).map_err(not_valid)?;
            BodyFacts {
                id: c.id,
                author: c.recorded_by.worker_id,
                alert_until: c.alert_until,
                ..Default::default()
            }
        }
        RecordKind::Consent => {
            let c: Consent = parse(body).map_err(not_valid)?;
            let until = match c.withdrawn_at {
                Some(w) => w.min(c.review_at),
                None => c.review_at,
            };
            BodyFacts {
                id: c.id,
                author: c.taken_by.worker_id,
                person_id: Some(c.person_id),
                agency_id: Some(c.agency_id),
                consent_until: Some(until),
                ..Default::default()
            }
        }
        RecordKind::Referral => {
            let r: Referral = parse(body).map_err(not_valid)?;
            BodyFacts {
                id: r.id,
                author: r.recorded_by.worker_id,
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
            BodyFacts {
                id: r.id,
                author: r.recorded_by.worker_id.clone(),
                alert_until: r.alert_until(),
                ..Default::default()
            }
        }
        RecordKind::CheckIn => {
            let c: CheckIn = parse(body).map_err(not_valid)?;
            // Only a help call is shown beyond her organisation, and for a
            // bounded time: a phone cannot make an ordinary check-in an alert.
            let longest = c.made_at + chrono::Duration::hours(HELP_ALERT_HOURS);
            let alert_ok = match (c.kind, c.alert_until) {
                (CheckInKind::AllRight, None) => true,
                (CheckInKind::AllRight, Some(_)) => false,
                (CheckInKind::NeedHelp, until) => until.is_none_or(|u| u <= longest),
            };
            if !alert_ok {
                return Err("a check-in's alert time is not allowed".into());
            }
            BodyFacts {
                id: c.id,
                author: c.recorded_by.worker_id,
                alert_until: c.alert_until,
                ..Default::default()
            }
        }
    };
    Ok(facts)
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

/// Checks one change from `viewer`'s device; `Err` is the rejection reason.
pub fn check(change: &Change, viewer: &Viewer<'_>) -> Result<Incoming, String> {
    let kind = change.kind;
    if !is_canonical_version(&change.version) {
        return Err("the version is not a hybrid-logical-clock version".into());
    }
    let rule = policy::writes(kind, viewer.role);
    if rule == Writes::Nothing {
        return Err(format!(
            "{} may not write {} records",
            role_words(viewer.role),
            kind.as_str()
        ));
    }
    if change.tombstone {
        if change.body.is_some() {
            return Err("a tombstone carries no body".into());
        }
        if rule == Writes::StatusOfReferralsToItsAgency {
            return Err(format!(
                "{} may not delete records",
                role_words(viewer.role)
            ));
        }
        return Ok(Incoming {
            kind,
            id: change.id,
            version: change.version.clone(),
            tombstone: true,
            body: None,
            facts: None,
        });
    }
    let body = change
        .body
        .as_ref()
        .ok_or_else(|| "the change has no body".to_owned())?;
    let size = serde_json::to_vec(body).map_or(usize::MAX, |b| b.len());
    if size > MAX_BODY_BYTES {
        return Err(format!("the body is over {} KiB", MAX_BODY_BYTES / 1024));
    }
    let Value::Object(map) = body else {
        return Err(format!("the body is not a valid {} record", kind.as_str()));
    };
    let facts = body_facts(kind, body)?;
    if facts.id != change.id {
        return Err("the body's id is not the change's id".into());
    }
    if rule == Writes::Own && facts.author != viewer.worker_id {
        return Err("the record's author is not this device's worker".into());
    }
    if let Some(k) = facts.contact_kind {
        if !k.allowed_for(viewer.role) {
            return Err(format!(
                "{} may not record this kind of contact",
                role_words(viewer.role)
            ));
        }
    }
    Ok(Incoming {
        kind,
        id: change.id,
        version: change.version.clone(),
        tombstone: false,
        body: Some(map.clone()),
        facts: Some(facts),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_versions() {
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
