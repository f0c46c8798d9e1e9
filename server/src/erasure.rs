//! Erasure (UK GDPR Article 17): a supervisor erases a woman. Her record,
//! her contacts, consents and referrals become tombstones — bodies and
//! history gone from the server's store, and from every phone on its next
//! pull (a pulled tombstone takes the phone's history with it,
//! `core/src/vault/sync_store.rs`); a concern she reported is kept (a
//! safeguarding record) with its link to her cut. A contact that is a
//! safeguarding record (the under-18 flag) is kept, and the answer says
//! why. The audit keeps only the fact and the ids. A legal hold on her
//! refuses the erasure (Article 17(3)(e)).

use crate::store::dashboard::NewAuditEntry;
use crate::store::data_protection::{DataProtectionStore, Disposal, HeldRecord};
use crate::store::StoreError;
use nightround_core::domain::agreement::{is_safeguarding_record, RetentionSchedule};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use serde::Serialize;
use uuid::Uuid;

/// One record kept, and why (shown to the supervisor and in the answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    pub kind: RecordKind,
    pub id: Uuid,
    pub reason: String,
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErasureAnswer {
    pub person: Uuid,
    /// Records now tombstones.
    pub deleted: Vec<(RecordKind, Uuid)>,
    /// Concerns kept with their link to her removed.
    pub unlinked: Vec<Uuid>,
    /// Records kept whole, with the reason.
    pub kept: Vec<Kept>,
}

/// Why an erasure was refused.
#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    #[error("she is under a legal hold: lift it before erasing her records")]
    LegalHold,
    #[error("nothing is held about this person")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether a record names her as the woman who reported a concern.
fn reported_by(r: &HeldRecord, person: Uuid) -> bool {
    r.kind == RecordKind::Concern
        && r.body.get("reported_by").and_then(|v| v.as_str()) == Some(person.to_string().as_str())
}

/// What to do with each record held about her, decided from the records
/// alone (a test walks it without a store).
pub fn plan(
    person: Uuid,
    records: &[HeldRecord],
    schedule: &RetentionSchedule,
) -> (Vec<Disposal>, ErasureAnswer) {
    let mut items = Vec::new();
    let mut answer = ErasureAnswer {
        person,
        deleted: vec![],
        unlinked: vec![],
        kept: vec![],
    };
    for r in records {
        let hers = r.id == person || r.person_id == Some(person);
        if reported_by(r, person) {
            let mut body = r.body.clone();
            body.insert("reported_by".into(), serde_json::Value::Null);
            items.push(Disposal::Rewrite { id: r.id, body });
            answer.unlinked.push(r.id);
        } else if hers && r.kind != RecordKind::Person && is_safeguarding_record(r.kind, &r.body) {
            answer.kept.push(Kept {
                kind: r.kind,
                id: r.id,
                reason: format!(
                    "a safeguarding record: the partnership's agreement keeps it {}",
                    schedule.safeguarding.describe()
                ),
            });
        } else if hers {
            items.push(Disposal::Delete { id: r.id });
            answer.deleted.push((r.kind, r.id));
        }
    }
    (items, answer)
}

/// Erases her, audited as the fact and the ids under `actor`.
pub fn erase_person(
    store: &dyn DataProtectionStore,
    schedule: &RetentionSchedule,
    person: Uuid,
    actor: &str,
    now: Timestamp,
) -> Result<ErasureAnswer, ErasureError> {
    if store.legal_holds()?.contains(&person) {
        return Err(ErasureError::LegalHold);
    }
    let records = store.held_records(None)?;
    if !records.iter().any(|r| r.id == person) {
        return Err(ErasureError::NotFound);
    }
    let (items, answer) = plan(person, &records, schedule);
    let ids = |v: &mut dyn Iterator<Item = Uuid>| v.map(|i| i.to_string()).collect::<Vec<_>>();
    let detail = format!(
        "deleted [{}]; link removed [{}]; kept [{}]",
        ids(&mut answer.deleted.iter().map(|(_, i)| *i)).join(","),
        ids(&mut answer.unlinked.iter().copied()).join(","),
        ids(&mut answer.kept.iter().map(|k| k.id)).join(","),
    );
    store.dispose(
        &items,
        &NewAuditEntry {
            at: now,
            actor: actor.into(),
            action: "erase_person".into(),
            subject: Some(person.to_string()),
            detail: Some(detail),
        },
        now,
    )?;
    tracing::info!(person = %person, deleted = answer.deleted.len(), "person erased");
    Ok(answer)
}
