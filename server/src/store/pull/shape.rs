//! What one record looks like to one viewer: its route, and its body
//! projected to her consent within the agreement, a concern kept from the
//! police unless she agreed, the woman who reported it not named to a
//! viewer who may not see her (issues 9 and 14).

use super::sql::PullSql;
use crate::policy::{self, Route, Viewer};
use crate::projection;
use crate::store::sealed::open_record;
use crate::store::{RecordMeta, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::{InfoCategory, RecordKind};
use nightround_core::Timestamp;
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// What one record looks like to this viewer: its route, and its body as
/// it may go out (`None` for a tombstone), with the fields left out.
pub(super) struct Shaped {
    pub(super) route: Route,
    pub(super) body: Option<Map<String, Value>>,
    pub(super) categories: Option<Vec<InfoCategory>>,
    pub(super) withheld: Vec<String>,
}

/// The pull's working state: the statements, the store's key, and a cache
/// of the categories each woman's consents allow this viewer.
pub(super) struct Puller<'c, S> {
    pub(super) sql: &'c S,
    key: &'c DataKey,
    pub(super) now: Timestamp,
    allowed: HashMap<(Uuid, Option<String>), Vec<InfoCategory>>,
    /// The stored sharing agreement, read once per pull.
    agreement: Option<SharingAgreement>,
}

impl<'c, S: PullSql> Puller<'c, S> {
    pub(super) fn new(
        sql: &'c S,
        key: &'c DataKey,
        agreement: Option<SharingAgreement>,
        now: Timestamp,
    ) -> Self {
        Puller {
            sql,
            key,
            now,
            allowed: HashMap::new(),
            agreement,
        }
    }

    /// The categories her consents in force to `agency` (any police agency
    /// when `None`) cover, within the stored agreement.
    pub(super) fn allowed(
        &mut self,
        person: Uuid,
        agency: &Option<String>,
    ) -> Result<Vec<InfoCategory>, StoreError> {
        if let Some(hit) = self.allowed.get(&(person, agency.clone())) {
            return Ok(hit.clone());
        }
        let cats = consented_categories(
            self.sql,
            self.key,
            self.agreement.as_ref(),
            person,
            agency.as_deref(),
            self.now,
        )?;
        self.allowed.insert((person, agency.clone()), cats.clone());
        Ok(cats)
    }

    /// The record as `viewer` may receive it now, or `None`.
    pub(super) fn shape(
        &mut self,
        viewer: &Viewer<'_>,
        meta: &RecordMeta,
        sealed: Option<Vec<u8>>,
    ) -> Result<Option<Shaped>, StoreError> {
        let Some(route) = policy::route(viewer, meta, self.sql, self.now)? else {
            return Ok(None);
        };
        let mut body = open_record(self.key, meta, sealed)?.map(|r| r.body);
        let mut withheld = Vec::new();
        let mut categories = None;
        if let (RecordKind::Concern, Some(b)) = (meta.kind, body.as_mut()) {
            let told_police = b.get("police_consent").and_then(Value::as_bool) == Some(true);
            if !policy::concern_reaches(viewer, &route, told_police) {
                return Ok(None);
            }
            let reporter = b
                .get("reported_by")
                .and_then(Value::as_str)
                .map(str::to_owned);
            if let Some(her) = reporter {
                let sees_her = match self.sql.stored(&her)? {
                    Some((m, _)) => policy::may_see(viewer, &m, self.sql, self.now)?,
                    None => false,
                };
                if policy::hides_reporter(&route, sees_her) {
                    b.insert("reported_by".into(), Value::Null);
                    withheld.push("reported_by".to_owned());
                }
            }
        }
        if let Route::Consent { person, agency } = &route {
            let allowed = self.allowed(*person, agency)?;
            // A referral addressed to the viewer's agency is the sharing
            // she agreed to, and the agency answers on it: it goes whole.
            if let (Some(b), false) = (body.as_mut(), meta.kind == RecordKind::Referral) {
                withheld.extend(projection::project(meta.kind, b, &allowed));
            }
            categories = Some(allowed);
        }
        withheld.sort();
        Ok(Some(Shaped {
            route,
            body,
            categories,
            withheld,
        }))
    }
}

/// The categories her consents in force to `agency` (any police agency when
/// `None`) cover, within the stored agreement (`projection`): read from the
/// sealed consent bodies.
fn consented_categories<S: PullSql>(
    sql: &S,
    key: &DataKey,
    agreement: Option<&SharingAgreement>,
    person: Uuid,
    agency: Option<&str>,
    now: Timestamp,
) -> Result<Vec<InfoCategory>, StoreError> {
    let mut bodies = Vec::new();
    for (meta, sealed) in sql.consents_in_force(person, now)? {
        let to_it = match (agency, meta.agency_id.as_deref()) {
            (Some(a), Some(b)) => a == b,
            (None, Some(b)) => sql.is_police_agency(b),
            (_, None) => false,
        };
        if to_it {
            if let Some(opened) = open_record(key, &meta, sealed)? {
                bodies.push(opened.body);
            }
        }
    }
    let receiver = match agency {
        Some(a) => projection::Receiver::Agency(a),
        None => projection::Receiver::Police,
    };
    Ok(projection::cap_by_agreement(
        agreement,
        receiver,
        projection::allowed_categories(bodies.iter()),
    ))
}

/// A list as `deliveries` stores it.
pub(super) fn json_list<T: serde::Serialize>(v: &[T]) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|_| StoreError::Corrupt("a delivery's list"))
}

/// The pull's shaping for the dashboard: a record as `viewer` may read it,
/// exactly as her phone would receive it. Both backends' dashboards read
/// through it, so the dashboard and the pull cannot drift apart.
pub struct Projector<'c, S>(Puller<'c, S>);

impl<'c, S: PullSql> Projector<'c, S> {
    /// Shaping at `now` through `sql` (read only: a projector writes no
    /// deliveries), within the stored `agreement`.
    pub fn new(
        sql: &'c S,
        key: &'c DataKey,
        agreement: Option<SharingAgreement>,
        now: Timestamp,
    ) -> Self {
        Projector(Puller::new(sql, key, agreement, now))
    }

    /// The body `viewer` may read: `None` when she may not see it, or it is
    /// a tombstone.
    pub fn body(
        &mut self,
        viewer: &Viewer<'_>,
        meta: &RecordMeta,
        sealed: Option<Vec<u8>>,
    ) -> Result<Option<Map<String, Value>>, StoreError> {
        Ok(self.0.shape(viewer, meta, sealed)?.and_then(|s| s.body))
    }
}
