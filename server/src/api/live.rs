//! `GET /v1/live?after=SEQ&wait=SECS`: the long-poll beside the ordinary sync
//! (ADR 0004). Answers as soon as an urgent record this device may see is
//! stored after `after` (its pull cursor): a help call, a round raised as
//! missed, a team alert. It names records only; the phone pulls to read them.

use super::auth::authenticate;
use super::error::ApiError;
use super::{blocking, AppState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use nightround_core::sync::protocol::{LiveResponse, MAX_LIVE_WAIT_SECS};
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Deserialize)]
pub struct LiveParams {
    pub after: Option<u64>,
    pub wait: Option<u64>,
    /// The protocol the app speaks; apps before version 2 leave it out and
    /// are told to update, as on a pull.
    pub protocol: Option<u64>,
}

pub async fn live(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<LiveParams>, QueryRejection>,
) -> Result<Json<LiveResponse>, ApiError> {
    let caller = authenticate(&state, &headers).await?;
    let Query(params) =
        params.map_err(|_| ApiError::malformed("after and wait must be whole numbers"))?;
    let protocol = params.protocol.unwrap_or(1);
    if protocol != u64::from(nightround_core::sync::protocol::PROTOCOL_VERSION) {
        return Err(ApiError::unsupported_protocol(protocol));
    }
    let after = params.after.unwrap_or(0);
    let wait = Duration::from_secs(
        params
            .wait
            .unwrap_or(MAX_LIVE_WAIT_SECS)
            .min(MAX_LIVE_WAIT_SECS),
    );
    let deadline = tokio::time::Instant::now() + wait;
    let mut bell = state.bell.subscribe();
    let store = state.store.clone();
    let device = caller.device.id;
    // A phone opened with the duress PIN hears nothing, like a quiet night.
    let duress = blocking(move || Ok(store.has_duress_report(device)?)).await?;
    loop {
        bell.borrow_and_update();
        let urgent = if duress {
            Vec::new()
        } else {
            let safety = state.safety.clone();
            let caller = caller.clone();
            let now = state.clock.now();
            blocking(move || Ok(safety.urgent_since(&caller, after, now)?)).await?
        };
        if !urgent.is_empty() {
            return Ok(Json(LiveResponse {
                urgent,
                server_time: state.clock.now(),
            }));
        }
        match tokio::time::timeout_at(deadline, bell.changed()).await {
            Ok(Ok(())) => continue,
            Ok(Err(_)) | Err(_) => {
                return Ok(Json(LiveResponse {
                    urgent: Vec::new(),
                    server_time: state.clock.now(),
                }))
            }
        }
    }
}
