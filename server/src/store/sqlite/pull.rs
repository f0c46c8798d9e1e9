//! A pull page in the SQLite backend (protocol version 2, ADR 0009):
//!
//! - rows after the cursor, in seq order, **leaving out the versions this
//!   device pushed itself** (`records.device_id`); a version the server
//!   minted (a merge, a watch) has no device and goes to everyone who may
//!   see it;
//! - each row the viewer may see goes out, **projected** when it reaches her
//!   only through a woman's consent, and a team alert without the woman's id
//!   when the viewer may not see her record;
//! - every row sent is written to `deliveries` (who received what, and why);
//! - the device's **conditional** deliveries (consent, alert) are re-checked
//!   and what it may no longer hold is **retracted**, whole or by field.

use super::records::SqlFacts;
use super::rows::{mark_synced, ms, read_directory, read_record, seq_param, RECORD_COLUMNS};
use crate::policy::{self, Route, Viewer};
use crate::projection;
use crate::store::sealed::open_record;
use crate::store::{EnrolledDevice, PullPage, PullQuery, RecordMeta, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::{InfoCategory, RecordKind};
use nightround_core::sync::protocol::{Change, PulledChange, Retraction, MAX_PULL_CHANGES};
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Rows read per query while filtering a pull page.
const SCAN_CHUNK: usize = 512;
/// The most rows one pull looks at, so a device that may see little of a
/// large store still gets a prompt answer (with `more`) instead of a long one.
const MAX_SCAN: usize = 20_000;

/// A stored row: its plaintext columns and its sealed body.
type Stored = (RecordMeta, Option<Vec<u8>>);

/// What one record looks like to this viewer: its route, and its body as
/// it may go out (`None` for a tombstone), with the fields left out.
struct Shaped {
    route: Route,
    body: Option<Map<String, Value>>,
    categories: Option<Vec<InfoCategory>>,
    withheld: Vec<String>,
}

/// The pull's working state: the store's key, the facts, and a cache of the
/// categories each woman's consents allow this viewer.
struct Puller<'c> {
    conn: &'c Connection,
    key: &'c DataKey,
    facts: SqlFacts<'c>,
    now: Timestamp,
    allowed: HashMap<(Uuid, Option<String>), Vec<InfoCategory>>,
    /// The stored sharing agreement, read once per pull.
    agreement: Option<SharingAgreement>,
}

impl Puller<'_> {
    fn meta_of(&self, id: &str) -> Result<Option<Stored>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1"
            ))?
            .query_row([id], read_record)
            .optional()?
            .map(|raw| raw.into_meta())
            .transpose()
    }

    /// The categories her consents in force to `agency` (any police agency
    /// when `None`) cover, read from the sealed consent bodies.
    fn allowed(
        &mut self,
        person: Uuid,
        agency: &Option<String>,
    ) -> Result<Vec<InfoCategory>, StoreError> {
        if let Some(hit) = self.allowed.get(&(person, agency.clone())) {
            return Ok(hit.clone());
        }
        let cats = consented_categories(
            self.conn,
            self.key,
            &self.facts,
            self.agreement.as_ref(),
            person,
            agency.as_deref(),
            self.now,
        )?;
        self.allowed.insert((person, agency.clone()), cats.clone());
        Ok(cats)
    }

    /// The record as `viewer` may receive it now, or `None`.
    fn shape(
        &mut self,
        viewer: &Viewer<'_>,
        meta: &RecordMeta,
        sealed: Option<Vec<u8>>,
    ) -> Result<Option<Shaped>, StoreError> {
        let Some(route) = policy::route(viewer, meta, &self.facts, self.now)? else {
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
                let sees_her = match self.meta_of(&her)? {
                    Some((m, _)) => policy::may_see(viewer, &m, &self.facts, self.now)?,
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
/// sealed consent bodies. The pull and the dashboard both ask this.
#[allow(clippy::too_many_arguments)]
pub(super) fn consented_categories(
    conn: &Connection,
    key: &DataKey,
    facts: &SqlFacts<'_>,
    agreement: Option<&SharingAgreement>,
    person: Uuid,
    agency: Option<&str>,
    now: Timestamp,
) -> Result<Vec<InfoCategory>, StoreError> {
    let raws: Vec<_> = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE person_id = ?1 AND kind = 'consent'
             AND tombstone = 0 AND consent_until > ?2"
        ))?
        .query_map((person.to_string(), ms(now)), read_record)?
        .collect::<Result<_, _>>()?;
    let mut bodies = Vec::new();
    for raw in raws {
        let (meta, sealed) = raw.into_meta()?;
        let to_it = match (agency, meta.agency_id.as_deref()) {
            (Some(a), Some(b)) => a == b,
            (None, Some(b)) => policy::Facts::is_police_agency(facts, b),
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

/// The pull's shaping for the dashboard: a record as `viewer` may read it,
/// exactly as her phone would receive it — projected to her consent within
/// the agreement, a concern kept from the police unless she agreed, the
/// woman who reported it not named to a viewer who may not see her (issues
/// 9 and 14). The dashboard and the pull cannot drift apart.
pub(super) struct Projector<'c>(Puller<'c>);

impl<'c> Projector<'c> {
    pub(super) fn new(
        conn: &'c Connection,
        key: &'c DataKey,
        dir: &'c nightround_core::domain::Directory,
        now: Timestamp,
    ) -> Result<Self, StoreError> {
        Ok(Projector(Puller {
            conn,
            key,
            facts: SqlFacts { conn, dir },
            now,
            allowed: HashMap::new(),
            agreement: super::partnership::read_agreement(conn)?,
        }))
    }

    /// The body `viewer` may read: `None` when she may not see it, or it is
    /// a tombstone.
    pub(super) fn body(
        &mut self,
        viewer: &Viewer<'_>,
        meta: &RecordMeta,
        sealed: Option<Vec<u8>>,
    ) -> Result<Option<Map<String, Value>>, StoreError> {
        Ok(self.0.shape(viewer, meta, sealed)?.and_then(|s| s.body))
    }
}

fn json_list<T: serde::Serialize>(v: &[T]) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|_| StoreError::Corrupt("a delivery's list"))
}

fn record_delivery(
    conn: &Connection,
    device: &str,
    meta: &RecordMeta,
    shaped: &Shaped,
    now: Timestamp,
) -> Result<(), StoreError> {
    let person = if meta.kind == RecordKind::Person {
        Some(meta.id)
    } else {
        meta.person_id
    };
    conn.prepare_cached(
        "INSERT INTO deliveries (device_id, record_id, kind, person_id, version, route,
             conditional, categories, withheld, first_at, delivered_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
         ON CONFLICT (device_id, record_id) DO UPDATE SET
             version = excluded.version, route = excluded.route,
             person_id = excluded.person_id,
             conditional = excluded.conditional, categories = excluded.categories,
             withheld = excluded.withheld, delivered_at = excluded.delivered_at,
             retracted_at = NULL, retract_fields = NULL, retract_cursor = NULL",
    )?
    .execute(rusqlite::params![
        device,
        meta.id.to_string(),
        meta.kind.as_str(),
        person.map(|p| p.to_string()),
        meta.version,
        shaped.route.name(),
        shaped.route.is_conditional(),
        shaped.categories.as_deref().map(json_list).transpose()?,
        json_list(&shaped.withheld)?,
        ms(now),
    ])?;
    Ok(())
}

/// One delivery still under review.
struct UnderReview {
    record_id: String,
    kind: String,
    categories: Option<String>,
    withheld: Option<String>,
    retracted: bool,
    retract_fields: Option<String>,
    retract_cursor: Option<i64>,
}

fn parse_kind(s: &str) -> Result<RecordKind, StoreError> {
    RecordKind::parse(s).ok_or(StoreError::Corrupt("a delivery's kind"))
}

fn parse_id(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| StoreError::Corrupt("a delivery's record id"))
}

fn parse_fields(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// Re-checks what the device received conditionally and returns what it
/// must drop: new retractions (remembered, with the cursor of this page),
/// and earlier ones the device has not yet confirmed by pulling past the
/// page that carried them.
fn retractions(
    p: &mut Puller<'_>,
    viewer: &Viewer<'_>,
    device: &str,
    cursor: u64,
    next_cursor: u64,
    sent: &HashSet<Uuid>,
) -> Result<Vec<Retraction>, StoreError> {
    let rows: Vec<UnderReview> = p
        .conn
        .prepare_cached(
            "SELECT record_id, kind, categories, withheld, retracted_at IS NOT NULL,
                    retract_fields, retract_cursor
             FROM deliveries WHERE device_id = ?1 AND conditional = 1
                 AND (retracted_at IS NULL OR retract_cursor >= ?2)",
        )?
        .query_map((device, seq_param(cursor)), |r| {
            Ok(UnderReview {
                record_id: r.get(0)?,
                kind: r.get(1)?,
                categories: r.get(2)?,
                withheld: r.get(3)?,
                retracted: r.get(4)?,
                retract_fields: r.get(5)?,
                retract_cursor: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    let pending = |row: &UnderReview| row.retract_cursor.is_some_and(|c| c >= seq_param(cursor));
    for row in rows {
        let id = parse_id(&row.record_id)?;
        let kind = parse_kind(&row.kind)?;
        if sent.contains(&id) {
            continue;
        }
        if row.retracted {
            if pending(&row) {
                out.push(Retraction {
                    kind,
                    id,
                    fields: None,
                });
            }
            continue;
        }
        let current = p.meta_of(&row.record_id)?;
        let shaped = match current {
            Some((meta, sealed)) if !meta.tombstone => {
                // Cheap first: only a consent route whose categories changed
                // needs the body opened to compare projections.
                match policy::route(viewer, &meta, &p.facts, p.now)? {
                    None => None,
                    Some(Route::Consent { person, agency }) if meta.kind != RecordKind::Concern => {
                        let cats = p.allowed(person, &agency)?;
                        if Some(json_list(&cats)?) == row.categories {
                            Some(None)
                        } else {
                            p.shape(viewer, &meta, sealed)?.map(Some)
                        }
                    }
                    Some(_) if meta.kind == RecordKind::Concern => {
                        p.shape(viewer, &meta, sealed)?.map(Some)
                    }
                    Some(_) => Some(None),
                }
            }
            _ => None,
        };
        match shaped {
            None => {
                conn_retract(p.conn, device, &row.record_id, None, next_cursor, p.now)?;
                out.push(Retraction {
                    kind,
                    id,
                    fields: None,
                });
            }
            Some(Some(now_shaped)) => {
                let before = parse_fields(&row.withheld);
                let newly: Vec<String> = now_shaped
                    .withheld
                    .iter()
                    .filter(|f| !before.contains(f))
                    .cloned()
                    .collect();
                p.conn
                    .prepare_cached(
                        "UPDATE deliveries SET categories = ?1, withheld = ?2
                         WHERE device_id = ?3 AND record_id = ?4",
                    )?
                    .execute((
                        now_shaped
                            .categories
                            .as_deref()
                            .map(json_list)
                            .transpose()?,
                        json_list(&now_shaped.withheld)?,
                        device,
                        &row.record_id,
                    ))?;
                if !newly.is_empty() {
                    conn_retract(
                        p.conn,
                        device,
                        &row.record_id,
                        Some(&newly),
                        next_cursor,
                        p.now,
                    )?;
                    out.push(Retraction {
                        kind,
                        id,
                        fields: Some(newly),
                    });
                } else if pending(&row) {
                    out.push(Retraction {
                        kind,
                        id,
                        fields: Some(parse_fields(&row.retract_fields)),
                    });
                }
            }
            Some(None) => {
                if pending(&row) {
                    out.push(Retraction {
                        kind,
                        id,
                        fields: Some(parse_fields(&row.retract_fields)),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Remembers a retraction: whole (`fields` `None`) or of some fields.
fn conn_retract(
    conn: &Connection,
    device: &str,
    record_id: &str,
    fields: Option<&[String]>,
    next_cursor: u64,
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE deliveries SET retracted_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE retracted_at END,
             retract_fields = ?1, retract_cursor = ?3
         WHERE device_id = ?4 AND record_id = ?5",
    )?
    .execute((
        fields.map(json_list).transpose()?,
        ms(now),
        seq_param(next_cursor),
        device,
        record_id,
    ))?;
    Ok(())
}

/// One page for `caller`, in one transaction (the deliveries it writes go
/// with the page).
pub(super) fn pull(
    conn: &mut Connection,
    key: &DataKey,
    caller: &EnrolledDevice,
    query: &PullQuery,
    now: Timestamp,
) -> Result<PullPage, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let dir = read_directory(&tx)?;
    let viewer = caller.viewer();
    let device = caller.device.id.to_string();
    let limit = query.limit.clamp(1, MAX_PULL_CHANGES);
    let mut p = Puller {
        conn: &tx,
        key,
        facts: SqlFacts {
            conn: &tx,
            dir: &dir,
        },
        now,
        allowed: HashMap::new(),
        agreement: super::partnership::read_agreement(&tx)?,
    };
    let mut changes = Vec::new();
    let mut sent = HashSet::new();
    let mut scanned_to = query.cursor;
    let mut scanned = 0usize;
    let mut exhausted = false;
    'scan: loop {
        let rows: Vec<_> = tx
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE seq > ?1
                 AND (device_id IS NULL OR device_id != ?3) ORDER BY seq LIMIT ?2"
            ))?
            .query_map(
                (seq_param(scanned_to), SCAN_CHUNK as i64, &device),
                read_record,
            )?
            .collect::<Result<_, _>>()?;
        let fetched = rows.len();
        for raw in rows {
            let (meta, sealed) = raw.into_meta()?;
            scanned_to = meta.seq;
            scanned += 1;
            if let Some(shaped) = p.shape(&viewer, &meta, sealed)? {
                record_delivery(&tx, &device, &meta, &shaped, now)?;
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
        // The rest are this device's own versions: the cursor passes them.
        let last: Option<i64> = tx.query_row("SELECT MAX(seq) FROM records", [], |r| r.get(0))?;
        let last = last.and_then(|l| u64::try_from(l).ok()).unwrap_or(0);
        scanned_to = scanned_to.max(last);
        false
    } else {
        tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM records WHERE seq > ?1)")?
            .query_row([seq_param(scanned_to)], |r| r.get(0))?
    };
    let retract = retractions(&mut p, &viewer, &device, query.cursor, scanned_to, &sent)?;
    mark_synced(&tx, caller.device.id, now)?;
    drop(p);
    tx.commit()?;
    Ok(PullPage {
        changes,
        next_cursor: scanned_to,
        more,
        directory: (dir.revision > query.directory_revision).then_some(dir),
        retract,
    })
}
