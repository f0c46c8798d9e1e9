//! What can go wrong on a dashboard request, and the page each shows. No
//! message carries a record's content or a secret.

use crate::error::ServerError;
use crate::store::StoreError;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// A refused or failed dashboard request.
#[derive(Debug)]
pub enum DashError {
    /// No session, or it ended: go to the sign-in page.
    SignIn { expired: bool },
    /// The form's CSRF token is missing or wrong, or it came from elsewhere.
    Forged,
    /// The signed-in role may not use this page or action.
    Forbidden,
    /// No such thing, or not one this viewer may see (the same answer).
    NotFound,
    /// The input was refused, with plain words to show.
    Invalid(String),
    /// A store or server fault; logged, not shown.
    Internal,
}

impl From<StoreError> for DashError {
    fn from(e: StoreError) -> Self {
        // StoreError never carries a body or a secret.
        tracing::error!(error = %e, "dashboard store error");
        DashError::Internal
    }
}

impl From<ServerError> for DashError {
    fn from(e: ServerError) -> Self {
        match e {
            ServerError::Invalid(msg) => DashError::Invalid(msg),
            ServerError::NotFound(_) => DashError::NotFound,
            ServerError::WorkerRevoked => DashError::Invalid("that worker has been revoked".into()),
            e => {
                tracing::error!(error = %e, "dashboard server error");
                DashError::Internal
            }
        }
    }
}

impl From<askama::Error> for DashError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "a dashboard template failed");
        DashError::Internal
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for DashError {
    fn into_response(self) -> Response {
        let (status, title, message): (StatusCode, &str, String) = match self {
            DashError::SignIn { expired } => {
                let to = if expired {
                    "/sign-in?expired=1"
                } else {
                    "/sign-in"
                };
                return Redirect::to(to).into_response();
            }
            DashError::Forged => (
                StatusCode::FORBIDDEN,
                "Refused",
                "This form was out of date or did not come from this dashboard, so nothing \
                 was changed. Go back, reload the page and try again."
                    .into(),
            ),
            DashError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Not available to your role",
                "Your role does not give you access to this page.".into(),
            ),
            DashError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here that you may see.".into(),
            ),
            DashError::Invalid(msg) => (StatusCode::BAD_REQUEST, "Not done", msg),
            DashError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The server could not do that. Nothing you entered is lost on the phones; \
                 try again in a moment."
                    .into(),
            ),
        };
        let body = ErrorPage {
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| message.clone());
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}
