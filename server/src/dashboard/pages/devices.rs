//! `GET /devices`: a supervisor's workers and their phones: last sync, when
//! the lease runs out (the phone locks itself), revocation, and one-time
//! enrolment codes shown as text and as a QR code. A supervisor manages her
//! own organisation's workers only, and creates, enrols and gives sign-ins
//! only to her own organisation's roles; police officers and receiving-agency
//! workers are the partnership administrator's to grant ([`crate::dashboard::grants`]).

use super::{html, Chrome, CsrfForm, Done};
use crate::admin::DeviceInfo;
use crate::dashboard::accounts;
use crate::dashboard::auth::SignedIn;
use crate::dashboard::grants::{self, Granter};
use crate::dashboard::{blocking, time, DashError, DashboardState};
use crate::store::dashboard::NewAuditEntry;
use crate::store::Worker;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use nightround_core::domain::Role;
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

pub struct WorkerRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub agency: String,
    pub account: String,
    pub state: &'static str,
    pub revoked: bool,
    pub devices: usize,
    /// The signed-in supervisor may enrol her phone and give her a sign-in.
    pub grantable: bool,
}

pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub worker: String,
    pub role: String,
    pub enrolled: String,
    pub last_sync: String,
    pub lease: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub duress: Option<String>,
    pub revocable: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    chrome: Chrome,
    workers: Vec<WorkerRow>,
    devices: Vec<DeviceRow>,
    roles: Vec<Choice>,
    agencies: Vec<Choice>,
    /// Organisations to add a worker to: only the partnership administrator
    /// chooses (a supervisor adds to her own).
    organisations: Vec<Choice>,
    lease_days: u32,
}

#[derive(Template)]
#[template(path = "enrol_code.html")]
struct CodePage {
    chrome: Chrome,
    worker: String,
    code: String,
    expires: String,
    qr_svg: String,
    qr_text: String,
}

#[derive(Template)]
#[template(path = "revoke.html")]
struct RevokePage {
    chrome: Chrome,
    device_id: String,
    device: String,
    worker: String,
}

#[derive(Template)]
#[template(path = "account_created.html")]
struct AccountPage {
    chrome: Chrome,
    worker: String,
    username: String,
    password: String,
}

struct Org {
    workers: Vec<Worker>,
    devices: Vec<DeviceInfo>,
    usernames: HashMap<String, String>,
}

/// The workers the signed-in supervisor manages (her organisation's, or
/// everyone's for the partnership administrator), their devices and
/// dashboard usernames.
async fn own_org(state: &DashboardState, who: &SignedIn) -> Result<Org, DashError> {
    let everyone = who.granter()? == Granter::PartnershipAdmin;
    let admin = state.0.admin.clone();
    let dash = state.0.dash.clone();
    let org = who.organisation.id.clone();
    blocking(move || {
        let workers: Vec<Worker> = admin
            .workers()?
            .into_iter()
            .filter(|w| everyone || w.organisation_id == org)
            .collect();
        let ids: Vec<&str> = workers.iter().map(|w| w.id.as_str()).collect();
        let devices = admin
            .devices()?
            .into_iter()
            .filter(|d| ids.contains(&d.worker_id.as_str()))
            .collect();
        let mut usernames = HashMap::new();
        for w in &workers {
            if let Some(a) = dash.account_of(&w.id)? {
                usernames.insert(w.id.clone(), a.username);
            }
        }
        Ok(Org {
            workers,
            devices,
            usernames,
        })
    })
    .await
}

fn role_choices(granter: Granter<'_>) -> Vec<Choice> {
    crate::policy::ROLES
        .iter()
        .filter(|r| granter == Granter::PartnershipAdmin || grants::SUPERVISOR_GRANTS.contains(r))
        .map(|r| Choice {
            value: crate::store::role_name(*r).to_owned(),
            label: r.label().to_owned(),
        })
        .collect()
}

/// `GET /devices`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, DashError> {
    let org = own_org(&state, &who).await?;
    let granter = who.granter()?;
    let now = state.now();
    let lease_days = state.0.config.lease_days;
    let (directory, organisations) = {
        let admin = state.0.admin.clone();
        blocking(move || Ok((admin.directory()?, admin.organisations()?))).await?
    };
    let org_name = |id: &str| {
        organisations
            .iter()
            .find(|o| o.id == id)
            .map_or(id.to_owned(), |o| o.name.clone())
    };
    let workers = org
        .workers
        .iter()
        .map(|w| WorkerRow {
            id: w.id.clone(),
            name: if granter == Granter::PartnershipAdmin {
                format!("{} ({})", w.display_name, org_name(&w.organisation_id))
            } else {
                w.display_name.clone()
            },
            role: w.role.label().to_owned(),
            agency: w
                .agency_id
                .as_deref()
                .map(|a| directory.agency(a).map_or(a.to_owned(), |x| x.name.clone()))
                .unwrap_or_default(),
            account: org.usernames.get(&w.id).cloned().unwrap_or_default(),
            state: if w.revoked_at.is_some() {
                "revoked"
            } else {
                "active"
            },
            revoked: w.revoked_at.is_some(),
            devices: org.devices.iter().filter(|d| d.worker_id == w.id).count(),
            grantable: grants::may_grant(granter, &w.organisation_id, w.role),
        })
        .collect();
    let devices = org
        .devices
        .iter()
        .map(|d| {
            let last = d.last_sync_at.unwrap_or(d.enrolled_at);
            let lease_end = last + chrono::Duration::days(i64::from(lease_days));
            let (state, state_class) = if d.revoked {
                ("revoked", "muted")
            } else if d.lease_expired {
                ("locked: lease ran out", "red")
            } else if lease_end - now < chrono::Duration::days(3) {
                ("lease ending soon", "amber")
            } else {
                ("active", "green")
            };
            DeviceRow {
                id: d.device_id.to_string(),
                name: d.name.clone(),
                worker: d.worker_name.clone(),
                role: d.role.label().to_owned(),
                enrolled: time::day_hm(d.enrolled_at),
                last_sync: d
                    .last_sync_at
                    .map_or_else(|| "never".into(), |t| time::relative(t, now)),
                lease: if d.revoked {
                    "—".into()
                } else if d.lease_expired {
                    format!("ran out {}", time::day_hm(lease_end))
                } else {
                    format!(
                        "until {} ({})",
                        time::day_hm(lease_end),
                        time::relative(lease_end, now)
                    )
                },
                state,
                state_class,
                duress: d
                    .duress_reported_at
                    .map(|t| format!("Duress PIN used {}", time::day_hm(t))),
                revocable: !d.revoked,
            }
        })
        .collect();
    let body = DevicesPage {
        chrome: Chrome::new(&who, "Devices and workers", "/devices")
            .with_flash(done.done.as_deref()),
        workers,
        devices,
        roles: role_choices(granter),
        organisations: if granter == Granter::PartnershipAdmin {
            organisations
                .iter()
                .map(|o| Choice {
                    value: o.id.clone(),
                    label: o.name.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
        agencies: directory
            .agencies
            .iter()
            .map(|a| Choice {
                value: a.id.clone(),
                label: a.name.clone(),
            })
            .collect(),
        lease_days,
    };
    html(&body)
}

#[derive(Debug, Deserialize)]
pub struct WorkerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker: String,
}

fn own_worker<'a>(org: &'a Org, id: &str) -> Result<&'a Worker, DashError> {
    org.workers
        .iter()
        .find(|w| w.id == id)
        .ok_or(DashError::NotFound)
}

/// Refuses unless the signed-in supervisor may grant this worker's identity
/// (enrol her phone, give her a sign-in).
fn may_grant(who: &SignedIn, worker: &Worker) -> Result<(), DashError> {
    if grants::may_grant(who.granter()?, &worker.organisation_id, worker.role) {
        Ok(())
    } else {
        tracing::warn!(by = %who.worker.id, worker = %worker.id,
            "a supervisor tried to grant an identity only the partnership administrator may");
        Err(DashError::Forbidden)
    }
}

/// Percent-encodes a URI query value.
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The QR code's text: what a phone's scanner needs to enrol
/// (`docs/dashboard.md`): the server, the code, and the certificate to pin.
pub fn enrolment_uri(server: &str, code: &str, fingerprint: Option<&str>) -> String {
    let mut s = format!(
        "nightround:enrol?server={}&code={}",
        query_value(server),
        query_value(code)
    );
    if let Some(fp) = fingerprint {
        s.push_str("&cert_sha256=");
        s.push_str(&query_value(fp));
    }
    s
}

/// The QR code of `text` as an SVG element.
pub fn qr_svg(text: &str) -> Result<String, DashError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| DashError::Internal)?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build();
    // Drop the XML declaration: the SVG goes inside the page.
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_owned(),
        None => svg,
    })
}

/// `POST /devices/enrol`: a one-time code for a worker's phone.
pub async fn enrol(
    State(state): State<DashboardState>,
    who: SignedIn,
    headers: HeaderMap,
    form: Result<Form<WorkerForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    let org = own_org(&state, &who).await?;
    let worker = own_worker(&org, &form.worker)?.clone();
    may_grant(&who, &worker)?;
    let admin = state.0.admin.clone();
    let worker_id = worker.id.clone();
    let code = blocking(move || Ok(admin.create_enrolment_code(&worker_id)?)).await?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "enrolment_code_created".into(),
            subject: Some(worker.id.clone()),
            detail: Some(format!("valid until {}", time::day_hm(code.expires_at))),
        })
        .await?;
    let scheme = if state.0.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let server = match state.0.config.origins.single() {
        Some(origin) => origin.to_owned(),
        None => format!("{scheme}://{host}"),
    };
    let qr_text = enrolment_uri(
        &server,
        &code.code,
        state.0.config.tls_fingerprint.as_deref(),
    );
    let body = CodePage {
        chrome: Chrome::new(&who, "Enrolment code", "/devices"),
        worker: worker.display_name.clone(),
        qr_svg: qr_svg(&qr_text)?,
        code: code.code.clone(),
        expires: time::day_hm(code.expires_at),
        qr_text,
    };
    let mut res = html(&body)?;
    // A code on screen must not linger in any cache.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

fn parse_device(id: &str) -> Result<Uuid, DashError> {
    Uuid::parse_str(id).map_err(|_| DashError::NotFound)
}

fn own_device(org: &Org, id: Uuid) -> Result<&DeviceInfo, DashError> {
    org.devices
        .iter()
        .find(|d| d.device_id == id)
        .ok_or(DashError::NotFound)
}

/// `GET /devices/{id}/revoke`: asks first.
pub async fn confirm_revoke(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    let org = own_org(&state, &who).await?;
    let d = own_device(&org, parse_device(&id)?)?;
    html(&RevokePage {
        chrome: Chrome::new(&who, "Revoke a device", "/devices"),
        device_id: d.device_id.to_string(),
        device: d.name.clone(),
        worker: d.worker_name.clone(),
    })
}

/// `POST /devices/{id}/revoke`
pub async fn revoke(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    let org = own_org(&state, &who).await?;
    let device = own_device(&org, parse_device(&id)?)?.device_id;
    let admin = state.0.admin.clone();
    blocking(move || Ok(admin.revoke_device(device)?)).await?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "device_revoked".into(),
            subject: Some(device.to_string()),
            detail: None,
        })
        .await?;
    Ok(Redirect::to("/devices?done=revoked").into_response())
}

#[derive(Debug, Deserialize)]
pub struct NewWorkerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    /// The organisation's id; only the partnership administrator names one.
    #[serde(default)]
    organisation: String,
}

/// `POST /devices/workers`
pub async fn add_worker(
    State(state): State<DashboardState>,
    who: SignedIn,
    form: Result<Form<NewWorkerForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    let granter = who.granter()?;
    let role: Role = crate::store::parse_role(&form.role)
        .ok_or_else(|| DashError::Invalid("Choose a role.".into()))?;
    let agency = (role == Role::ReceivingAgency && !form.agency.is_empty()).then_some(form.agency);
    let admin = state.0.admin.clone();
    let org = if form.organisation.is_empty() {
        who.organisation.id.clone()
    } else {
        let admin = admin.clone();
        let named = form.organisation.clone();
        blocking(move || {
            admin
                .find_organisation(&named)
                .map(|o| o.id)
                .map_err(|_| DashError::Invalid("Choose an organisation.".into()))
        })
        .await?
    };
    if !grants::may_grant(granter, &org, role) {
        tracing::warn!(by = %who.worker.id, role = role.label(),
            "a supervisor tried to create a worker only the partnership administrator may");
        return Err(DashError::Forbidden);
    }
    let name = form.name;
    let worker =
        blocking(move || Ok(admin.create_worker(&org, &name, role, agency.as_deref())?)).await?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "worker_added".into(),
            subject: Some(worker.id.clone()),
            detail: Some(role.label().to_owned()),
        })
        .await?;
    Ok(Redirect::to("/devices?done=worker-added").into_response())
}

#[derive(Debug, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker: String,
    #[serde(default)]
    username: String,
}

/// `POST /devices/accounts`: a dashboard sign-in for a worker; the password
/// is generated and shown once.
pub async fn add_account(
    State(state): State<DashboardState>,
    who: SignedIn,
    form: Result<Form<AccountForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    let org = own_org(&state, &who).await?;
    let worker = own_worker(&org, &form.worker)?.clone();
    may_grant(&who, &worker)?;
    let store = state.0.store.clone();
    let dash = state.0.dash.clone();
    let now = state.now();
    let worker_id = worker.id.clone();
    let username = form.username.trim().to_owned();
    let u = username.clone();
    let password = blocking(move || {
        Ok(accounts::create(
            store.as_ref(),
            dash.as_ref(),
            &worker_id,
            &u,
            None,
            now,
        )?)
    })
    .await?;
    state
        .audit(NewAuditEntry {
            at: now,
            actor: who.worker.id.clone(),
            action: "dashboard_account_created".into(),
            subject: Some(worker.id.clone()),
            detail: None,
        })
        .await?;
    let mut res = html(&AccountPage {
        chrome: Chrome::new(&who, "Dashboard account", "/devices"),
        worker: worker.display_name,
        username,
        password,
    })?;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enrolment_uri_and_its_qr_code() {
        let uri = enrolment_uri("https://127.0.0.1:8443", "7KQ2M-XH4PD", Some("ab:cd"));
        assert_eq!(
            uri,
            "nightround:enrol?server=https%3A%2F%2F127.0.0.1%3A8443&code=7KQ2M-XH4PD&cert_sha256=ab%3Acd"
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg"));
    }
}
