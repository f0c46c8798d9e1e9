//! Who is calling: the bearer token, hashed and looked up. Unknown or
//! missing is 401 `unauthorized`; a revoked device or worker is 403
//! `revoked`, on which the phone shreds its vault. Tokens are never logged.

use super::error::ApiError;
use super::{blocking, AppState};
use crate::secrets;
use crate::store::EnrolledDevice;
use axum::http::{header, HeaderMap};

/// The longest Authorization value looked at.
const MAX_TOKEN_LEN: usize = 256;

/// The enrolled, unrevoked device a request comes from.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<EnrolledDevice, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_LEN)
        .ok_or_else(ApiError::unauthorized)?;
    let hash = secrets::token_hash(token);
    let store = state.store.clone();
    let device = blocking(move || Ok(store.device_by_token(&hash)?))
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if device.is_revoked() {
        tracing::info!(device = %device.device.id, "a revoked device was turned away");
        return Err(ApiError::revoked());
    }
    Ok(device)
}
