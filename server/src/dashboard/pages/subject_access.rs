//! `GET /people/{id}/subject-access?format=html|json`: a supervisor
//! downloads everything held about her, third parties redacted
//! (`crate::subject_access`); the export is audited.

use super::shared_with::her_alias;
use crate::dashboard::auth::SignedIn;
use crate::dashboard::{blocking, DashError, DashboardState};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Which form of the export.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    pub format: Option<String>,
}

/// `GET /people/{id}/subject-access`
pub async fn export(
    State(state): State<DashboardState>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, DashError> {
    let (id, _) = her_alias(&state, &who, &id).await?;
    let json = match q.format.as_deref() {
        None | Some("html") => false,
        Some("json") => true,
        Some(_) => return Err(DashError::Invalid("the format is html or json".into())),
    };
    let admin = state.0.admin.clone();
    let actor = who.worker.id.clone();
    let export = blocking(move || Ok(admin.subject_access(id, &actor)?)).await?;
    let (kind, ext, body) = if json {
        (
            "application/json",
            "json",
            serde_json::to_string_pretty(&export).map_err(|_| DashError::Internal)?,
        )
    } else {
        (
            "text/html; charset=utf-8",
            "html",
            crate::subject_access::render_html(&export)?,
        )
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"subject-access-{id}.{ext}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
