//! What one pushed change does to the stored record: the decision, made
//! without touching storage so that every backend applies the protocol the
//! same way (`docs/sync-protocol.md`, "Conflicts").
//!
//! - A new id is stored as sent.
//! - **Immutable** kinds (contact, supply drop, concern): a greater version by
//!   the same author replaces the record and the old version goes to the
//!   history; an older one goes straight to the history (`merged`).
//! - **Mutable** kinds (person, consent, referral): merged per top-level field
//!   by version (`merge`); losing values go to the history with their version.
//! - When the stored result is not exactly what some phone sent at that
//!   version, the server gives it a new version of its own (node `server`),
//!   greater than both, so that every phone, including the sender, takes the
//!   merged record on its next pull instead of keeping its own copy.
//! - A tombstone deletes the body and the record's history (an erasure
//!   request must erase); the id, the version and the plaintext columns stay
//!   so the deletion reaches every phone that had the record. A deleted record
//!   stays deleted: later versions are acknowledged and dropped.

use crate::authorize;
use crate::merge::{self, FieldVersions};
use crate::policy::{self, Facts, Viewer, Writes};
use crate::refusal::{Refusal, RejectCode};
use crate::store::{RecordMeta, StoreError};
use crate::validate::{body_facts, identity_field, BodyFacts, Incoming};
use nightround_core::domain::{RecordKind, ReferralStatus, StatusChange};
use nightround_core::sync::protocol::AckStatus;
use nightround_core::vault::version_after;
use nightround_core::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The node name in versions the server mints for merged results.
pub const SERVER_NODE: &str = "server";

/// A stored record as the decision needs it, body opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub meta: RecordMeta,
    /// `None` once deleted.
    pub body: Option<Map<String, Value>>,
    pub field_versions: FieldVersions,
}

/// A value kept in a record's history: a whole replaced version (`field`
/// `None`) or one field's losing value.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub field: Option<String>,
    pub version: String,
    pub value: Value,
}

/// The record as it is to be stored (the store adds the sequence number).
#[derive(Debug, Clone, PartialEq)]
pub struct NewState {
    pub kind: RecordKind,
    pub id: Uuid,
    pub version: String,
    pub organisation_id: String,
    pub author_worker_id: String,
    pub person_id: Option<Uuid>,
    pub agency_id: Option<String>,
    pub alert_until: Option<Timestamp>,
    pub consent_until: Option<Timestamp>,
    pub tombstone: bool,
    pub body: Option<Map<String, Value>>,
    pub field_versions: FieldVersions,
}

/// What to store for an accepted change.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub status: AckStatus,
    pub reason: Option<String>,
    /// Values to keep in the record's history.
    pub history: Vec<HistoryEntry>,
    /// The record's new state; `None` when the record does not change.
    pub state: Option<NewState>,
    /// Delete the record's history (a tombstone).
    pub purge_history: bool,
}

/// The decision for one change.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Rejected(Refusal),
    Accepted(Box<Accepted>),
}

fn rejected(code: RejectCode, reason: impl Into<String>) -> Result<Outcome, StoreError> {
    Ok(Outcome::Rejected(Refusal::new(code, reason)))
}

const IDENTITY_CHANGED: &str = "the record's worker identity is not the one it was recorded under";

const NEWER_STORED: &str =
    "a newer version of this record is stored; this one is kept in its history";

/// A version greater than `after` (and than the clock at `now`), minted by the
/// server for a merged result.
pub fn mint_version(after: &str, now: Timestamp) -> String {
    version_after(Some(after), now, SERVER_NODE)
}

/// The field of a round that only the server writes (ADR 0004).
pub const WATCH_FIELD: &str = "watch";

/// A phone's copy of a round with the server's watch put back: whatever the
/// phone says about the watch (usually an older copy) is ignored.
fn with_stored_watch(
    cur_body: &Map<String, Value>,
    body: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out = body.clone();
    out.insert(
        WATCH_FIELD.to_owned(),
        cur_body.get(WATCH_FIELD).cloned().unwrap_or(Value::Null),
    );
    out
}

/// The statuses a receiving agency may set.
const AGENCY_STATUSES: [ReferralStatus; 4] = [
    ReferralStatus::Acknowledged,
    ReferralStatus::Accepted,
    ReferralStatus::Declined,
    ReferralStatus::Closed,
];

/// Decides what `incoming`, from `viewer`'s device, does to `current`.
pub fn decide(
    viewer: &Viewer<'_>,
    incoming: &Incoming,
    current: Option<&Current>,
    facts: &dyn Facts,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    decide_from(
        viewer,
        incoming,
        current,
        facts,
        now,
        merge::Base::default(),
    )
}

/// As [`decide`], for an edit made on `base` (protocol version 2): the
/// per-field merge keeps stored values the edit did not touch.
pub fn decide_from(
    viewer: &Viewer<'_>,
    incoming: &Incoming,
    current: Option<&Current>,
    facts: &dyn Facts,
    now: Timestamp,
    base: merge::Base<'_>,
) -> Result<Outcome, StoreError> {
    let rule = policy::writes(incoming.kind, viewer.role);
    // Whom the change names, for every version the writer authors (a
    // receiving agency's status move keeps the stored body).
    let check_relations = || -> Result<Option<Refusal>, StoreError> {
        if incoming.tombstone || rule == Writes::StatusOfReferralsToItsAgency {
            return Ok(None);
        }
        Ok(authorize::relations(viewer, incoming, facts)?.err())
    };
    let Some(cur) = current else {
        if rule == Writes::StatusOfReferralsToItsAgency {
            return rejected(
                RejectCode::Forbidden,
                "a receiving agency may only change referrals addressed to it",
            );
        }
        if incoming.kind == RecordKind::Round
            && incoming
                .body
                .as_ref()
                .and_then(|b| b.get(WATCH_FIELD))
                .is_some_and(|w| !w.is_null())
        {
            return rejected(
                RejectCode::ServerOwnedField,
                "only the server writes a round's watch",
            );
        }
        if !incoming.tombstone && !incoming.identity_is_writers() {
            return rejected(
                RejectCode::IdentityMismatch,
                "the record's worker identity (name, role or organisation) is not this device's",
            );
        }
        if let Some(refusal) = check_relations()? {
            return Ok(Outcome::Rejected(refusal));
        }
        if let Some(refusal) = new_referral_history(incoming) {
            return Ok(Outcome::Rejected(refusal));
        }
        return Ok(Outcome::Accepted(Box::new(insert(viewer, incoming))));
    };
    if cur.meta.kind != incoming.kind {
        return rejected(
            RejectCode::KindMismatch,
            "the id belongs to a record of another kind",
        );
    }
    match rule {
        Writes::Nothing => {
            return rejected(
                RejectCode::Forbidden,
                "this role may not write this kind of record",
            )
        }
        Writes::Own if cur.meta.author_worker_id != viewer.worker_id => {
            return rejected(RejectCode::NotOwner, "the record belongs to another worker")
        }
        Writes::OwnOrganisation if cur.meta.organisation_id != viewer.organisation_id => {
            return rejected(
                RejectCode::NotOwnOrganisation,
                "the record belongs to another organisation",
            )
        }
        Writes::StatusOfReferralsToItsAgency => {
            let addressed = viewer.agency_id.is_some()
                && cur.meta.agency_id.as_deref() == viewer.agency_id
                && policy::may_see(viewer, &cur.meta, facts, now)?;
            if !addressed {
                return rejected(
                    RejectCode::Forbidden,
                    "the referral is not addressed to this agency with her consent",
                );
            }
        }
        _ => {}
    }
    if let Some(refusal) = check_relations()? {
        return Ok(Outcome::Rejected(refusal));
    }
    if cur.meta.tombstone {
        return Ok(Outcome::Accepted(Box::new(Accepted {
            status: AckStatus::Merged,
            reason: Some("the record was deleted".into()),
            history: Vec::new(),
            state: None,
            purge_history: false,
        })));
    }
    if incoming.tombstone {
        return Ok(Outcome::Accepted(Box::new(delete(cur, incoming, now))));
    }
    let (Some(body), Some(cur_body)) = (incoming.body.as_ref(), cur.body.as_ref()) else {
        return Err(StoreError::Corrupt("a live record without a body"));
    };
    if rule != Writes::StatusOfReferralsToItsAgency {
        // Who recorded it does not change: an edit carries the stored
        // identity (a colleague's edit keeps the original author's).
        let field = identity_field(incoming.kind);
        if body.get(field) != cur_body.get(field) {
            return rejected(RejectCode::IdentityMismatch, IDENTITY_CHANGED);
        }
    }
    if incoming.kind.is_mutable() {
        let effective = if rule == Writes::StatusOfReferralsToItsAgency {
            match status_change_only(cur_body, body, incoming, now) {
                Ok(m) => m,
                Err(refusal) => return Ok(Outcome::Rejected(refusal)),
            }
        } else if incoming.kind == RecordKind::Round {
            with_stored_watch(cur_body, body)
        } else if incoming.kind == RecordKind::Referral {
            match appended_history(cur_body, body, incoming, None) {
                Ok(history) => {
                    let mut b = body.clone();
                    b.insert(HISTORY_FIELD.to_owned(), history);
                    b
                }
                Err(refusal) => return Ok(Outcome::Rejected(refusal)),
            }
        } else {
            body.clone()
        };
        merge_into(cur, cur_body, body, &effective, incoming, now, base)
    } else {
        Ok(Outcome::Accepted(Box::new(replace(
            cur, cur_body, body, incoming,
        ))))
    }
}

fn state_from(
    incoming: &Incoming,
    version: String,
    organisation_id: &str,
    author_worker_id: &str,
    facts: Option<&BodyFacts>,
    body: Option<Map<String, Value>>,
    field_versions: FieldVersions,
) -> NewState {
    NewState {
        kind: incoming.kind,
        id: incoming.id,
        version,
        organisation_id: organisation_id.to_owned(),
        author_worker_id: author_worker_id.to_owned(),
        person_id: facts.and_then(|f| f.person_id),
        agency_id: facts.and_then(|f| f.agency_id.clone()),
        alert_until: facts.and_then(|f| f.alert_until),
        consent_until: facts.and_then(|f| f.consent_until),
        tombstone: body.is_none(),
        body,
        field_versions,
    }
}

fn insert(viewer: &Viewer<'_>, incoming: &Incoming) -> Accepted {
    let field_versions = match (&incoming.body, incoming.kind.is_mutable()) {
        (Some(b), true) => merge::initial_versions(b, &incoming.version),
        _ => FieldVersions::new(),
    };
    Accepted {
        status: AckStatus::Applied,
        reason: None,
        history: Vec::new(),
        state: Some(state_from(
            incoming,
            incoming.version.clone(),
            viewer.organisation_id,
            viewer.worker_id,
            incoming.facts.as_ref(),
            incoming.body.clone(),
            field_versions,
        )),
        purge_history: false,
    }
}

fn delete(cur: &Current, incoming: &Incoming, now: Timestamp) -> Accepted {
    let (version, status) = if incoming.version > cur.meta.version {
        (incoming.version.clone(), AckStatus::Applied)
    } else {
        (mint_version(&cur.meta.version, now), AckStatus::Merged)
    };
    let m = &cur.meta;
    Accepted {
        status,
        reason: None,
        history: Vec::new(),
        state: Some(NewState {
            kind: m.kind,
            id: m.id,
            version,
            organisation_id: m.organisation_id.clone(),
            author_worker_id: m.author_worker_id.clone(),
            person_id: m.person_id,
            agency_id: m.agency_id.clone(),
            alert_until: m.alert_until,
            consent_until: m.consent_until,
            tombstone: true,
            body: None,
            field_versions: FieldVersions::new(),
        }),
        purge_history: true,
    }
}

fn replace(
    cur: &Current,
    cur_body: &Map<String, Value>,
    body: &Map<String, Value>,
    incoming: &Incoming,
) -> Accepted {
    if incoming.version > cur.meta.version {
        Accepted {
            status: AckStatus::Applied,
            reason: None,
            history: vec![HistoryEntry {
                field: None,
                version: cur.meta.version.clone(),
                value: Value::Object(cur_body.clone()),
            }],
            state: Some(state_from(
                incoming,
                incoming.version.clone(),
                &cur.meta.organisation_id,
                &cur.meta.author_worker_id,
                incoming.facts.as_ref(),
                Some(body.clone()),
                FieldVersions::new(),
            )),
            purge_history: false,
        }
    } else {
        Accepted {
            status: AckStatus::Merged,
            reason: Some(NEWER_STORED.into()),
            history: vec![HistoryEntry {
                field: None,
                version: incoming.version.clone(),
                value: Value::Object(body.clone()),
            }],
            state: None,
            purge_history: false,
        }
    }
}

/// A referral's status history field.
const HISTORY_FIELD: &str = "history";

fn history_of(body: &Map<String, Value>) -> Vec<StatusChange> {
    body.get(HISTORY_FIELD)
        .and_then(|h| Vec::<StatusChange>::deserialize(h).ok())
        .unwrap_or_default()
}

fn status_of(body: &Map<String, Value>) -> Option<ReferralStatus> {
    body.get("status")
        .and_then(|s| ReferralStatus::deserialize(s).ok())
}

fn not_append_only(reason: &str) -> Refusal {
    Refusal::new(RejectCode::HistoryNotAppendOnly, reason)
}

/// A new referral's history: every step is the writer's.
fn new_referral_history(incoming: &Incoming) -> Option<Refusal> {
    if incoming.kind != RecordKind::Referral {
        return None;
    }
    let body = incoming.body.as_ref()?;
    history_of(body)
        .iter()
        .any(|s| s.by != incoming.writer.display_name)
        .then(|| not_append_only("every step of a new referral's history is its writer's"))
}

/// The referral's history after this change: the stored history, plus at
/// most one step, for this change's status move, by this writer, not before
/// the last. A copy that lacks stored steps (an older copy) loses none of
/// them; a copy with a step that is not stored and is not this move's is a
/// rewritten history, refused. With `stamp`, the new step's author and time
/// are the server's (the device's name and the server's clock), whatever
/// the phone said; a status move without a step gets one.
fn appended_history(
    cur_body: &Map<String, Value>,
    body: &Map<String, Value>,
    incoming: &Incoming,
    stamp: Option<Timestamp>,
) -> Result<Value, Refusal> {
    let stored = history_of(cur_body);
    let sent = history_of(body);
    let from = status_of(cur_body);
    let to = status_of(body);
    let new: Vec<&StatusChange> = sent.iter().filter(|s| !stored.contains(s)).collect();
    let moved = from != to;
    let mut out = stored.clone();
    match (new.as_slice(), moved, to) {
        ([], false, _) => {}
        ([], true, Some(to)) => {
            if let Some(at) = stamp {
                out.push(StatusChange {
                    status: to,
                    at,
                    by: incoming.writer.display_name.clone(),
                });
            }
        }
        ([step], true, Some(to)) if step.status == to => {
            let last = stored.iter().map(|s| s.at).max();
            match stamp {
                Some(at) => out.push(StatusChange {
                    status: to,
                    at: last.map_or(at, |l| l.max(at)),
                    by: incoming.writer.display_name.clone(),
                }),
                None => {
                    if step.by != incoming.writer.display_name {
                        return Err(not_append_only(
                            "the new status step must be the writing worker's",
                        ));
                    }
                    if last.is_some_and(|l| step.at < l) {
                        return Err(not_append_only(
                            "the new status step is dated before the last one",
                        ));
                    }
                    out.push((*step).clone());
                }
            }
        }
        _ => {
            return Err(not_append_only(
                "a referral's history may only grow by the one step of this status move",
            ))
        }
    }
    serde_json::to_value(out).map_err(|_| not_append_only("the history would not serialise"))
}

/// The stored referral with only the agency's status move taken from its
/// body, and its one history step stamped by the server: whatever else its
/// copy says is ignored.
fn status_change_only(
    cur_body: &Map<String, Value>,
    body: &Map<String, Value>,
    incoming: &Incoming,
    now: Timestamp,
) -> Result<Map<String, Value>, Refusal> {
    let forbidden = |reason: String| Refusal::new(RejectCode::Forbidden, reason);
    let to = incoming
        .facts
        .as_ref()
        .and_then(|f: &BodyFacts| f.referral_status)
        .ok_or_else(|| {
            Refusal::new(
                RejectCode::Malformed,
                "the body is not a valid referral record",
            )
        })?;
    let from = status_of(cur_body)
        .ok_or_else(|| Refusal::new(RejectCode::Invalid, "the stored referral has no status"))?;
    if from != to {
        if !AGENCY_STATUSES.contains(&to) {
            return Err(forbidden(
                "a receiving agency may only acknowledge, accept, decline or close a referral"
                    .into(),
            ));
        }
        if !from.can_move_to(to) {
            return Err(forbidden(format!(
                "a referral cannot move from {} to {}",
                from.as_str(),
                to.as_str()
            )));
        }
    }
    let history = appended_history(cur_body, body, incoming, Some(now))?;
    let mut out = cur_body.clone();
    if let Some(v) = body.get("status") {
        out.insert("status".to_owned(), v.clone());
    }
    out.insert(HISTORY_FIELD.to_owned(), history);
    Ok(out)
}

fn merge_into(
    cur: &Current,
    cur_body: &Map<String, Value>,
    sent: &Map<String, Value>,
    effective: &Map<String, Value>,
    incoming: &Incoming,
    now: Timestamp,
    base: merge::Base<'_>,
) -> Result<Outcome, StoreError> {
    let merged = merge::merge_from(
        cur_body,
        &cur.field_versions,
        effective,
        &incoming.version,
        base,
    );
    let history: Vec<HistoryEntry> = merged
        .losers
        .iter()
        .map(|l| HistoryEntry {
            field: Some(l.field.clone()),
            version: l.version.clone(),
            value: l.value.clone(),
        })
        .collect();
    let newer = incoming.version > cur.meta.version;
    let (version, status) = if newer && merged.body == *sent {
        (incoming.version.clone(), AckStatus::Applied)
    } else if merged.incoming_won {
        let after = if newer {
            &incoming.version
        } else {
            &cur.meta.version
        };
        (mint_version(after, now), AckStatus::Merged)
    } else {
        return Ok(Outcome::Accepted(Box::new(Accepted {
            status: AckStatus::Merged,
            reason: (!history.is_empty()).then(|| NEWER_STORED.to_owned()),
            history,
            state: None,
            purge_history: false,
        })));
    };
    let merged_value = Value::Object(merged.body);
    let Ok(facts) = body_facts(incoming.kind, &merged_value) else {
        return rejected(RejectCode::Invalid, "the merged record would not be valid");
    };
    let Value::Object(body) = merged_value else {
        return Err(StoreError::Corrupt("a merged body that is not an object"));
    };
    Ok(Outcome::Accepted(Box::new(Accepted {
        status,
        reason: None,
        history,
        state: Some(state_from(
            incoming,
            version,
            &cur.meta.organisation_id,
            &cur.meta.author_worker_id,
            Some(&facts),
            Some(body),
            merged.field_versions,
        )),
        purge_history: false,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_versions_sort_after_what_they_follow() {
        let now = chrono::DateTime::from_timestamp_millis(1_767_225_600_000).unwrap();
        let past = "1767225500000-00004-abcd";
        let m = mint_version(past, now);
        assert_eq!(m, "1767225600000-00000-server");
        assert!(m.as_str() > past);
        let future = "1767225700000-00004-abcd";
        let m = mint_version(future, now);
        assert_eq!(m, "1767225700000-00005-server");
        assert!(m.as_str() > future);
        let full = "1767225700000-99999-abcd";
        assert!(mint_version(full, now).as_str() > full);
        assert!(crate::validate::is_canonical_version(&m));
    }
}
