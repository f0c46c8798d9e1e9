//! Errors as the protocol's JSON bodies: `{"error": "<code>", "message": "..."}`
//! with the status each code takes. Messages are plain words for people;
//! none repeats a value from the request.

use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use nightround_core::sync::protocol::{ErrorBody, ErrorCode};

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// `Retry-After`, in whole seconds (a `503` busy).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
    /// 400: not JSON of the expected shape.
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, message)
    }
    /// 400: another protocol version.
    pub fn unsupported_protocol(found: u64) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnsupportedProtocol,
            format!(
                "this server speaks protocol {}, the app sent {found}; update the app",
                nightround_core::sync::protocol::PROTOCOL_VERSION
            ),
        )
    }
    /// 400: the code is unknown, used or expired.
    pub fn enrolment_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::EnrolmentInvalid,
            "the enrolment code is unknown, used or expired; ask your supervisor for a new one",
        )
    }
    /// 401: no token, or one the server does not know.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "this device is not enrolled with this server",
        )
    }
    /// 403: the device or its worker was revoked.
    pub fn revoked() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Revoked,
            "this device's access has been withdrawn",
        )
    }
    /// 403: the role may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }
    /// 413: the request, or the number of changes in it, is over the limit.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge, message)
    }
    /// 503: the server is busy (too much at once, or the database is);
    /// try again after `retry_after_secs`.
    pub fn busy(retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Busy,
                "the server is busy; everything is kept, try again shortly",
            )
        }
    }
    /// 500: the server failed; try again later.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the server failed; try again later",
        )
    }
}

/// Seconds a phone is asked to wait when the store itself is busy.
const STORE_BUSY_RETRY_SECS: u64 = 2;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_busy() {
            tracing::warn!(error = %e, "the store is busy");
            return ApiError::busy(STORE_BUSY_RETRY_SECS);
        }
        tracing::error!(error = %e, "the store failed");
        ApiError::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            Json(ErrorBody {
                error: self.code,
                message: self.message,
            }),
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}
