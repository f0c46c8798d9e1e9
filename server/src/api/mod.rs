//! The HTTP API of `docs/sync-protocol.md`: `POST /v1/enrol`,
//! `POST /v1/push`, `GET /v1/pull`, `GET /v1/live`. Handlers parse and authenticate on the
//! async side and run store work on the blocking pool.

pub mod admission;
pub mod auth;
pub mod body;
pub mod enrol;
pub mod error;
pub mod live;
pub mod pull;
pub mod push;
pub mod sealed;

use crate::store::safety::SafetyStore;
use crate::store::Store;
use crate::watchdog::Bell;
use axum::routing::{get, post};
use axum::Router;
use error::ApiError;
use nightround_core::clock::Clock;
use nightround_core::crypto::DataKey;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Round watches and the live channel's query (ADR 0004).
    pub safety: Arc<dyn SafetyStore>,
    /// What each pull delivered, in the audit chain (issue 10).
    pub protection: Arc<dyn crate::store::data_protection::DataProtectionStore>,
    /// Rung when something urgent is stored; wakes live-channel requests.
    pub bell: Bell,
    pub clock: Arc<dyn Clock>,
    /// Keys the hash enrolment codes are stored under.
    pub code_key: DataKey,
    /// Returned at enrolment.
    pub lease_days: u32,
    /// Opens sealed copies delivered after a shred; its public half is
    /// returned at enrolment.
    pub sealing: nightround_core::crypto::sealed_box::ServerSealingKey,
    /// Back-pressure for pushes and pulls ([`admission`]).
    pub admission: admission::Admission,
    /// Pull pages held at once, from the store's read to a serialised body
    /// (ADR 0021; [`pull::page_turns`]).
    pub pull_pages: Arc<tokio::sync::Semaphore>,
}

/// The routes, ready to serve.
pub fn router(state: AppState) -> Router {
    // Pushes and pulls wait their turn, or hear "busy" (the live channel
    // only waits for a bell, and holds no store work).
    let admitted = Router::new()
        .route("/v1/push", post(push::push))
        .route("/v1/pull", get(pull::pull))
        .route_layer(axum::middleware::from_fn_with_state(
            state.admission.clone(),
            admission::admit,
        ));
    Router::new()
        .merge(admitted)
        .route("/v1/enrol", post(enrol::enrol))
        .route("/v1/live", get(live::live))
        .route("/v1/deliver-sealed", post(sealed::deliver_sealed))
        .with_state(state)
}

/// Runs blocking store work off the async threads.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "a blocking task failed");
        ApiError::internal()
    })?
}
