//! Reading a request body: at most 4 MiB (else 413 `too_large`), JSON (else
//! 400 `malformed`), speaking this protocol version (else 400
//! `unsupported_protocol`, checked before the shape so that a newer app
//! with a different shape is told to update rather than that it is broken).

use super::error::ApiError;
use axum::body::Body;
use axum::http::{header, HeaderMap};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use nightround_core::sync::protocol::{MAX_REQUEST_BYTES, PROTOCOL_VERSION};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reads and parses a protocol request of type `T` (named `what` in errors).
pub async fn read_request<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    what: &str,
) -> Result<T, ApiError> {
    let too_large = || {
        ApiError::too_large(format!(
            "the request is over {} MiB; send fewer changes",
            MAX_REQUEST_BYTES / (1024 * 1024)
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
        Err(_) => return Err(ApiError::malformed("the request body could not be read")),
    };
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::malformed("the request body is not JSON"))?;
    match value.get("protocol") {
        Some(Value::Number(n)) if n.as_u64() != Some(u64::from(PROTOCOL_VERSION)) => {
            return Err(ApiError::unsupported_protocol(n.as_u64().unwrap_or(0)));
        }
        _ => {}
    }
    T::deserialize(value)
        .map_err(|_| ApiError::malformed(format!("the body is not a valid {what}")))
}
