//! A pull page (protocol version 2, ADR 0009), backend-independent:
//!
//! - rows after the cursor, in seq order, **leaving out the versions this
//!   device pushed itself** (`records.device_id`); a version the server
//!   minted (a merge, a watch) has no device and goes to everyone who may
//!   see it;
//! - each row the viewer may see goes out, **projected** when it reaches her
//!   only through a woman's consent, and a team alert without the woman's id
//!   when the viewer may not see her record;
//! - every row sent is remembered (who received what, and why): a
//!   conditional one (consent, alert) or one sent with a field withheld as
//!   a `deliveries` row; the rest, sent through her authorship or her
//!   organisation, as one `delivery_pages` row for the page (ADR 0019);
//! - the device's **conditional** deliveries (consent, alert) are re-checked
//!   and what it may no longer hold is **retracted**, whole or by field.
//!
//! A backend supplies only the statements ([`PullSql`], in
//! `sqlite/pull.rs` and `postgres/pull.rs`), runs [`page`] on a read
//! snapshot (beside the writer, not behind it) and then [`record`] what it
//! decided in one short write transaction before the answer goes out; the
//! dashboard reads through the same shaping ([`Projector`]), so a page and a
//! phone cannot drift apart.

pub mod pages;
mod retract;
mod shape;
mod sql;

pub use pages::DeliveredPage;
pub use shape::Projector;
pub use sql::{prefiltered_rows, Delivery, Dialect, PullSql, Stored, UnderReview};

use crate::policy::Route;
use crate::store::{EnrolledDevice, PullPage, PullQuery, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::{Directory, RecordKind};
use nightround_core::sync::protocol::{Change, PulledChange, MAX_PULL_CHANGES};
use nightround_core::Timestamp;
use pages::PageCollector;
use serde_json::Value;
use shape::{json_list, Puller};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

/// Rows read per query while filtering a pull page.
pub const SCAN_CHUNK: usize = 512;
#[doc(hidden)]
/// Rows the pull's pre-filtered statements have handed back, summed over
/// this process: what a test reads to see that a pull's reads follow what
/// it returns, not the store's size (`server/tests/pull_cost.rs`).
pub static ROWS_READ: AtomicU64 = AtomicU64::new(0);

/// The most rows one pull looks at, so a device that may see little of a
/// large store still gets a prompt answer (with `more`) instead of a long one.
pub const MAX_SCAN: usize = 20_000;

/// What a page writes, decided while it is read (on a snapshot) and written
/// by [`record`] in one short write transaction before the answer goes out.
#[derive(Debug, Default)]
pub struct PageWrites {
    /// Deliveries kept one row each (conditional, or with a field withheld).
    pub rows: Vec<Delivery>,
    /// The page's unconditional deliveries, as one row.
    pub page: Option<DeliveredPage>,
    /// (record id, categories, withheld) a conditional delivery now carries.
    pub reshaped: Vec<(String, Option<String>, String)>,
    /// (record id, fields or `None` for whole, the page's next cursor).
    pub retracted: Vec<(String, Option<String>, u64)>,
}

/// Writes what [`page`] decided for `device`, through the writer's `sql`
/// (in the caller's write transaction).
pub fn record<S: PullSql>(
    sql: &S,
    device: &str,
    w: &PageWrites,
    now: Timestamp,
) -> Result<(), StoreError> {
    for d in &w.rows {
        sql.record_delivery(d)?;
    }
    if let Some(p) = &w.page {
        sql.record_page(p)?;
    }
    for (record_id, categories, withheld) in &w.reshaped {
        sql.reshape_delivery(device, record_id, categories.as_deref(), withheld)?;
    }
    for (record_id, fields, next_cursor) in &w.retracted {
        sql.retract_delivery(device, record_id, fields.as_deref(), *next_cursor, now)?;
    }
    Ok(())
}

/// One page for `caller`, read through `sql` (one snapshot; nothing is
/// written), with what it must write ([`record`]). `dir` is the directory
/// `sql`'s facts use, sent when the phone's is older.
pub fn page<S: PullSql>(
    sql: &S,
    key: &DataKey,
    agreement: Option<SharingAgreement>,
    dir: &Directory,
    caller: &EnrolledDevice,
    query: &PullQuery,
    now: Timestamp,
) -> Result<(PullPage, PageWrites), StoreError> {
    let viewer = caller.viewer();
    let device = caller.device.id.to_string();
    let limit = query.limit.clamp(1, MAX_PULL_CHANGES);
    let mut p = Puller::new(sql, key, agreement, now);
    let mut changes = Vec::new();
    let mut sent = HashSet::new();
    let mut scanned_to = query.cursor;
    let mut scanned = 0usize;
    let mut exhausted = false;
    let mut writes = PageWrites::default();
    let mut unconditional = PageCollector::default();
    'scan: loop {
        let rows = sql.rows_after(scanned_to, SCAN_CHUNK, &device, &viewer, now)?;
        let fetched = rows.len();
        ROWS_READ.fetch_add(fetched as u64, Ordering::Relaxed);
        for (meta, sealed) in rows {
            scanned_to = meta.seq;
            scanned += 1;
            if let Some(shaped) = p.shape(&viewer, &meta, sealed)? {
                let person = if meta.kind == RecordKind::Person {
                    Some(meta.id)
                } else {
                    meta.person_id
                };
                let plain = shaped.categories.is_none() && shaped.withheld.is_empty();
                match shaped.route {
                    Route::Own | Route::OwnOrganisation if plain => {
                        unconditional.add(meta.seq, shaped.route == Route::Own);
                    }
                    _ => writes.rows.push(Delivery {
                        device: device.clone(),
                        record_id: meta.id,
                        kind: meta.kind,
                        person_id: person,
                        version: meta.version.clone(),
                        route: shaped.route.name(),
                        conditional: shaped.route.is_conditional(),
                        categories: shaped.categories.as_deref().map(json_list).transpose()?,
                        withheld: json_list(&shaped.withheld)?,
                        at: now,
                    }),
                }
                sent.insert(meta.id);
                changes.push(PulledChange {
                    seq: meta.seq,
                    change: Change::new(
                        meta.kind,
                        meta.id,
                        meta.version,
                        meta.tombstone,
                        shaped.body.map(Value::Object),
                    ),
                });
                if changes.len() == limit {
                    break 'scan;
                }
            }
            if scanned >= MAX_SCAN {
                break 'scan;
            }
        }
        if fetched < SCAN_CHUNK {
            exhausted = true;
            break;
        }
    }
    let more = if exhausted {
        // What is left after the cursor this viewer may not see (or it is
        // this device's own): the cursor passes it, read in this same
        // transaction, so the next pull does not look at it again.
        scanned_to = scanned_to.max(sql.last_seq()?);
        false
    } else {
        sql.any_after(scanned_to)?
    };
    let retract = retract::retractions(
        &mut p,
        &viewer,
        &device,
        query.cursor,
        scanned_to,
        &sent,
        &mut writes,
    )?;
    writes.page = unconditional.finish(&device, now);
    let page = PullPage {
        changes,
        next_cursor: scanned_to,
        more,
        directory: (dir.revision > query.directory_revision).then(|| dir.clone()),
        retract,
    };
    Ok((page, writes))
}
