//! The lone-worker banner (ADR 0004): on every page a supervisor opens, each
//! missed round and help call of her organisation not yet acknowledged, with
//! one button to acknowledge it. Showing it writes "seen" to the audit chain
//! (once per supervisor); acknowledging writes "acknowledged" and rewrites
//! the round so that team phones show who is dealing with it.

use super::CsrfForm;
use crate::dashboard::auth::SignedIn;
use crate::dashboard::{blocking, time, DashError, DashboardState};
use crate::store::safety::{Escalation, EscalationKind, EscalationState};
use crate::store::Worker;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use nightround_core::domain::{MissedReason, Role};
use nightround_core::Timestamp;
use uuid::Uuid;

/// One line of the banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerRow {
    pub id: String,
    pub headline: String,
    pub detail: String,
    /// `raised` or `heard`: how loud the line is drawn.
    pub tone: &'static str,
}

fn row(e: &Escalation, area: Option<String>) -> BannerRow {
    let who = &e.worker_name;
    let headline = match (e.kind, e.state, e.reason) {
        (EscalationKind::HelpCall, _, _) => format!("{who} pressed \u{201c}Need help now\u{201d}"),
        (_, EscalationState::HeardFromAgain, _) => format!("{who} has been heard from again"),
        (_, EscalationState::Resolved, _) => format!("{who} has ended her round"),
        (_, _, Some(MissedReason::PastExpectedEnd)) => {
            format!("{who} has not ended her round and is past its expected end")
        }
        _ => format!("{who} has missed a check-in"),
    };
    let mut parts = vec![format!("last heard {}", time::hm(e.last_heard_at))];
    if let Some(a) = area {
        parts.push(a);
    }
    if let Some(b) = &e.buddy_name {
        parts.push(format!("buddy {b}"));
    }
    parts.push(format!("raised {}", time::hm(e.raised_at)));
    BannerRow {
        id: e.id.to_string(),
        headline,
        detail: parts.join(" · "),
        tone: if e.state == EscalationState::Raised {
            "raised"
        } else {
            "heard"
        },
    }
}

/// The banner for a signed-in worker: supervisors only. Notes in the audit
/// chain that she has now seen each line.
pub async fn banner_for(
    state: &DashboardState,
    worker: &Worker,
    now: Timestamp,
) -> Result<Vec<BannerRow>, DashError> {
    if worker.role != Role::Supervisor {
        return Ok(Vec::new());
    }
    let safety = state.0.safety.clone();
    let store = state.0.store.clone();
    let org = worker.organisation_id.clone();
    let worker_id = worker.id.clone();
    blocking(move || {
        let open = safety.unacknowledged(&org)?;
        if open.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = open.iter().map(|e| e.id).collect();
        safety.note_seen(&ids, &worker_id, now)?;
        let dir = store.directory()?;
        Ok(open
            .iter()
            .map(|e| {
                let area = e
                    .area_id
                    .as_deref()
                    .map(|a| dir.area(a).map_or_else(|| a.to_owned(), |x| x.name.clone()));
                row(e, area)
            })
            .collect())
    })
    .await
}

/// `POST /safety/{id}/acknowledge`
pub async fn acknowledge(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(f) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&f.csrf)?;
    if who.role() != Role::Supervisor {
        return Err(DashError::Forbidden);
    }
    let id = Uuid::parse_str(&id).map_err(|_| DashError::NotFound)?;
    let now = state.now();
    let safety = state.0.safety.clone();
    let org = who.organisation.id.clone();
    let worker_id = who.worker.id.clone();
    let name = who.worker.display_name.clone();
    let done = blocking(move || Ok(safety.acknowledge(id, &org, &worker_id, &name, now)?)).await?;
    if !done {
        return Err(DashError::NotFound);
    }
    state.0.bell.ring();
    Ok(Redirect::to("/tonight?done=safety-acknowledged").into_response())
}
