//! Reading a request body: at most 4 MiB (else 413 `too_large`), JSON (else
//! 400 `malformed`), speaking this protocol version (else 400
//! `unsupported_protocol`, checked before the shape so that a newer app
//! with a different shape is told to update rather than that it is broken).

use super::error::ApiError;
use axum::body::Body;
use axum::http::{header, HeaderMap};
use http_body_util::BodyExt;
use nightround_core::sync::protocol::{MAX_REQUEST_BYTES, PROTOCOL_VERSION};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How much of an oversized body is read and discarded before the 413.
const DRAIN_CAP: usize = 16 * 1024 * 1024;

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
    if declared.is_some_and(|n| n > DRAIN_CAP as u64) {
        return Err(too_large());
    }
    // Read up to the limit; past it, keep reading (and discarding) up to a
    // cap before answering, so that a phone still sending hears a clear 413
    // instead of a reset connection. Nothing past the limit is kept.
    let mut body = body;
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(ApiError::malformed("the request body could not be read"));
        };
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen > DRAIN_CAP {
                break;
            }
            if seen <= MAX_REQUEST_BYTES {
                bytes.extend_from_slice(&data);
            }
        }
    }
    if seen > MAX_REQUEST_BYTES {
        return Err(too_large());
    }
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
