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

/// Reads `body` as a `T` through its bytes, not through the `Value`: the
/// vault already reads every record type from bytes (`serde_json::from_slice`
/// when it opens a body), and a second deserialiser per type over `&Value`
/// cost ~60 KB of the phones' library (scripts/lib-size.sh) to save one
/// serialisation per pulled record.
fn parse<T: serde::de::DeserializeOwned>(body: &serde_json::Value) -> Result<T> {
    let bytes =
        serde_json::to_vec(body).map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))?;
    serde_json::from_slice(&bytes).map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PersonDraft, Role, WorkerIdentity};
    use chrono::{TimeZone, Utc};

    fn person_body(id: Uuid) -> serde_json::Value {
        let by = WorkerIdentity {
            worker_id: "w-1".into(),
            display_name: "Sam".into(),
            role: Role::OutreachWorker,
            organisation: "org".into(),
        };
        let draft = PersonDraft {
            alias: "Jade".into(),
            description: Some("red coat".into()),
            birth_year: Some(1990),
            registered_with_outreach: false,
            prefers_female_worker: true,
            key_worker: None,
        };
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 22, 0, 0).unwrap();
        serde_json::to_value(Person::new(id, draft, now, by)).unwrap()
    }

    /// `parse` reads through bytes now (one deserialiser per type in the
    /// phones' library): a pulled body is still accepted, and still refused
    /// when it is not a record of its kind or carries another id.
    #[test]
    fn incoming_checks_kind_shape_and_id_through_bytes() {
        let id = Uuid::now_v7();
        let body = person_body(id);
        assert!(incoming(RecordKind::Person, id, &body).is_ok());

        let corrupt =
            |r: Result<Incoming>| matches!(r, Err(CoreError::Corrupt(CorruptKind::RecordBody)));
        assert!(corrupt(incoming(RecordKind::Person, Uuid::now_v7(), &body)));
        assert!(corrupt(incoming(RecordKind::Contact, id, &body)));
        let mut wrong_type = body.clone();
        wrong_type["alias"] = serde_json::json!(42);
        assert!(corrupt(incoming(RecordKind::Person, id, &wrong_type)));
        let mut missing = body;
        missing.as_object_mut().unwrap().remove("recorded_by");
        assert!(corrupt(incoming(RecordKind::Person, id, &missing)));
    }
}
