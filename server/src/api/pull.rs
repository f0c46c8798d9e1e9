//! `GET /v1/pull?cursor=&limit=&directory_revision=&protocol=`: what changed
//! after the cursor that this device may see, oldest first, a page at a
//! time, without the device's own versions, with what it must drop
//! (`retract`). A pull without `protocol=2` comes from an app older than
//! protocol version 2 and is refused with `unsupported_protocol`: it would
//! not understand a retraction.

use super::auth::authenticate;
use super::error::ApiError;
use super::{blocking, AppState};
use crate::store::PullQuery;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use nightround_core::domain::{Role, TeamMember};
use nightround_core::sync::protocol::{PullResponse, MAX_PULL_CHANGES, PROTOCOL_VERSION};
use serde::Deserialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// Pull pages held at once, from the store's read to a serialised body
/// (ADR 0021). A shaped 500-row page holds about 2 MiB of opened bodies;
/// with only the blocking pool (16) and admission (64) bounding them, 23 to
/// 36 were alive at once in the one-organisation load bench, whatever the
/// readers (2) and the one writer could use. Eight keep both busy.
pub const PAGES_AT_ONCE: usize = 8;

/// The turns of [`PAGES_AT_ONCE`], one set per server (in [`AppState`]), so
/// servers sharing a process (tests) do not share turns.
pub fn page_turns() -> std::sync::Arc<Semaphore> {
    std::sync::Arc::new(Semaphore::new(PAGES_AT_ONCE))
}

#[doc(hidden)]
/// The most pull pages this process has held at once (counted beside
/// the semaphore, so a test sees the bound hold: `tests/pull_pages_at_once.rs`).
pub static MOST_PAGES_HELD: AtomicUsize = AtomicUsize::new(0);
static PAGES_HELD: AtomicUsize = AtomicUsize::new(0);

/// One page counted as held until dropped.
struct Held;

impl Held {
    fn new() -> Self {
        let now = PAGES_HELD.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_PAGES_HELD.fetch_max(now, Ordering::SeqCst);
        Held
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        PAGES_HELD.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The query string; every parameter may be left out.
#[derive(Debug, Deserialize)]
pub struct PullParams {
    pub cursor: Option<u64>,
    pub limit: Option<usize>,
    pub directory_revision: Option<u32>,
    /// The protocol the app speaks; left out by apps before version 2.
    pub protocol: Option<u64>,
}

/// One page; a limit above 500 is served as 500.
pub async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let caller = authenticate(&state, &headers).await?;
    let Query(params) = params.map_err(|_| {
        ApiError::malformed("cursor, limit and directory_revision must be whole numbers")
    })?;
    let protocol = params.protocol.unwrap_or(1);
    if protocol != u64::from(PROTOCOL_VERSION) {
        return Err(ApiError::unsupported_protocol(protocol));
    }
    let query = PullQuery {
        cursor: params.cursor.unwrap_or(0),
        limit: params
            .limit
            .unwrap_or(MAX_PULL_CHANGES)
            .clamp(1, MAX_PULL_CHANGES),
        directory_revision: params.directory_revision.unwrap_or(0),
    };
    // Its turn among the pages held at once, until its body is serialised.
    let _permit = state
        .pull_pages
        .acquire()
        .await
        .map_err(|_| ApiError::internal())?;
    let _held = Held::new();
    let now = state.clock.now();
    let store = state.store.clone();
    let safety = state.safety.clone();
    let protection = state.protection.clone();
    let device = caller.device.id;
    let (page, team) = blocking(move || {
        // A phone opened with the duress PIN is in someone else's hands: it
        // receives nothing more, and its answers look like any quiet night.
        if store.has_duress_report(caller.device.id)? {
            let page = crate::store::PullPage {
                changes: Vec::new(),
                next_cursor: query.cursor,
                more: false,
                directory: None,
                retract: Vec::new(),
            };
            return Ok((page, None));
        }
        let page = store.pull(&caller, &query, now)?;
        // A raised round or a help call reaching a phone is "seen" by its
        // worker, in the audit chain (ADR 0004): the buddy's phone got it.
        let escalations: Vec<uuid::Uuid> = page
            .changes
            .iter()
            .filter(|c| is_escalation(&c.change))
            .map(|c| c.change.id)
            .collect();
        safety.note_seen(&escalations, &caller.worker.id, now)?;
        // Who received what: one audit entry per pull that carried anything.
        protection.audit_pull(caller.device.id, &page, now)?;
        let team = if page.more {
            None
        } else {
            Some(team_of(store.as_ref(), &caller)?)
        };
        Ok((page, team))
    })
    .await?;
    tracing::debug!(%device, changes = page.changes.len(), retract = page.retract.len(), next = page.next_cursor, "pull");
    let response = PullResponse {
        changes: page.changes,
        next_cursor: page.next_cursor,
        more: page.more,
        directory: page.directory,
        server_time: now,
        team,
        retract: page.retract,
    };
    let body = serde_json::to_vec(&response).map_err(|e| {
        tracing::error!(error = %e, "a pull page did not serialise");
        ApiError::internal()
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Whether a pulled change is a round the server raised as missed, or a
/// help call (read as core's types, so the rule lives with them).
fn is_escalation(c: &nightround_core::sync::protocol::Change) -> bool {
    use nightround_core::domain::{CheckIn, CheckInKind, RecordKind, Round};
    let Some(body) = &c.body else {
        return false;
    };
    match c.kind {
        RecordKind::Round => Round::deserialize(body).is_ok_and(|r| r.is_missed()),
        RecordKind::CheckIn => {
            CheckIn::deserialize(body).is_ok_and(|h| h.kind == CheckInKind::NeedHelp)
        }
        _ => false,
    }
}

/// Who a device's worker may pick as a buddy: the workers of her
/// organisation, and the partnership's supervisors (the one on call may be
/// in another), never a receiving agency or a revoked worker.
fn team_of(
    store: &dyn crate::store::Store,
    caller: &crate::store::EnrolledDevice,
) -> Result<Vec<TeamMember>, crate::store::StoreError> {
    let mut team: Vec<TeamMember> = store
        .workers()?
        .into_iter()
        .filter(|w| w.revoked_at.is_none() && w.role != Role::ReceivingAgency)
        .filter(|w| w.organisation_id == caller.organisation.id || w.role == Role::Supervisor)
        .map(|w| TeamMember {
            worker_id: w.id,
            display_name: w.display_name,
            role: w.role,
        })
        .collect();
    team.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(team)
}
