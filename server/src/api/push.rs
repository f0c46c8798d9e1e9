//! `POST /v1/push`: a batch of changes, one ack each.

use super::auth::authenticate;
use super::body::read_request;
use super::error::ApiError;
use super::{blocking, AppState};
use crate::store::PushItem;
use crate::validate;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use nightround_core::sync::protocol::{AckStatus, PushRequest, PushResponse, MAX_PUSH_CHANGES};

/// Applies the batch idempotently; a refused request changes nothing.
pub async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PushResponse>, ApiError> {
    let caller = authenticate(&state, &headers).await?;
    let req: PushRequest = read_request(&headers, body, "push request").await?;
    if req.changes.len() > MAX_PUSH_CHANGES {
        return Err(ApiError::too_large(format!(
            "a push carries at most {MAX_PUSH_CHANGES} changes"
        )));
    }
    let now = state.clock.now();
    let store = state.store.clone();
    let device = caller.device.id;
    let batch = req.batch_id;
    let acks = blocking(move || {
        let directory = store.directory()?;
        let identity = caller.identity();
        let writer = validate::Writer {
            viewer: caller.viewer(),
            identity: &identity,
            directory: &directory,
            now,
        };
        let items: Vec<PushItem<'_>> = req
            .changes
            .iter()
            .map(|change| PushItem {
                change,
                verdict: validate::check(change, &writer),
                held_by_device: true,
            })
            .collect();
        Ok(store.push(&caller, &items, now)?)
    })
    .await?;
    let count = |s: AckStatus| acks.iter().filter(|a| a.status == s).count();
    if count(AckStatus::Applied) + count(AckStatus::Merged) > 0 {
        // Something new is stored: devices on the live channel look again.
        state.bell.ring();
    }
    let duplicates = count(AckStatus::Duplicate);
    if !acks.is_empty() && duplicates == acks.len() {
        tracing::info!(%device, %batch, changes = acks.len(), "a replayed batch changed nothing");
    } else {
        tracing::info!(
            %device,
            %batch,
            applied = count(AckStatus::Applied),
            merged = count(AckStatus::Merged),
            duplicate = duplicates,
            rejected = count(AckStatus::Rejected),
            "push"
        );
    }
    for a in acks.iter().filter(|a| a.status == AckStatus::Rejected) {
        // Reasons name rules, never values.
        tracing::warn!(
            %device,
            id = %a.id,
            code = a.code.map_or("", |c| c.as_str()),
            reason = a.reason.as_deref().unwrap_or(""),
            "change rejected"
        );
    }
    Ok(Json(PushResponse {
        acks,
        server_time: now,
    }))
}
