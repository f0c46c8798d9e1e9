//! `GET /alerts`: active team alerts ("ugly mug" warnings) and the ones that
//! ended in the last fortnight; `POST /alerts` issues one (a concern with an
//! alert end, recorded by the signed-in worker, through the sync write path
//! so every team phone gets it); `POST /alerts/{id}/end` ends one early.
//!
//! Concerns are facts of a moment that only their author may correct (the
//! policy's write table), so an alert can be ended here only by whoever
//! issued it; the page says who to ask for the others.

use super::{html, require_sees, Chrome, CsrfForm, Done};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::data::{snake_words, Visible};
use crate::dashboard::{time, write, DashError, DashboardState};
use crate::policy::{self, Writes};
use crate::store::dashboard::{NewAuditEntry, Scope};
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use nightround_core::domain::concern::MAX_ALERT_DAYS;
use nightround_core::domain::{
    Concern, ConcernCategory, ConcernDraft, RecordKind, Severity, Vehicle,
};
use serde::Deserialize;
use uuid::Uuid;

pub struct AlertRow {
    pub id: String,
    pub category: String,
    pub severity: String,
    pub high: bool,
    pub area: String,
    pub description: String,
    pub vehicle: String,
    pub raised: String,
    pub by: String,
    pub until: String,
    pub can_end: bool,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    chrome: Chrome,
    active: Vec<AlertRow>,
    ended: Vec<AlertRow>,
    can_issue: bool,
    categories: Vec<Choice>,
    areas: Vec<(String, String)>,
    max_days: u32,
}

const CATEGORIES: [(&str, ConcernCategory); 9] = [
    ("physical_violence", ConcernCategory::PhysicalViolence),
    ("sexual_violence", ConcernCategory::SexualViolence),
    ("robbery", ConcernCategory::Robbery),
    ("threats", ConcernCategory::Threats),
    ("stalking", ConcernCategory::Stalking),
    ("dangerous_vehicle", ConcernCategory::DangerousVehicle),
    ("spiking", ConcernCategory::Spiking),
    ("exploitation", ConcernCategory::Exploitation),
    ("other", ConcernCategory::Other),
];

fn may_issue(who: &SignedIn) -> bool {
    policy::writes(RecordKind::Concern, who.role()) != Writes::Nothing
}

fn vehicle_words(v: &Option<Vehicle>) -> String {
    v.as_ref()
        .map(|v| {
            [&v.colour, &v.make, &v.partial_registration]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// `GET /alerts`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, DashError> {
    require_sees(&who, RecordKind::Concern)?;
    // Alerts still running or ended within the fortnight shown: the
    // alert-end column answers it, only those concerns are opened.
    let v = Visible::load_scoped(
        &state,
        &who,
        vec![Scope {
            alert_after: Some(state.now() - chrono::Duration::days(14)),
            ..Scope::kinds(&[RecordKind::Concern])
        }],
    )
    .await?;
    let now = v.now;
    let row = |c: &crate::dashboard::data::Rec<Concern>| {
        let b = &c.body;
        AlertRow {
            id: b.id.to_string(),
            category: snake_words(&b.category),
            severity: snake_words(&b.severity),
            high: b.severity == Severity::High,
            area: v.area_name(&b.area_id),
            description: b.description.clone(),
            vehicle: vehicle_words(&b.vehicle),
            raised: time::day_hm(b.at),
            by: format!(
                "{} ({})",
                b.recorded_by.display_name, b.recorded_by.organisation
            ),
            until: b.alert_until.map(time::day_hm).unwrap_or_default(),
            can_end: c.meta.author_worker_id == who.worker.id && may_issue(&who),
        }
    };
    let active = v
        .concerns
        .iter()
        .filter(|c| c.body.is_active_alert(now))
        .map(row)
        .collect();
    let fortnight = now - chrono::Duration::days(14);
    let ended = v
        .concerns
        .iter()
        .filter(|c| {
            c.body
                .alert_until
                .is_some_and(|u| u <= now && u > fortnight)
        })
        .map(row)
        .collect();
    html(&AlertsPage {
        chrome: Chrome::new(&who, "Alerts", "/alerts").with_flash(done.done.as_deref()),
        active,
        ended,
        can_issue: may_issue(&who),
        categories: CATEGORIES
            .iter()
            .map(|(value, c)| Choice {
                value,
                label: snake_words(c),
            })
            .collect(),
        areas: v
            .directory
            .areas
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        max_days: MAX_ALERT_DAYS,
    })
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    make: String,
    #[serde(default)]
    colour: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    days: String,
    police_consent: Option<String>,
}

fn opt(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `POST /alerts`
pub async fn issue(
    State(state): State<DashboardState>,
    who: SignedIn,
    form: Result<Form<IssueForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(f) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&f.csrf)?;
    if !may_issue(&who) {
        return Err(DashError::Forbidden);
    }
    let category = CATEGORIES
        .iter()
        .find(|(k, _)| *k == f.category)
        .map(|(_, c)| *c)
        .ok_or_else(|| DashError::Invalid("Choose what happened.".into()))?;
    let severity = match f.severity.as_str() {
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        _ => return Err(DashError::Invalid("Choose how serious it is.".into())),
    };
    let days: u32 = f
        .days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=MAX_ALERT_DAYS).contains(d))
        .ok_or_else(|| {
            DashError::Invalid(format!(
                "An alert lasts between 1 and {MAX_ALERT_DAYS} days."
            ))
        })?;
    let now = state.now();
    let directory = {
        let store = state.0.store.clone();
        crate::dashboard::blocking(move || Ok(store.directory()?)).await?
    };
    let draft = ConcernDraft {
        category,
        description: f.description,
        vehicle: Some(Vehicle {
            make: opt(f.make),
            colour: opt(f.colour),
            partial_registration: opt(f.registration),
        }),
        area_id: f.area,
        at: None,
        severity,
        alert_until: Some(now + chrono::Duration::days(i64::from(days))),
        police_consent: f.police_consent.is_some(),
        reported_by: None,
    }
    .validated(&directory, now)
    .map_err(|e| DashError::Invalid(format!("Not issued: {e}.")))?;
    let concern = Concern {
        id: Uuid::now_v7(),
        category: draft.category,
        description: draft.description,
        vehicle: draft.vehicle,
        area_id: draft.area_id,
        at: now,
        severity: draft.severity,
        alert_until: draft.alert_until,
        police_consent: draft.police_consent,
        reported_by: None,
        recorded_by: who.identity(),
    };
    let body = serde_json::to_value(&concern).map_err(|_| DashError::Internal)?;
    write::push(&state, &who, RecordKind::Concern, concern.id, None, body).await?;
    state
        .audit(NewAuditEntry {
            at: now,
            actor: who.worker.id.clone(),
            action: "alert_issued".into(),
            subject: Some(concern.id.to_string()),
            detail: Some(format!("for {days} days")),
        })
        .await?;
    Ok(Redirect::to("/alerts?done=alert-issued").into_response())
}

/// `POST /alerts/{id}/end`
pub async fn end(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(f) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&f.csrf)?;
    let id = Uuid::parse_str(&id).map_err(|_| DashError::NotFound)?;
    let v = Visible::load_ids(&state, &who, vec![id]).await?;
    let c = v
        .concerns
        .iter()
        .find(|c| c.body.id == id)
        .ok_or(DashError::NotFound)?;
    if c.meta.author_worker_id != who.worker.id || !may_issue(&who) {
        return Err(DashError::Forbidden);
    }
    let now = state.now();
    let mut ended = c.body.clone();
    ended.alert_until = Some(now);
    let body = serde_json::to_value(&ended).map_err(|_| DashError::Internal)?;
    write::push(
        &state,
        &who,
        RecordKind::Concern,
        id,
        Some(&c.meta.version),
        body,
    )
    .await?;
    state
        .audit(NewAuditEntry {
            at: now,
            actor: who.worker.id.clone(),
            action: "alert_ended".into(),
            subject: Some(id.to_string()),
            detail: None,
        })
        .await?;
    Ok(Redirect::to("/alerts?done=alert-ended").into_response())
}
