//! The statements a pull needs from a backend, in the transaction of one
//! pull: everything else about a pull is decided once, in [`super`].

use crate::policy::{Facts, Viewer};
use crate::store::{RecordMeta, StoreError};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use uuid::Uuid;

/// A stored row: its plaintext columns and its sealed body.
pub type Stored = (RecordMeta, Option<Vec<u8>>);

/// One row sent to a device, as `deliveries` keeps it (lists as JSON).
#[derive(Debug)]
pub struct Delivery {
    pub device: String,
    pub record_id: Uuid,
    pub kind: RecordKind,
    /// The woman it is about (a person record's own id).
    pub person_id: Option<Uuid>,
    pub version: String,
    pub route: &'static str,
    pub conditional: bool,
    pub categories: Option<String>,
    pub withheld: String,
    pub at: Timestamp,
}

/// One conditional delivery still under review, as stored.
#[derive(Debug)]
pub struct UnderReview {
    pub record_id: String,
    pub kind: String,
    pub categories: Option<String>,
    pub withheld: Option<String>,
    pub retracted: bool,
    pub retract_fields: Option<String>,
    pub retract_cursor: Option<i64>,
}

/// The SQL of a pull, implemented by each backend's policy facts (which
/// hold the transaction and the directory), so the pull's logic is written
/// once.
pub trait PullSql: Facts {
    /// At most `limit` rows with `seq > after`, in seq order, leaving out
    /// the versions `device` pushed itself, and **only rows `viewer` might
    /// see at `now`**: a pre-filter, a superset of what `policy::route`
    /// accepts, read by index so a pull's cost grows with what it returns,
    /// not with the store's history (issue 11). Fewer than `limit` rows
    /// means none is left after the last.
    ///
    /// Why this pre-filter ([`prefiltered_rows`]) never drops a row
    /// `policy::route` would accept (it is the same for every role; `route`
    /// still decides each row). A row passes when any of these holds:
    ///
    /// 1. `organisation_id` is the viewer's organisation;
    /// 2. `author_worker_id` is the viewer (her worker id);
    /// 3. `alert_until > now` (an active alert, missed round, help call);
    /// 4. it is a consent in force: `kind = 'consent'`, not deleted,
    ///    `consent_until > now`;
    /// 5. the woman it is about (`person_id`; a person row's own `id`) has a
    ///    consent in force (any agency): the `person_id` of a row as in 4.
    ///
    /// Each arm of `policy::Sees`, for every role that has it:
    ///
    /// - `OwnOrganisation` accepts only `own_org`: 1.
    /// - `OwnOrganisationAndAlerts`: `own_org` (1) or `alert` (3).
    /// - `OwnAndAlerts`: `own` (2) or `alert` (3). `Own`: 2.
    /// - `PeopleConsentingToPolice`: her consent in force to a police agency,
    ///   i.e. a consent row as in 4 with her `person_id`: 5.
    /// - `OwnAndPeopleConsentingToPolice`: 2 or 5.
    /// - `ConsentsToPolice`, `ConsentsToItsAgency`: `in_force` on the row
    ///   itself (not deleted, `consent_until > now`, of kind consent by the
    ///   table): 4.
    /// - `ReferralsToPoliceWithConsent`, `ReferralsToItsAgencyWithConsent`,
    ///   `PeopleReferredToItsAgencyWithConsent`: `consent_in_force(p, a)` for
    ///   her `p`: 5.
    /// - `OwnOrganisationAndSharedWithIt`: `own_org` (1), or
    ///   `consent_in_force(p, organisation)`: 5.
    /// - `Nothing` accepts nothing.
    ///
    /// Times compare in stored milliseconds: `until > now` implies
    /// `until_ms > floor(now_ms)`, so truncating `now` only widens. The `Facts`
    /// of both backends define "in force" as 4 does (`kind = 'consent'`, not
    /// tombstoned, `consent_until > now`, `person_id = p`). A new arm in
    /// `policy::Sees` must be added here, and to the statements, or it goes
    /// unseen: `policy_matrix` and `projection_property` walk every role.
    fn rows_after(
        &self,
        after: u64,
        limit: usize,
        device: &str,
        viewer: &Viewer<'_>,
        now: Timestamp,
    ) -> Result<Vec<Stored>, StoreError>;
    /// The highest seq in use (0 for an empty store).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// Whether any row has `seq > after`.
    fn any_after(&self, after: u64) -> Result<bool, StoreError>;
    /// The row with this id (as stored text: an id that is no UUID finds
    /// nothing).
    fn stored(&self, id: &str) -> Result<Option<Stored>, StoreError>;
    /// Her consents in force at `now`, to any agency.
    fn consents_in_force(&self, person: Uuid, now: Timestamp) -> Result<Vec<Stored>, StoreError>;
    /// Writes (or renews, clearing any retraction) a delivery.
    fn record_delivery(&self, d: &Delivery) -> Result<(), StoreError>;
    /// Writes a page's unconditional deliveries as one row (ADR 0019).
    fn record_page(&self, p: &super::DeliveredPage) -> Result<(), StoreError>;
    /// The device's conditional deliveries not yet retracted, and those
    /// retracted on a page at or after `cursor` (not yet confirmed).
    fn under_review(&self, device: &str, cursor: u64) -> Result<Vec<UnderReview>, StoreError>;
    /// Notes the categories and withheld fields a delivery now carries.
    fn reshape_delivery(
        &self,
        device: &str,
        record_id: &str,
        categories: Option<&str>,
        withheld: &str,
    ) -> Result<(), StoreError>;
    /// Remembers a retraction: whole (`fields` `None`) or of some fields
    /// (a JSON list), sent on the page ending at `next_cursor`.
    fn retract_delivery(
        &self,
        device: &str,
        record_id: &str,
        fields: Option<&str>,
        next_cursor: u64,
        now: Timestamp,
    ) -> Result<(), StoreError>;
}

/// The placeholders and dialect bits [`prefiltered_rows`] writes with.
pub struct Dialect<'a> {
    /// The record columns selected (the backend's `RECORD_COLUMNS`).
    pub columns: &'a str,
    pub after: &'a str,
    pub limit: &'a str,
    pub device: &'a str,
    pub organisation: &'a str,
    pub worker: &'a str,
    pub now: &'a str,
    /// "Not deleted", written as the backend's consent index says it.
    pub not_deleted: &'a str,
    /// `records` read for active alerts (SQLite names the index: without
    /// statistics its planner would walk every row in seq order).
    pub alerts: &'a str,
    /// `records` read for consents in force (likewise).
    pub consents: &'a str,
    /// PostgreSQL: a value among a subquery's is written
    /// `x = ANY(ARRAY(subquery))`, which it plans as one index probe per
    /// value (an `IN` it may turn into a hash join over the whole table).
    pub any_array: bool,
}

/// The statement of [`PullSql::rows_after`], the same for both backends:
/// one index walk per condition of the pre-filter (each in seq order and
/// limited, so the union of their first `limit` rows holds the first
/// `limit` rows of the whole), then the rows by seq. The indexes are
/// schema step "pull pre-filter" (`records_by_organisation`,
/// `records_by_author`, `records_by_alert`, `records_consents_in_force`,
/// and the older `records_by_person`). The alert and consent walks compare
/// and order by `seq + 0`, so no planner prefers walking every row by seq.
pub fn prefiltered_rows(d: &Dialect<'_>) -> String {
    let Dialect {
        columns,
        after,
        limit,
        device,
        organisation,
        worker,
        now,
        not_deleted,
        alerts,
        consents,
        any_array,
    } = d;
    let among = |x: &str, sub: &str| {
        if *any_array {
            format!("{x} = ANY(ARRAY({sub}))")
        } else {
            format!("{x} IN ({sub})")
        }
    };
    let in_force = format!("kind = 'consent' AND {not_deleted} AND consent_until > {now}");
    let branch = |from: &str, cond: &str, seq: &str| {
        format!(
            "SELECT seq FROM (SELECT seq FROM {from} WHERE {cond} AND {seq} > {after}
                 AND (device_id IS NULL OR device_id <> {device}) ORDER BY {seq} LIMIT {limit}) AS b"
        )
    };
    let consented = format!("SELECT person_id FROM {consents} WHERE {in_force}");
    let branches = [
        branch(
            "records",
            &format!("organisation_id = {organisation}"),
            "seq",
        ),
        branch("records", &format!("author_worker_id = {worker}"), "seq"),
        branch(alerts, &format!("alert_until > {now}"), "seq + 0"),
        branch(consents, &in_force, "seq + 0"),
        branch("records", &among("person_id", &consented), "seq"),
        // `kind || ''`: by id (the primary key), not by walking every
        // person row in seq order.
        branch(
            "records",
            &format!("kind || '' = 'person' AND {}", among("id", &consented)),
            "seq",
        ),
    ];
    format!(
        "SELECT {columns} FROM records WHERE {} ORDER BY seq LIMIT {limit}",
        among("seq", &branches.join(" UNION "))
    )
}
