//! `GET /audit`: who read a person's record or changed anything, and when,
//! newest first; `?verify=1` recomputes the hash chain and says whether any
//! entry was altered, inserted or removed. Supervisors only.

use super::{html, Chrome};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::write::DASHBOARD_DEVICE;
use crate::dashboard::{blocking, time, DashError, DashboardState};
use crate::store::dashboard::{AuditEntry, AuditVerification, NewAuditEntry};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;

/// Entries per page.
const PAGE: usize = 100;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    before: Option<u64>,
    verify: Option<String>,
}

pub struct Row {
    pub seq: u64,
    pub when: String,
    pub who: String,
    pub what: String,
    pub subject: String,
    pub subject_href: Option<String>,
    pub detail: String,
}

pub struct Verdict {
    pub ok: bool,
    pub text: String,
    pub head: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Row>,
    verdict: Option<Verdict>,
    older: Option<u64>,
}

/// Plain words for an action.
pub fn action_words(action: &str) -> String {
    match action {
        "sign_in" => "signed in".into(),
        "sign_out" => "signed out".into(),
        "sign_in_failed" => "failed to sign in".into(),
        "sign_in_refused_locked" => "sign-in refused: account locked".into(),
        "account_locked" => "account locked after repeated failures".into(),
        "sign_in_delayed" => "further sign-ins from that address delayed".into(),
        "sign_in_refused_waiting" => "sign-in refused: that address must wait".into(),
        "sync_change" => "changed a record (sync)".into(),
        "view_person" => "read a person's record".into(),
        "view_people" => "read the list of people".into(),
        "referral_acknowledged" => "acknowledged a referral".into(),
        "referral_accepted" => "accepted a referral".into(),
        "referral_declined" => "declined a referral".into(),
        "referral_escalated" => "escalated an overdue referral".into(),
        "alert_issued" => "issued a team alert".into(),
        "alert_ended" => "ended a team alert".into(),
        "device_revoked" => "revoked a device".into(),
        "enrolment_code_created" => "made an enrolment code".into(),
        "worker_added" => "added a worker".into(),
        "dashboard_account_created" => "created a dashboard sign-in".into(),
        "csv_export" => "downloaded a CSV export".into(),
        "view_report" => "viewed the board report".into(),
        "verify_audit" => "verified the audit chain".into(),
        "safety_raised" => "raised a quiet lone-worker round".into(),
        "safety_seen" => "saw a lone-worker escalation".into(),
        "safety_acknowledged" => "acknowledged a lone-worker escalation".into(),
        "safety_heard_from_again" => "heard from a raised worker again".into(),
        "safety_resolved" => "ended a raised round (resolved)".into(),
        "safety_help_called" => "pressed Need help now".into(),
        other => other.replace('_', " "),
    }
}

/// `GET /audit`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(q): Query<AuditQuery>,
) -> Result<Response, DashError> {
    who.require_supervisor()?;
    let verdict = if q.verify.is_some() {
        state
            .audit(NewAuditEntry {
                at: state.now(),
                actor: who.worker.id.clone(),
                action: "verify_audit".into(),
                subject: None,
                detail: None,
            })
            .await?;
        let dash = state.0.dash.clone();
        let v: AuditVerification = blocking(move || Ok(dash.verify_audit()?)).await?;
        Some(match v.first_broken {
            None => Verdict {
                ok: true,
                text: format!(
                    "The chain is intact: all {} entries follow from the ones before them.",
                    v.entries
                ),
                head: v.head.unwrap_or_default(),
            },
            Some(seq) => Verdict {
                ok: false,
                text: format!(
                    "The chain is broken at entry {seq}: that entry, or one just before it, \
                     was altered, inserted or removed outside the server."
                ),
                head: v.head.unwrap_or_default(),
            },
        })
    } else {
        None
    };
    let store = state.0.store.clone();
    let admin = state.0.admin.clone();
    let dash = state.0.dash.clone();
    let before = q.before;
    let (entries, workers, devices) = blocking(move || {
        let entries: Vec<AuditEntry> = dash.audit_entries(PAGE, before)?;
        let workers: HashMap<String, String> = store
            .workers()?
            .into_iter()
            .map(|w| (w.id, w.display_name))
            .collect();
        let devices: HashMap<String, String> = admin
            .devices()?
            .into_iter()
            .map(|d| {
                let name = if d.name.starts_with(&d.worker_name) {
                    d.name
                } else {
                    format!("{} ({})", d.worker_name, d.name)
                };
                (d.device_id.to_string(), name)
            })
            .collect();
        Ok((entries, workers, devices))
    })
    .await?;
    let dashboard_device = DASHBOARD_DEVICE.to_string();
    let who_words = |actor: &str| -> String {
        if let Some(device) = actor.strip_prefix("device:") {
            if device == dashboard_device {
                return "the dashboard".into();
            }
            return devices
                .get(device)
                .cloned()
                .unwrap_or_else(|| format!("device {device}"));
        }
        if actor == "unknown" {
            return "(an unknown username)".into();
        }
        workers
            .get(actor)
            .cloned()
            .unwrap_or_else(|| actor.to_owned())
    };
    let older = (entries.len() == PAGE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let rows = entries
        .iter()
        .map(|e| Row {
            seq: e.seq,
            when: time::day_hm(e.at),
            who: who_words(&e.actor),
            what: action_words(&e.action),
            subject: e.subject.clone().unwrap_or_default(),
            subject_href: match (e.action.as_str(), &e.subject) {
                ("view_person", Some(id)) => Some(format!("/people/{id}")),
                _ => None,
            },
            detail: match (e.action.as_str(), &e.detail) {
                ("sync_change", Some(v)) => format!("version {v}"),
                (_, d) => d.clone().unwrap_or_default(),
            },
        })
        .collect();
    html(&AuditPage {
        chrome: Chrome::new(&who, "Audit", "/audit"),
        rows,
        verdict,
        older,
    })
}
