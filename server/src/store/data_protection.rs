//! What the data-protection duties (erasure, the server's retention
//! schedule, legal holds) need from storage, behind its own trait so that a
//! backend implements it in one place. Deciding what goes is
//! `crate::erasure` and `crate::retention`; the store only carries it out.

use super::dashboard::NewAuditEntry;
use super::{PullPage, StoreError};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use serde_json::{Map, Value};
use uuid::Uuid;

/// A live (not deleted) record with its body opened, for the jobs that
/// decide what is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldRecord {
    pub id: Uuid,
    pub kind: RecordKind,
    /// The woman the record is about (the plaintext link), if any.
    pub person_id: Option<Uuid>,
    pub organisation_id: String,
    pub body: Map<String, Value>,
}

/// What happens to one record.
#[derive(Debug, Clone, PartialEq)]
pub enum Disposal {
    /// Becomes a tombstone: body and history gone, the id kept so that
    /// phones delete it on their next pull.
    Delete { id: Uuid },
    /// Kept with this body instead (a concern whose link to her is cut):
    /// a new version, its history (which holds the old body) gone.
    Rewrite { id: Uuid, body: Map<String, Value> },
}

/// One earlier value of a record, opened (a whole version, or one field's
/// losing value in a merge).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryValue {
    pub version: String,
    /// `None`: the whole record as it was.
    pub field: Option<String>,
    pub value: Value,
    pub recorded_at: Timestamp,
}

/// One record of hers that went to one device (from the deliveries the
/// pull keeps), with who holds that device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub record_id: Uuid,
    pub kind: RecordKind,
    pub device_id: Uuid,
    pub worker_id: String,
    pub role: String,
    pub organisation_id: String,
    /// The receiving agency of an agency or police worker.
    pub agency_id: Option<String>,
    /// Why it went: own, organisation, consent, alert...
    pub route: String,
    /// The categories sent when projected (`None`: the whole record).
    pub categories: Option<String>,
    pub first_at: Timestamp,
    pub delivered_at: Timestamp,
    pub retracted_at: Option<Timestamp>,
}

/// Storage for erasure, retention and legal holds. Each method is one
/// transaction.
pub trait DataProtectionStore: Send + Sync {
    /// Every live record, opened (the retention job), or those of one
    /// woman: her own record and the ones whose plaintext link names her.
    fn held_records(&self, person: Option<Uuid>) -> Result<Vec<HeldRecord>, StoreError>;
    /// Carries out `items` and appends `audit` (ids and counts only) in one
    /// transaction; each changed record gets a new sequence number so that
    /// phones pull the change. Returns how many records changed.
    fn dispose(
        &self,
        items: &[Disposal],
        audit: &NewAuditEntry,
        now: Timestamp,
    ) -> Result<u32, StoreError>;
    /// Places or lifts a legal hold on a woman's records (the retention job
    /// leaves them alone), audited in the same transaction.
    fn set_legal_hold(
        &self,
        person: Uuid,
        held: bool,
        audit: &NewAuditEntry,
        now: Timestamp,
    ) -> Result<(), StoreError>;
    /// The women under a legal hold.
    fn legal_holds(&self) -> Result<Vec<Uuid>, StoreError>;
    /// Appends one audit entry for a pull that carried changes or
    /// retractions: the device, and each record's kind, id and what of it
    /// went (the projection's categories from the deliveries, or `all`).
    /// An empty pull writes nothing.
    fn audit_pull(&self, device: Uuid, page: &PullPage, now: Timestamp) -> Result<(), StoreError>;
    /// A record's earlier values, oldest first (subject access).
    fn history_of(&self, kind: RecordKind, id: Uuid) -> Result<Vec<HistoryValue>, StoreError>;
    /// What of hers went to which device, oldest first ("shared with",
    /// subject access).
    fn deliveries_of(&self, person: Uuid) -> Result<Vec<Delivery>, StoreError>;
}

// ---- what both backends share ------------------------------------------
//
// The backends differ only in how they read and write rows; what a held
// record is, what a disposal writes and what the pull's audit entry says
// are decided here once.

impl Disposal {
    /// The record this disposal is about.
    pub fn id(&self) -> Uuid {
        match self {
            Disposal::Delete { id } | Disposal::Rewrite { id, .. } => *id,
        }
    }
}

/// A live record opened for the jobs that decide what is kept; `None` for a
/// deletion (no body).
pub(crate) fn held_record(
    key: &nightround_core::crypto::DataKey,
    meta: super::RecordMeta,
    sealed: Option<Vec<u8>>,
) -> Result<Option<HeldRecord>, StoreError> {
    let Some(opened) = super::sealed::open_record(key, &meta, sealed)? else {
        return Ok(None);
    };
    Ok(Some(HeldRecord {
        id: meta.id,
        kind: meta.kind,
        person_id: meta.person_id,
        organisation_id: meta.organisation_id,
        body: opened.body,
    }))
}

/// What a disposal writes over the current row: a new server version and,
/// for a rewrite, the new body sealed under it (`None`: a tombstone).
pub(crate) struct DisposalWrite {
    pub version: String,
    pub sealed: Option<Vec<u8>>,
}

/// What `item` writes over `current`, or `None` when there is nothing to
/// dispose of (no such record, or already deleted).
pub(crate) fn disposal_write(
    key: &nightround_core::crypto::DataKey,
    item: &Disposal,
    current: Option<&crate::apply::Current>,
    now: Timestamp,
) -> Result<Option<DisposalWrite>, StoreError> {
    let Some(current) = current.filter(|c| !c.meta.tombstone) else {
        return Ok(None);
    };
    let version = crate::apply::mint_version(&current.meta.version, now);
    let sealed = match item {
        Disposal::Delete { .. } => None,
        Disposal::Rewrite { id, body } => Some(super::sealed::seal_record(
            key,
            current.meta.kind,
            &id.to_string(),
            &version,
            body,
            &current.field_versions,
        )?),
    };
    Ok(Some(DisposalWrite { version, sealed }))
}

/// The one audit entry for a pull that carried changes or retractions
/// (`None` for an empty pull): the device, and each record's kind, id and
/// what of it went. `categories` answers what a record's delivery to this
/// device was projected to (`None`: the whole record).
pub(crate) fn pull_audit_entry(
    device: Uuid,
    page: &PullPage,
    now: Timestamp,
    mut categories: impl FnMut(Uuid) -> Result<Option<String>, StoreError>,
) -> Result<Option<NewAuditEntry>, StoreError> {
    if page.changes.is_empty() && page.retract.is_empty() {
        return Ok(None);
    }
    let mut received = Vec::with_capacity(page.changes.len());
    for c in &page.changes {
        let c = &c.change;
        let what = if c.tombstone {
            "deleted".to_owned()
        } else {
            categories(c.id)?.unwrap_or_else(|| "all".into())
        };
        received.push(format!("{} {} [{what}]", c.kind.as_str(), c.id));
    }
    let retracted: Vec<String> = page
        .retract
        .iter()
        .map(|r| {
            format!(
                "{} {} [{}]",
                r.kind.as_str(),
                r.id,
                r.fields.as_ref().map_or("all".into(), |f| f.join(","))
            )
        })
        .collect();
    Ok(Some(NewAuditEntry {
        at: now,
        actor: format!("device:{device}"),
        action: "pull_received".into(),
        subject: Some(device.to_string()),
        detail: Some(format!(
            "received {}: {}; retracted {}: {}",
            received.len(),
            received.join("; "),
            retracted.len(),
            retracted.join("; ")
        )),
    }))
}

/// Who holds a device, for a delivery expanded from the pages: worker id,
/// role, organisation and agency ([`HOLDER_SELECT`]).
pub(crate) type Holder = (String, String, String, Option<String>);

/// The holder of device `?1`/`$1`, as [`Holder`].
pub(crate) const HOLDER_SELECT: &str = "SELECT w.id, w.role, w.organisation_id, w.agency_id
     FROM devices v JOIN workers w ON w.id = v.worker_id WHERE v.id = ";

/// The deliveries of hers kept one row each (`rows`) and those expanded
/// from the pages (ADR 0019), as one list, oldest first. `holder` answers
/// who holds a device (`None`: a device since removed; left out, as the
/// join leaves out its rows).
pub(crate) fn with_expanded(
    mut rows: Vec<Delivery>,
    expanded: Vec<super::pull::pages::Expanded>,
    mut holder: impl FnMut(&str) -> Result<Option<Holder>, StoreError>,
) -> Result<Vec<Delivery>, StoreError> {
    let mut holders: std::collections::HashMap<String, Option<Holder>> = Default::default();
    for e in expanded {
        if !holders.contains_key(&e.device) {
            let h = holder(&e.device)?;
            holders.insert(e.device.clone(), h);
        }
        let Some(Some((worker_id, role, organisation_id, agency_id))) = holders.get(&e.device)
        else {
            continue;
        };
        rows.push(Delivery {
            record_id: e.record_id,
            kind: e.kind,
            device_id: Uuid::parse_str(&e.device).map_err(|_| StoreError::Corrupt("an id"))?,
            worker_id: worker_id.clone(),
            role: role.clone(),
            organisation_id: organisation_id.clone(),
            agency_id: agency_id.clone(),
            route: e.route.to_owned(),
            categories: None,
            first_at: e.first_at,
            delivered_at: e.last_at,
            retracted_at: None,
        });
    }
    rows.sort_by(|a, b| {
        (a.first_at, a.record_id, a.device_id).cmp(&(b.first_at, b.record_id, b.device_id))
    });
    Ok(rows)
}

/// The columns [`Delivery`] is read from, in this order, joined as
/// `deliveries d`, `devices v` and `workers w`.
pub(crate) const DELIVERY_SELECT: &str =
    "SELECT d.record_id, d.kind, d.device_id, w.id, w.role, w.organisation_id,
            w.agency_id, d.route, d.categories, d.first_at, d.delivered_at,
            d.retracted_at
     FROM deliveries d
     JOIN devices v ON v.id = d.device_id
     JOIN workers w ON w.id = v.worker_id";

/// One row of [`DELIVERY_SELECT`], as both backends read it.
pub(crate) struct DeliveryRow {
    pub record_id: String,
    pub kind: String,
    pub device_id: String,
    pub worker_id: String,
    pub role: String,
    pub organisation_id: String,
    pub agency_id: Option<String>,
    pub route: String,
    pub categories: Option<String>,
    pub first_at: i64,
    pub delivered_at: i64,
    pub retracted_at: Option<i64>,
}

impl DeliveryRow {
    /// Typed, with damage reported rather than a panic.
    pub(crate) fn into_delivery(self) -> Result<Delivery, StoreError> {
        let id = |s: &str| Uuid::parse_str(s).map_err(|_| StoreError::Corrupt("an id"));
        let at = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms).ok_or(StoreError::Corrupt("a timestamp"))
        };
        Ok(Delivery {
            record_id: id(&self.record_id)?,
            kind: RecordKind::parse(&self.kind).ok_or(StoreError::Corrupt("a record kind"))?,
            device_id: id(&self.device_id)?,
            worker_id: self.worker_id,
            role: self.role,
            organisation_id: self.organisation_id,
            agency_id: self.agency_id,
            route: self.route,
            categories: self.categories,
            first_at: at(self.first_at)?,
            delivered_at: at(self.delivered_at)?,
            retracted_at: self.retracted_at.map(at).transpose()?,
        })
    }
}
