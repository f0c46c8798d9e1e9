//! `POST /v1/enrol`: a one-time code for a device token.

use super::body::read_request;
use super::error::ApiError;
use super::{blocking, AppState};
use crate::secrets;
use crate::store::NewDevice;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use nightround_core::sync::protocol::{EnrolRequest, EnrolResponse};
use uuid::Uuid;

/// The longest device name kept.
pub const MAX_DEVICE_NAME_CHARS: usize = 100;

/// Trades the code for a token bound to the worker, her role and organisation.
pub async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<EnrolResponse>, ApiError> {
    let req: EnrolRequest = read_request(&headers, body, "enrolment request").await?;
    let name = req.device_name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_DEVICE_NAME_CHARS {
        return Err(ApiError::malformed(format!(
            "the device name must be 1 to {MAX_DEVICE_NAME_CHARS} characters"
        )));
    }
    let code = secrets::normalise_code(&req.code).ok_or_else(ApiError::enrolment_invalid)?;
    let hash = secrets::code_hash(&state.code_key, &code);
    let token = secrets::new_device_token();
    let device = NewDevice {
        id: Uuid::now_v7(),
        name,
        token_hash: secrets::token_hash(&token),
    };
    let now = state.clock.now();
    let store = state.store.clone();
    let enrolled = blocking(move || Ok(store.redeem_enrolment_code(&hash, &device, now)?))
        .await?
        .ok_or_else(|| {
            tracing::info!("an enrolment code was refused");
            ApiError::enrolment_invalid()
        })?;
    tracing::info!(device = %enrolled.device.id, worker = %enrolled.worker.id, "device enrolled");
    Ok(Json(EnrolResponse {
        device_id: enrolled.device.id,
        token,
        identity: enrolled.identity(),
        lease_days: state.lease_days,
        server_time: now,
        server_sealing_key: Some(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            state.sealing.public(),
        )),
    }))
}
