//! The plaintext index columns of each kind of record, computed in one place
//! for records made here and records pulled from the server alike.

use super::store::IndexColumns;
use crate::domain::{
    CheckIn, Concern, Consent, Contact, Person, RecordKind, Referral, Round, SupplyDrop,
};
use crate::error::{CoreError, CorruptKind, Result};
use uuid::Uuid;

pub(crate) fn person_index(p: &Person) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(p.created_at),
        ..Default::default()
    }
}

pub(crate) fn contact_index(c: &Contact) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(c.at),
        person: c.person_id,
        ..Default::default()
    }
}

pub(crate) fn supply_drop_index(d: &SupplyDrop) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(d.at),
        ..Default::default()
    }
}

pub(crate) fn concern_index(c: &Concern) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(c.at),
        person: c.reported_by,
        alert_until: c.alert_until,
        ..Default::default()
    }
}

pub(crate) fn consent_index(c: &Consent) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(c.given_at),
        person: Some(c.person_id),
        ..Default::default()
    }
}

pub(crate) fn referral_index(r: &Referral) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(r.created_at),
        person: Some(r.person_id),
        due_at: Some(r.due_at),
        open: Some(r.status.is_open()),
        ..Default::default()
    }
}

pub(crate) fn round_index(r: &Round) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(r.started_at),
        alert_until: r.alert_until(),
        open: Some(r.is_open()),
        ..Default::default()
    }
}

pub(crate) fn check_in_index(c: &CheckIn) -> IndexColumns {
    IndexColumns {
        occurred_at: Some(c.made_at),
        alert_until: c.alert_until,
        ..Default::default()
    }
}

/// A record body received from elsewhere, checked against its kind and id.
pub(crate) struct Incoming {
    pub index: IndexColumns,
}

fn parse<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<T> {
    T::deserialize(body).map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))
}

/// Checks that `body` is a well-formed record of `kind` with id `id`, and
/// computes its index columns.
pub(crate) fn incoming(kind: RecordKind, id: Uuid, body: &serde_json::Value) -> Result<Incoming> {
    let (body_id, index) = match kind {
        RecordKind::Person => {
            let r: Person = parse(body)?;
            (r.id, person_index(&r))
        }
        RecordKind::Contact => {
            let r: Contact = parse(body)?;
            (r.id, contact_index(&r))
        }
        RecordKind::SupplyDrop => {
            let r: SupplyDrop = parse(body)?;
            (r.id, supply_drop_index(&r))
        }
        RecordKind::Concern => {
            let r: Concern = parse(body)?;
            (r.id, concern_index(&r))
        }
        RecordKind::Consent => {
            let r: Consent = parse(body)?;
            (r.id, consent_index(&r))
        }
        RecordKind::Referral => {
            let r: Referral = parse(body)?;
            (r.id, referral_index(&r))
        }
        RecordKind::Round => {
            let r: Round = parse(body)?;
            (r.id, round_index(&r))
        }
        RecordKind::CheckIn => {
            let r: CheckIn = parse(body)?;
            (r.id, check_in_index(&r))
        }
    };
    if body_id != id {
        return Err(CoreError::Corrupt(CorruptKind::RecordBody));
    }
    Ok(Incoming { index })
}
