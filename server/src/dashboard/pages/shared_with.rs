//! `GET /people/{id}/shared-with`: which organisations, agencies and police
//! phones received her records, what of them and when (from the deliveries
//! a pull keeps), for a supervisor answering her or a data protection
//! officer. Audited as a read of her record.

use super::{html, Chrome};
use crate::dashboard::auth::SignedIn;
use crate::dashboard::data::Visible;
use crate::dashboard::{blocking, time, DashError, DashboardState};
use crate::store::dashboard::NewAuditEntry;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

/// One delivery as the table shows it.
pub struct Row {
    pub record: String,
    pub receiver: String,
    pub what: String,
    pub first: String,
    pub last: String,
    pub retracted: String,
}

#[derive(Template)]
#[template(path = "shared_with.html")]
struct Page {
    chrome: Chrome,
    id: String,
    alias: String,
    rows: Vec<Row>,
}

/// A supervisor who may see her record, or `NotFound` (the same answer as
/// for a woman who does not exist).
pub(crate) async fn her_alias(
    state: &DashboardState,
    who: &SignedIn,
    id: &str,
) -> Result<(Uuid, String), DashError> {
    who.require_supervisor()?;
    let id = Uuid::parse_str(id).map_err(|_| DashError::NotFound)?;
    let v = Visible::load_ids(state, who, vec![id]).await?;
    let alias = v
        .people
        .get(&id)
        .map(|p| p.body.alias.clone())
        .ok_or(DashError::NotFound)?;
    Ok((id, alias))
}

/// `GET /people/{id}/shared-with`
pub async fn page(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    let (id, alias) = her_alias(&state, &who, &id).await?;
    let store = state.0.admin.data_protection();
    let admin = state.0.admin.clone();
    let agreement = blocking(move || Ok(admin.agreement()?)).await?;
    let deliveries = blocking(move || Ok(store.deliveries_of(id)?)).await?;
    let rows = deliveries
        .into_iter()
        .map(|d| Row {
            record: format!("{} {}", d.kind.as_str().replace('_', " "), d.record_id),
            receiver: format!(
                "{} ({}{})",
                agreement
                    .controller(&d.organisation_id)
                    .map_or_else(|| d.organisation_id.clone(), |c| c.name.clone()),
                d.role.replace('_', " "),
                d.agency_id
                    .as_deref()
                    .map(|a| format!(", {a}"))
                    .unwrap_or_default()
            ),
            what: d.categories.unwrap_or_else(|| "the whole record".into()),
            first: time::day_hm(d.first_at),
            last: time::day_hm(d.delivered_at),
            retracted: d.retracted_at.map(time::day_hm).unwrap_or_default(),
        })
        .collect();
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "view_shared_with".into(),
            subject: Some(id.to_string()),
            detail: None,
        })
        .await?;
    html(&Page {
        chrome: Chrome::new(&who, format!("Shared with — {alias}"), "/people"),
        id: id.to_string(),
        alias,
        rows,
    })
}
