//! One module per page. Each handler: who is signed in ([`SignedIn`]), what
//! she may see ([`super::data::Visible`]), a template.

pub mod alerts;
pub mod audit;
pub mod devices;
pub mod directory;
pub mod erasure;
pub mod links;
pub mod partnership;
pub mod people;
pub mod referral_form;
pub mod referrals;
pub mod report;
pub mod safety;
pub mod shared_with;
pub mod sign_in;
pub mod subject_access;
pub mod supplies;
pub mod tonight;

use super::auth::SignedIn;
use super::DashError;
use crate::policy::{self, Sees};
use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use nightround_core::domain::{RecordKind, Role};
use serde::Deserialize;

/// The stylesheet, compiled in.
const STYLESHEET: &str = include_str!("../../../static/dashboard.css");

/// `GET /static/dashboard.css`
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// One link of the navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What the frame of every signed-in page shows.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub user: String,
    pub role: String,
    pub organisation: String,
    pub csrf: String,
    pub links: Vec<NavLink>,
    /// A confirmation from the last action, from a fixed list.
    pub flash: Option<&'static str>,
    /// Lone-worker escalations awaiting acknowledgement (supervisors only).
    pub safety: Vec<safety::BannerRow>,
}

/// Whether a role sees anything of a kind.
pub fn sees_any(role: Role, kind: RecordKind) -> bool {
    policy::sees(kind, role) != Sees::Nothing
}

/// The pages a role may open, in menu order.
pub fn pages_for(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![("/tonight", "Tonight")];
    if sees_any(role, RecordKind::Person) {
        out.push(("/people", "People"));
    }
    out.push(("/referrals", "Referrals"));
    if sees_any(role, RecordKind::Concern) {
        out.push(("/alerts", "Alerts"));
    }
    if sees_any(role, RecordKind::SupplyDrop) {
        out.push(("/supplies", "Supplies"));
    }
    if role == Role::Supervisor {
        out.push(("/devices", "Devices and workers"));
        out.push(("/audit", "Audit"));
        out.push(("/report", "Board report"));
    }
    out.push(("/directory", "Directory"));
    out.push(("/partnership", "Partnership"));
    out
}

impl Chrome {
    pub fn new(who: &SignedIn, title: impl Into<String>, current: &str) -> Self {
        Chrome {
            title: title.into(),
            user: who.worker.display_name.clone(),
            role: who.worker.role.label().to_owned(),
            organisation: who.organisation.name.clone(),
            csrf: who.csrf.clone(),
            links: pages_for(who.role())
                .into_iter()
                .map(|(href, label)| NavLink {
                    href,
                    label,
                    current: href == current,
                })
                .collect(),
            flash: None,
            safety: who.safety.clone(),
        }
    }

    pub fn with_flash(mut self, done: Option<&str>) -> Self {
        self.flash = done.and_then(flash_text);
        self
    }
}

/// `?done=` after an action: a key, never text from the request.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

fn flash_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "acknowledged" => "The referral is marked acknowledged; the referring worker's phone gets it on its next sync.",
        "accepted" => "The referral is marked accepted; the referring worker's phone gets it on its next sync.",
        "declined" => "The referral is marked declined; the referring worker's phone gets it on its next sync.",
        "escalated" => "The escalation is recorded.",
        "alert-issued" => "The alert is issued; every team phone gets it on its next sync.",
        "alert-ended" => "The alert is ended.",
        "safety-acknowledged" => "Acknowledged: the team's phones show who is dealing with it.",
        "revoked" => "The device is revoked: it erases its data on its next sync.",
        "worker-added" => "The worker is added. Make an enrolment code for her phone below.",
        "agreement-saved" => "The sharing agreement is saved and recorded in the audit log.",
        "sent-by-hand" => "Recorded as sent by hand; the response clock keeps running and the referring worker's phone shows it sent.",
        "directory-saved" => "The directory is saved as a new revision; every phone gets it on its next sync.",
        _ => return None,
    })
}

/// Refuses a role that sees nothing of `kind`.
pub fn require_sees(who: &SignedIn, kind: RecordKind) -> Result<(), DashError> {
    if sees_any(who.role(), kind) {
        Ok(())
    } else {
        Err(DashError::Forbidden)
    }
}

/// Renders a template as an HTML response.
pub fn html(t: &impl Template) -> Result<Response, DashError> {
    Ok(Html(t.render()?).into_response())
}

/// A form with only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}
