//! `GET /people/{id}/links`, `POST /people/{id}/links` and
//! `POST /people/links/{link}/unlink`: a supervisor states that two person
//! records she can see are the same woman (issue 14), or undoes it. Kept as
//! a link (`crate::store::links`), audited in the hash chain, nothing merged.

use super::{html, Chrome};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::data::Visible;
use crate::dashboard::{blocking, DashError, DashboardState};
use crate::store::links::LinkError;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;

/// One profile as the page names it.
pub struct ProfileRow {
    pub id: String,
    pub alias: String,
}

/// One live link the supervisor may see both sides of.
pub struct LinkRow {
    pub id: String,
    pub other: ProfileRow,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "links.html")]
struct LinksPage {
    chrome: Chrome,
    person: ProfileRow,
    links: Vec<LinkRow>,
    candidates: Vec<ProfileRow>,
}

fn refused(e: LinkError) -> DashError {
    match e {
        LinkError::Store(e) => e.into(),
        LinkError::NotSupervisor => DashError::Forbidden,
        e => DashError::Invalid(e.to_string()),
    }
}

fn parse(id: &str) -> Result<Uuid, DashError> {
    Uuid::parse_str(id).map_err(|_| DashError::NotFound)
}

/// `GET /people/{id}/links`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    who.require_supervisor()?;
    let id = parse(&id)?;
    // The profiles only (the candidates to link), none of their records.
    let v = Visible::load_scoped(
        &state,
        &who,
        vec![crate::store::dashboard::Scope::kinds(&[
            nightround_core::domain::RecordKind::Person,
        ])],
    )
    .await?;
    let alias = |p: Uuid| v.people.get(&p).map(|r| r.body.alias.clone());
    let me = alias(id).ok_or(DashError::NotFound)?;
    let store = state.0.store.clone();
    let (now, who2) = (v.now, who.clone());
    let live = blocking(move || Ok(store.profile_links(Some(&who2.viewer()), id, now)?)).await?;
    let links = live
        .iter()
        .map(|l| LinkRow {
            id: l.id.to_string(),
            other: ProfileRow {
                id: l.other(id).to_string(),
                alias: alias(l.other(id)).unwrap_or_default(),
            },
            by: l.linked_by.clone(),
            at: crate::dashboard::time::day_hm(l.linked_at),
        })
        .collect();
    let mut candidates: Vec<ProfileRow> = v
        .people
        .iter()
        .filter(|(p, _)| **p != id)
        .map(|(p, r)| ProfileRow {
            id: p.to_string(),
            alias: r.body.alias.clone(),
        })
        .collect();
    candidates.sort_by_key(|c| c.alias.to_lowercase());
    html(&LinksPage {
        chrome: Chrome::new(&who, "Linked profiles", "/people"),
        person: ProfileRow {
            id: id.to_string(),
            alias: me,
        },
        links,
        candidates,
    })
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    other: String,
}

/// `POST /people/{id}/links`
pub async fn link(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<LinkForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    who.require_supervisor()?;
    let id = parse(&id)?;
    let other = Uuid::parse_str(form.other.trim())
        .map_err(|_| DashError::Invalid("Choose the other profile.".into()))?;
    let store = state.0.store.clone();
    let now = state.now();
    blocking(move || {
        store
            .link_profiles(Some(&who.viewer()), id, other, now)
            .map_err(refused)
    })
    .await?;
    Ok(Redirect::to(&format!("/people/{id}/links")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct UnlinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    person: String,
}

/// `POST /people/links/{link}/unlink`
pub async fn unlink(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(link): Path<String>,
    form: Result<Form<UnlinkForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Form(form) = form.map_err(|_| DashError::Forged)?;
    who.check_csrf(&form.csrf)?;
    who.require_supervisor()?;
    let link = parse(&link)?;
    let back = parse(form.person.trim())?;
    let store = state.0.store.clone();
    let now = state.now();
    blocking(move || {
        store
            .unlink_profiles(Some(&who.viewer()), link, now)
            .map_err(refused)
    })
    .await?;
    Ok(Redirect::to(&format!("/people/{back}/links")).into_response())
}
