//! Re-checking a device's conditional deliveries: what it may no longer
//! hold is retracted, whole or by field, and a retraction is sent again
//! until the device pulls past the page that carried it.

use super::shape::{json_list, Puller};
use super::sql::{PullSql, UnderReview};
use super::PageWrites;
use crate::policy::{self, Route, Viewer};
use crate::store::StoreError;
use nightround_core::domain::RecordKind;
use nightround_core::sync::protocol::Retraction;
use std::collections::HashSet;
use uuid::Uuid;

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

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// Re-checks what the device received conditionally and returns what it
/// must drop: new retractions (remembered in `writes`, with the cursor of
/// this page),
/// and earlier ones the device has not yet confirmed by pulling past the
/// page that carried them.
pub(super) fn retractions<S: PullSql>(
    p: &mut Puller<'_, S>,
    viewer: &Viewer<'_>,
    device: &str,
    cursor: u64,
    next_cursor: u64,
    sent: &HashSet<Uuid>,
    writes: &mut PageWrites,
) -> Result<Vec<Retraction>, StoreError> {
    let sql = p.sql;
    let rows = sql.under_review(device, cursor)?;
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
        let current = sql.stored(&row.record_id)?;
        let shaped = match current {
            Some((meta, sealed)) if !meta.tombstone => {
                // Cheap first: only a consent route whose categories changed
                // needs the body opened to compare projections.
                match policy::route(viewer, &meta, sql, p.now)? {
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
                writes
                    .retracted
                    .push((row.record_id.clone(), None, next_cursor));
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
                writes.reshaped.push((
                    row.record_id.clone(),
                    now_shaped
                        .categories
                        .as_deref()
                        .map(json_list)
                        .transpose()?,
                    json_list(&now_shaped.withheld)?,
                ));
                if !newly.is_empty() {
                    writes.retracted.push((
                        row.record_id.clone(),
                        Some(json_list(&newly)?),
                        next_cursor,
                    ));
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
