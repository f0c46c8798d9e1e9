//! `GET /people/{id}/erase` asks a supervisor to confirm; `POST` erases her
//! (`crate::erasure`) and shows what was deleted, what was kept and why.

use super::shared_with::her_alias;
use super::{html, Chrome, CsrfForm};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::{blocking, DashError, DashboardState};
use crate::erasure::ErasureError;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;

#[derive(Template)]
#[template(path = "erasure.html")]
struct Page {
    chrome: Chrome,
    id: String,
    alias: String,
    /// After the erasure: (what, id) lines.
    done: Option<Vec<(String, String)>>,
    kept: Vec<(String, String, String)>,
}

/// `GET /people/{id}/erase`
pub async fn confirm(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    let (id, alias) = her_alias(&state, &who, &id).await?;
    html(&Page {
        chrome: Chrome::new(&who, format!("Erase {alias}"), "/people"),
        id: id.to_string(),
        alias,
        done: None,
        kept: vec![],
    })
}

/// `POST /people/{id}/erase`
pub async fn erase(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(f) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&f.csrf)?;
    let (id, alias) = her_alias(&state, &who, &id).await?;
    let admin = state.0.admin.clone();
    let actor = who.worker.id.clone();
    let answer = blocking(move || {
        admin.erase_person(id, &actor).map_err(|e| match e {
            ErasureError::Store(e) => DashError::from(e),
            other => DashError::Invalid(other.to_string()),
        })
    })
    .await?;
    let mut done: Vec<(String, String)> = answer
        .deleted
        .iter()
        .map(|(k, i)| {
            (
                format!("{} deleted", k.as_str().replace('_', " ")),
                i.to_string(),
            )
        })
        .collect();
    done.extend(
        answer
            .unlinked
            .iter()
            .map(|i| ("concern kept, her link removed".to_owned(), i.to_string())),
    );
    let kept = answer
        .kept
        .iter()
        .map(|k| {
            (
                k.kind.as_str().replace('_', " "),
                k.id.to_string(),
                k.reason.clone(),
            )
        })
        .collect();
    html(&Page {
        chrome: Chrome::new(&who, format!("Erased {alias}"), "/people"),
        id: id.to_string(),
        alias,
        done: Some(done),
        kept,
    })
}
