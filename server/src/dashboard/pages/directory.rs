//! `GET /directory`: the partnership's directory as the phones receive it
//! (agencies with their response times, areas, supplies), marked when it is
//! the built-in example. `POST /directory`: the partnership administrator
//! replaces it (checked, audited); each save is a new revision that every
//! phone receives on its next pull. A refused edit comes back with her text
//! and the reason.

use super::{Chrome, Done};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::{blocking, DashError, DashboardState};
use crate::partnership::{self, PartnershipError};
use crate::store::dashboard::NewAuditEntry;
use crate::store::partnership::DirectoryOrigin;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use nightround_core::domain::Directory;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    directory: Directory,
    /// The built-in Southend example (chosen or never replaced).
    example: bool,
    can_edit: bool,
    editor_text: String,
    error: Option<String>,
}

async fn render(
    state: &DashboardState,
    who: &SignedIn,
    done: Option<&str>,
    refused: Option<(String, String)>,
) -> Result<Response, DashError> {
    let admin = state.0.admin.clone();
    let (directory, origin) =
        blocking(move || Ok((admin.directory()?, partnership::directory_origin(&admin)?))).await?;
    let can_edit = who.partnership_admin && who.is_supervisor();
    let (editor_text, error) = match refused {
        Some((text, error)) => (text, Some(error)),
        None if can_edit => (partnership::to_json(&directory)?, None),
        None => (String::new(), None),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DirectoryPage {
        chrome: Chrome::new(who, "Directory", "/directory").with_flash(done),
        directory,
        example: origin != DirectoryOrigin::Own,
        can_edit,
        editor_text,
        error,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /directory`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Query(done): Query<Done>,
) -> Result<Response, DashError> {
    render(&state, &who, done.done.as_deref(), None).await
}

#[derive(Debug, Deserialize)]
pub struct DirectoryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    directory: String,
}

/// `POST /directory`
pub async fn save(
    State(state): State<DashboardState>,
    who: SignedIn,
    form: Result<Form<DirectoryForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    if !(who.partnership_admin && who.is_supervisor()) {
        return Err(DashError::Forbidden);
    }
    if form.directory.len() > super::partnership::MAX_FORM_CHARS {
        return Err(DashError::Invalid(
            "The directory is too long for the form.".into(),
        ));
    }
    let admin = state.0.admin.clone();
    let text = form.directory.clone();
    let saved = blocking(move || Ok(partnership::save_directory_json(&admin, &text))).await?;
    match saved {
        Ok(dir) => {
            state
                .audit(NewAuditEntry {
                    at: state.now(),
                    actor: who.worker.id.clone(),
                    action: "directory_saved".into(),
                    subject: None,
                    detail: Some(format!("revision {}", dir.revision)),
                })
                .await?;
            // Phones on the live channel pull now rather than at their next round.
            state.0.bell.ring();
            Ok(Redirect::to("/directory?done=directory-saved").into_response())
        }
        Err(PartnershipError::Server(e)) => Err(e.into()),
        Err(e) => render(&state, &who, None, Some((form.directory, e.to_string()))).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    offers: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    opening_times: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    red_hours: String,
    #[serde(default)]
    amber_hours: String,
    #[serde(default)]
    green_hours: String,
}

fn hours(what: &str, text: &str) -> Result<u32, DashError> {
    text.trim().parse().map_err(|_| {
        DashError::Invalid(format!(
            "The {what} response time must be a whole number of hours."
        ))
    })
}

/// `POST /directory/agencies/{id}`: one agency's details and response times,
/// as a form (the JSON editor does the rest); the same checks, a new
/// revision, audited.
pub async fn save_agency(
    State(state): State<DashboardState>,
    who: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Form<AgencyForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    if !(who.partnership_admin && who.is_supervisor()) {
        return Err(DashError::Forbidden);
    }
    let red = hours("red", &form.red_hours)?;
    let amber = hours("amber", &form.amber_hours)?;
    let green = hours("green", &form.green_hours)?;
    let admin = state.0.admin.clone();
    let saved = blocking(move || {
        let mut dir = admin.directory()?;
        let Some(agency) = dir.agencies.iter_mut().find(|a| a.id == id) else {
            return Err(DashError::NotFound);
        };
        agency.name = form.name.trim().to_owned();
        agency.offers = form.offers.trim().to_owned();
        agency.address = form.address.trim().to_owned();
        agency.opening_times = form.opening_times.trim().to_owned();
        agency.phone = form.phone.trim().to_owned();
        agency.response.red_hours = red;
        agency.response.amber_hours = amber;
        agency.response.green_hours = green;
        // Details typed in by the partnership are its own, not examples.
        agency.example_details = false;
        let agency_id = agency.id.clone();
        match partnership::save_directory(&admin, dir) {
            Ok(dir) => Ok((agency_id, dir.revision)),
            Err(PartnershipError::Server(e)) => Err(e.into()),
            Err(e) => Err(DashError::Invalid(format!("Not saved: {e}."))),
        }
    })
    .await?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "directory_saved".into(),
            subject: Some(saved.0),
            detail: Some(format!("revision {}", saved.1)),
        })
        .await?;
    state.0.bell.ring();
    Ok(Redirect::to("/directory?done=directory-saved").into_response())
}
