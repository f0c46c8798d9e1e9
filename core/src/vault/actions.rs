//! One method per thing a worker does. Each validates in the core, seals,
//! writes, and queues for sync in a single transaction: either all of it is
//! on disk or none of it is.

use super::indexing::{
    concern_index, consent_index, contact_index, person_index, referral_index, supply_drop_index,
};
use super::store::{self, IndexColumns, SyncState};
use super::{outbox, put_meta, Session, Vault};
use crate::domain::consent::default_review_period;
use crate::domain::supplies::SupplyDropDraft;
use crate::domain::{
    Concern, ConcernDraft, Consent, ConsentDraft, Contact, ContactDraft, Person, PersonDraft,
    RecordKind, Referral, ReferralDraft, ReferralForm, ReferralStatus, Safeguarding, StatusChange,
    SupplyDrop, ValidationError,
};
use crate::error::{CoreError, Result};
use crate::Timestamp;
use chrono::Datelike;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Small preferences the quick-contact screen remembers between contacts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Preferences {
    pub last_area_id: Option<String>,
}

pub(super) fn begin(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Writes a new record's first version and queues it, inside `tx`.
pub(super) fn save<T: Serialize>(
    tx: &Transaction<'_>,
    s: &Session,
    kind: RecordKind,
    id: Uuid,
    record: &T,
    index: IndexColumns,
    now: Timestamp,
) -> Result<String> {
    save_version(tx, s, kind, id, record, index, now, false)
}

/// Writes a new version of an existing record (the old one to history).
pub(super) fn save_change<T: Serialize>(
    tx: &Transaction<'_>,
    s: &Session,
    kind: RecordKind,
    id: Uuid,
    record: &T,
    index: IndexColumns,
    now: Timestamp,
) -> Result<String> {
    save_version(tx, s, kind, id, record, index, now, true)
}

#[allow(clippy::too_many_arguments)]
fn save_version<T: Serialize>(
    tx: &Transaction<'_>,
    s: &Session,
    kind: RecordKind,
    id: Uuid,
    record: &T,
    index: IndexColumns,
    now: Timestamp,
    replaces: bool,
) -> Result<String> {
    let version = s.tick(now);
    let plain = store::to_plain(record)?;
    store::write_plain(
        tx,
        s,
        kind,
        id,
        &version,
        &plain,
        &index,
        SyncState::Pending,
        now,
        replaces,
    )?;
    outbox::enqueue(
        tx,
        kind,
        id,
        &version,
        false,
        now,
        s.sealing.as_ref(),
        &s.rng,
        Some(&plain),
    )?;
    Ok(version)
}

/// Her profile, for changes to it.
fn load_person(conn: &Connection, s: &Session, id: Uuid) -> Result<Person> {
    store::read::<Person>(conn, &s.keys, RecordKind::Person, id)?
        .ok_or(CoreError::Validation(ValidationError::UnknownPerson))
}

/// Checks she is known here, without opening her profile.
fn require_person(conn: &Connection, id: Uuid) -> Result<()> {
    if store::exists(conn, RecordKind::Person, id)? {
        Ok(())
    } else {
        Err(CoreError::Validation(ValidationError::UnknownPerson))
    }
}

impl Vault {
    /// Adds a person by the name she gives.
    pub fn add_person(&self, draft: PersonDraft) -> Result<Person> {
        self.with_session(|conn, s, now| {
            let d = draft.validated(now.year())?;
            let person = Person::new(s.rng.record_id(), d, now, s.identity.clone());
            let tx = begin(conn)?;
            save(
                &tx,
                s,
                RecordKind::Person,
                person.id,
                &person,
                person_index(&person),
                now,
            )?;
            super::drafts::drop_draft(&tx, super::drafts::FormKind::Person)?;
            tx.commit()?;
            Ok(person)
        })
    }

    /// Changes a person's profile; the earlier profile is kept in history.
    pub fn update_person(&self, id: Uuid, draft: PersonDraft) -> Result<Person> {
        self.with_session(|conn, s, now| {
            let d = draft.validated(now.year())?;
            let current = load_person(conn, s, id)?;
            let person = current.with_changes(d, now);
            let tx = begin(conn)?;
            save_change(
                &tx,
                s,
                RecordKind::Person,
                id,
                &person,
                person_index(&person),
                now,
            )?;
            super::drafts::drop_draft(&tx, super::drafts::FormKind::Person)?;
            tx.commit()?;
            Ok(person)
        })
    }

    /// Logs a contact, with the supplies handed out in it.
    pub fn record_contact(&self, draft: ContactDraft) -> Result<Contact> {
        self.with_session(|conn, s, now| {
            let note = draft.validate(&s.directory, s.identity.role, now)?;
            let at = draft.at.unwrap_or(now);
            let safeguarding = draft
                .wellbeing
                .contains(&crate::domain::WellbeingFlag::AppearsUnder18)
                .then(|| Safeguarding {
                    acknowledged_by: s.identity.display_name.clone(),
                    acknowledged_at: now,
                });
            let contact = Contact {
                id: s.rng.record_id(),
                person_id: draft.person_id,
                at,
                // The draft is hers to give: moved, not copied.
                area_id: draft.area_id,
                kind: draft.kind,
                wellbeing: draft.wellbeing,
                note,
                supplies: draft.supplies,
                safeguarding,
                recorded_by: s.identity.clone(),
            };
            // Checked inside the write transaction: no second lock round
            // trip for a read of its own, and she cannot vanish in between.
            let tx = begin(conn)?;
            if let Some(p) = contact.person_id {
                require_person(&tx, p)?;
            }
            let index = contact_index(&contact);
            save(
                &tx,
                s,
                RecordKind::Contact,
                contact.id,
                &contact,
                index,
                now,
            )?;
            let mut prefs = s.prefs.lock().unwrap_or_else(|p| p.into_inner());
            let area_changed = prefs.last_area_id.as_deref() != Some(contact.area_id.as_str());
            let mut next = prefs.clone();
            if area_changed {
                next.last_area_id = Some(contact.area_id.clone());
                put_meta(&tx, &s.keys, "preferences", &next)?;
            }
            let draft_kind = super::drafts::FormKind::Contact;
            if !s.drafts_absent.is_absent(draft_kind) {
                super::drafts::drop_draft(&tx, draft_kind)?;
            }
            tx.commit()?;
            s.drafts_absent.set_absent(draft_kind);
            *prefs = next;
            Ok(contact)
        })
    }

    /// Logs supplies given on their own (restocking a drop point).
    pub fn record_supplies(&self, draft: SupplyDropDraft) -> Result<SupplyDrop> {
        self.with_session(|conn, s, now| {
            draft.validate(&s.directory)?;
            let drop = SupplyDrop {
                id: s.rng.record_id(),
                at: draft.at.unwrap_or(now),
                area_id: draft.area_id.clone(),
                purpose: draft.purpose,
                lines: draft.lines.clone(),
                recorded_by: s.identity.clone(),
            };
            let tx = begin(conn)?;
            save(
                &tx,
                s,
                RecordKind::SupplyDrop,
                drop.id,
                &drop,
                supply_drop_index(&drop),
                now,
            )?;
            super::drafts::drop_draft(&tx, super::drafts::FormKind::Supplies)?;
            tx.commit()?;
            Ok(drop)
        })
    }

    /// Records a safety concern; with an end time it is a team alert.
    pub fn raise_concern(&self, draft: ConcernDraft) -> Result<Concern> {
        self.with_session(|conn, s, now| {
            let d = draft.validated(&s.directory, now)?;
            let concern = Concern {
                id: s.rng.record_id(),
                category: d.category,
                description: d.description,
                vehicle: d.vehicle,
                area_id: d.area_id,
                at: d.at.unwrap_or(now),
                severity: d.severity,
                alert_until: d.alert_until,
                police_consent: d.police_consent,
                reported_by: d.reported_by,
                recorded_by: s.identity.clone(),
            };
            let tx = begin(conn)?;
            if let Some(p) = concern.reported_by {
                require_person(&tx, p)?;
            }
            let index = concern_index(&concern);
            save(
                &tx,
                s,
                RecordKind::Concern,
                concern.id,
                &concern,
                index,
                now,
            )?;
            super::drafts::drop_draft(&tx, super::drafts::FormKind::Concern)?;
            tx.commit()?;
            Ok(concern)
        })
    }

    /// Records her consent, one record per agency she ticked.
    pub fn record_consent(&self, draft: ConsentDraft) -> Result<Vec<Consent>> {
        self.with_session(|conn, s, now| {
            let tx = begin(conn)?;
            let consents = consent_in_tx(&tx, s, &draft, now)?;
            super::drafts::drop_draft(&tx, super::drafts::FormKind::Consent)?;
            tx.commit()?;
            Ok(consents)
        })
    }

    /// Records that she has withdrawn a consent; referrals under it can no
    /// longer be made.
    pub fn withdraw_consent(&self, consent_id: Uuid) -> Result<Consent> {
        self.with_session(|conn, s, now| {
            let mut consent: Consent = store::read(conn, &s.keys, RecordKind::Consent, consent_id)?
                .ok_or(CoreError::NotFound("consent"))?;
            if consent.withdrawn_at.is_some() {
                return Err(ValidationError::ConsentAlreadyWithdrawn.into());
            }
            consent.withdrawn_at = Some(now);
            let tx = begin(conn)?;
            save_change(
                &tx,
                s,
                RecordKind::Consent,
                consent.id,
                &consent,
                consent_index(&consent),
                now,
            )?;
            tx.commit()?;
            Ok(consent)
        })
    }

    /// Makes a referral under a consent she has already given for the agency.
    pub fn make_referral(&self, draft: ReferralDraft) -> Result<Referral> {
        self.with_session(|conn, s, now| {
            let tx = begin(conn)?;
            let referral = referral_in_tx(&tx, s, &draft, now)?;
            super::drafts::drop_draft(&tx, super::drafts::FormKind::Referral)?;
            tx.commit()?;
            Ok(referral)
        })
    }

    /// The universal referral form: records her consent for each ticked
    /// agency and a referral to each, all or nothing.
    pub fn submit_referral_form(&self, form: ReferralForm) -> Result<Vec<Referral>> {
        self.with_session(|conn, s, now| {
            let tx = begin(conn)?;
            let consent = ConsentDraft {
                person_id: form.person_id,
                agency_ids: form.agency_ids.clone(),
                method: form.consent_method,
                covers: form.consent_covers.clone(),
                review_at: form.consent_review_at,
            };
            consent_in_tx(&tx, s, &consent, now)?;
            let mut referrals = Vec::with_capacity(form.agency_ids.len());
            for agency_id in &form.agency_ids {
                let draft = ReferralDraft {
                    person_id: form.person_id,
                    agency_id: agency_id.clone(),
                    urgency: form.urgency,
                    needs: form.needs.clone(),
                };
                referrals.push(referral_in_tx(&tx, s, &draft, now)?);
            }
            super::drafts::drop_draft(&tx, super::drafts::FormKind::Referral)?;
            tx.commit()?;
            Ok(referrals)
        })
    }

    /// Moves a referral on (sent, acknowledged, accepted, declined, closed).
    pub fn set_referral_status(&self, id: Uuid, status: ReferralStatus) -> Result<Referral> {
        self.with_session(|conn, s, now| {
            let current: Referral = store::read(conn, &s.keys, RecordKind::Referral, id)?
                .ok_or(CoreError::NotFound("referral"))?;
            let next = current.moved_to(status, now, &s.identity.display_name)?;
            let tx = begin(conn)?;
            save_change(
                &tx,
                s,
                RecordKind::Referral,
                id,
                &next,
                referral_index(&next),
                now,
            )?;
            tx.commit()?;
            Ok(next)
        })
    }

    /// Deletes a record made in error, or a person who asks to be forgotten:
    /// the body is destroyed and a tombstone syncs the deletion.
    pub fn delete_record(&self, kind: RecordKind, id: Uuid) -> Result<()> {
        self.with_session(|conn, s, now| {
            let exists: bool = conn.query_row(
                "SELECT EXISTS(SELECT 1 FROM records WHERE kind = ?1 AND id = ?2 AND deleted = 0)",
                (kind.as_str(), id.to_string()),
                |r| r.get(0),
            )?;
            if !exists {
                return Err(CoreError::NotFound(kind.as_str()));
            }
            let tx = begin(conn)?;
            let version = s.tick(now);
            store::write_tombstone(&tx, kind, id, &version, s.keys.records.id(), now)?;
            outbox::enqueue(
                &tx,
                kind,
                id,
                &version,
                true,
                now,
                s.sealing.as_ref(),
                &s.rng,
                None,
            )?;
            tx.commit()?;
            Ok(())
        })
    }
}

fn consent_in_tx(
    tx: &Transaction<'_>,
    s: &Session,
    draft: &ConsentDraft,
    now: Timestamp,
) -> Result<Vec<Consent>> {
    draft.validate(&s.directory, now)?;
    require_person(tx, draft.person_id)?;
    let mut out = Vec::with_capacity(draft.agency_ids.len());
    for agency_id in &draft.agency_ids {
        let consent = Consent {
            id: s.rng.record_id(),
            person_id: draft.person_id,
            agency_id: agency_id.clone(),
            method: draft.method,
            taken_by: s.identity.clone(),
            given_at: now,
            covers: draft.covers.clone(),
            review_at: draft.review_at.unwrap_or(now + default_review_period()),
            withdrawn_at: None,
        };
        save(
            tx,
            s,
            RecordKind::Consent,
            consent.id,
            &consent,
            consent_index(&consent),
            now,
        )?;
        out.push(consent);
    }
    Ok(out)
}

fn referral_in_tx(
    tx: &Transaction<'_>,
    s: &Session,
    draft: &ReferralDraft,
    now: Timestamp,
) -> Result<Referral> {
    let (needs, due_at) = draft.validated(&s.directory, now)?;
    require_person(tx, draft.person_id)?;
    let consents: Vec<Consent> = super::queries::consents_of(tx, s, draft.person_id)?
        .into_iter()
        .filter(|c| c.agency_id == draft.agency_id)
        .collect();
    // The most recent consent for the agency decides.
    let consent = consents
        .iter()
        .max_by_key(|c| c.given_at)
        .ok_or(ValidationError::NoConsentForAgency)?;
    consent.permits_referral(now)?;
    let referral = Referral {
        id: s.rng.record_id(),
        person_id: draft.person_id,
        agency_id: draft.agency_id.clone(),
        needs,
        urgency: draft.urgency,
        consent_id: consent.id,
        created_at: now,
        due_at,
        status: ReferralStatus::Queued,
        history: vec![StatusChange {
            status: ReferralStatus::Queued,
            at: now,
            by: s.identity.display_name.clone(),
        }],
        recorded_by: s.identity.clone(),
    };
    save(
        tx,
        s,
        RecordKind::Referral,
        referral.id,
        &referral,
        referral_index(&referral),
        now,
    )?;
    Ok(referral)
}
