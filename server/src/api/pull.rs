//! `GET /v1/pull?cursor=&limit=&directory_revision=`: what changed after the
//! cursor that this device may see, oldest first, a page at a time.

use super::auth::authenticate;
use super::error::ApiError;
use super::{blocking, AppState};
use crate::store::PullQuery;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use nightround_core::sync::protocol::{PullResponse, MAX_PULL_CHANGES};
use serde::Deserialize;

/// The query string; every parameter may be left out.
#[derive(Debug, Deserialize)]
pub struct PullParams {
    pub cursor: Option<u64>,
    pub limit: Option<usize>,
    pub directory_revision: Option<u32>,
}

/// One page; a limit above 500 is served as 500.
pub async fn pull(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let caller = authenticate(&state, &headers).await?;
    let Query(params) = params.map_err(|_| {
        ApiError::malformed("cursor, limit and directory_revision must be whole numbers")
    })?;
    let query = PullQuery {
        cursor: params.cursor.unwrap_or(0),
        limit: params
            .limit
            .unwrap_or(MAX_PULL_CHANGES)
            .clamp(1, MAX_PULL_CHANGES),
        directory_revision: params.directory_revision.unwrap_or(0),
    };
    let now = state.clock.now();
    let store = state.store.clone();
    let device = caller.device.id;
    let page = blocking(move || {
        // A phone opened with the duress PIN is in someone else's hands: it
        // receives nothing more, and its answers look like any quiet night.
        if store
            .duress_reports()?
            .iter()
            .any(|(d, _)| *d == caller.device.id)
        {
            return Ok(crate::store::PullPage {
                changes: Vec::new(),
                next_cursor: query.cursor,
                more: false,
                directory: None,
            });
        }
        Ok(store.pull(&caller, &query, now)?)
    })
    .await?;
    tracing::debug!(%device, changes = page.changes.len(), next = page.next_cursor, "pull");
    Ok(Json(PullResponse {
        changes: page.changes,
        next_cursor: page.next_cursor,
        more: page.more,
        directory: page.directory,
        server_time: now,
    }))
}
