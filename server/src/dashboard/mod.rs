//! The supervisor dashboard: server-rendered pages over the same store and
//! the same policy table as sync (`docs/dashboard.md`).
//!
//! Every page reads records through [`crate::policy::may_see`] for the
//! signed-in worker, exactly as her phone's pull would, and every change it
//! makes (a referral acknowledged, an alert issued or ended) goes through the
//! sync write path ([`crate::validate::check`], [`crate::store::Store::push`])
//! so that the phones receive it on their next pull.
//!
//! - [`auth`]: Argon2id passwords, sessions, CSRF tokens;
//! - [`grants`]: who may create which workers (police and agencies are the
//!   partnership administrator's to grant);
//! - [`pages`]: one module per page;
//! - [`data`]: the records a viewer may see, parsed into core's types;
//! - [`charts`], [`csv`], [`time`]: SVG bar charts, CSV export, UK time.
//!
//! Nothing here logs a record's content, a password, a session id or a CSRF
//! token; the audit log names records by id only.

pub mod accounts;
pub mod auth;
pub mod charts;
pub mod csv;
pub mod data;
pub mod error;
pub mod grants;
pub mod pages;
pub mod time;
pub mod write;

use crate::admin::Admin;
use crate::config::ServerConfig;
use crate::store::dashboard::{DashboardStore, NewAuditEntry};
use crate::store::open::Backend;
use crate::store::safety::SafetyStore;
use crate::store::Store;
use crate::watchdog::Bell;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use nightround_core::clock::Clock;
use std::sync::Arc;

pub use error::DashError;

/// The numbers a deployment may change.
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// A session unused for this long is ended.
    pub idle_timeout: chrono::Duration,
    /// A session is ended this long after sign-in, used or not.
    pub max_session: chrono::Duration,
    /// How failed sign-ins from one client on one username slow that
    /// client down (never the account for everyone).
    pub sign_in_backoff: crate::store::dashboard::SignInBackoff,
    /// Cookies carry `Secure` (the server speaks HTTPS).
    pub secure_cookies: bool,
    /// Days a phone may go unsynced (the server's lease), for lease expiry.
    pub lease_days: u32,
    /// The certificate's SHA-256 fingerprint phones pin, put in enrolment QR
    /// codes; `None` on plain HTTP.
    pub tls_fingerprint: Option<String>,
    /// The origins a form that changes something may come from.
    pub origins: crate::public_origin::PublicOrigins,
}

impl DashboardConfig {
    /// 15 minutes idle, 12 hours at most; after 5 failures from one client
    /// on one name it waits 30 seconds, doubling with each failure up to an hour;
    /// `Secure` cookies when serving HTTPS (`tls_fingerprint` given).
    pub fn new(tls_fingerprint: Option<&str>, lease_days: u32) -> Self {
        Self {
            idle_timeout: chrono::Duration::minutes(15),
            max_session: chrono::Duration::hours(12),
            sign_in_backoff: crate::store::dashboard::SignInBackoff {
                free_failures: 5,
                first_delay: chrono::Duration::seconds(30),
                max_delay: chrono::Duration::hours(1),
            },
            secure_cookies: tls_fingerprint.is_some(),
            lease_days,
            tls_fingerprint: tls_fingerprint.map(str::to_owned),
            origins: crate::public_origin::PublicOrigins::HostUnder(if tls_fingerprint.is_some() {
                "https"
            } else {
                "http"
            }),
        }
    }
}

pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) dash: Arc<dyn DashboardStore>,
    /// Round escalations: the banner and its acknowledgement (ADR 0004).
    pub(crate) safety: Arc<dyn SafetyStore>,
    /// Rung when the dashboard stores something urgent (an alert, an
    /// acknowledgement) so that devices on the live channel hear it.
    pub(crate) bell: Bell,
    pub(crate) admin: Admin,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: DashboardConfig,
    /// Keys the sign-in form's CSRF token; new at each start.
    pub(crate) signin_key: [u8; 32],
    /// Verified against when a username is unknown, so that an unknown name
    /// takes as long to refuse as a wrong password.
    pub(crate) dummy_hash: String,
}

/// What every dashboard handler shares.
#[derive(Clone)]
pub struct DashboardState(pub(crate) Arc<Inner>);

impl std::fmt::Debug for DashboardState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DashboardState")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl DashboardState {
    /// The dashboard over a store that is both the sync store and the
    /// dashboard's (the SQLite backend is both), serving HTTPS when
    /// `tls_fingerprint` is given, taking forms from `origins` only.
    pub fn new(
        store: Arc<dyn Backend>,
        admin: Admin,
        server: &ServerConfig,
        tls_fingerprint: Option<&str>,
        origins: crate::public_origin::PublicOrigins,
        bell: Bell,
    ) -> Self {
        let mut config = DashboardConfig::new(tls_fingerprint, server.lease_days);
        config.origins = origins;
        Self::with_config(store, admin, server.clock.clone(), config, bell)
    }

    /// As [`DashboardState::new`] with every number given.
    pub fn with_config(
        store: Arc<dyn Backend>,
        admin: Admin,
        clock: Arc<dyn Clock>,
        config: DashboardConfig,
        bell: Bell,
    ) -> Self {
        DashboardState(Arc::new(Inner {
            store: store.clone(),
            dash: store.clone(),
            safety: store,
            bell,
            admin,
            clock,
            config,
            signin_key: nightround_core::crypto::random::array(),
            dummy_hash: auth::dummy_hash(),
        }))
    }

    pub(crate) fn now(&self) -> nightround_core::Timestamp {
        self.0.clock.now()
    }

    /// Appends to the audit log on the blocking pool; a failure to audit is
    /// a failure of the request.
    pub(crate) async fn audit(&self, entry: NewAuditEntry) -> Result<(), DashError> {
        let dash = self.0.dash.clone();
        blocking(move || Ok(dash.append_audit(&entry)?))
            .await
            .map(|_| ())
    }
}

/// Runs blocking store work off the async threads.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, DashError>
where
    F: FnOnce() -> Result<T, DashError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "a blocking dashboard task failed");
        DashError::Internal
    })?
}

/// The dashboard's routes, to merge beside the sync API.
pub fn router(state: DashboardState) -> Router {
    use pages::*;
    Router::new()
        .route("/", get(tonight::home))
        .route("/static/dashboard.css", get(pages::stylesheet))
        .route("/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/sign-out", post(sign_in::sign_out))
        .route("/tonight", get(tonight::page))
        .route("/people", get(people::list))
        .route("/people/{id}", get(people::person))
        .route("/people/{id}/links", get(links::page).post(links::link))
        .route("/people/links/{link}/unlink", post(links::unlink))
        .route("/people/{id}/shared-with", get(shared_with::page))
        .route("/people/{id}/subject-access", get(subject_access::export))
        .route(
            "/people/{id}/erase",
            get(erasure::confirm).post(erasure::erase),
        )
        .route("/referrals", get(referrals::board))
        .route("/referrals/{id}/status", post(referrals::set_status))
        .route("/referrals/{id}/escalate", post(referrals::escalate))
        .route("/referrals/{id}/form", get(referral_form::page))
        .route("/referrals/{id}/form.pdf", get(referral_form::pdf))
        .route(
            "/referrals/{id}/sent-by-hand",
            post(referral_form::mark_sent),
        )
        .route("/alerts", get(alerts::page).post(alerts::issue))
        .route("/alerts/{id}/end", post(alerts::end))
        .route("/safety/{id}/acknowledge", post(safety::acknowledge))
        .route("/supplies", get(supplies::page))
        .route("/supplies.csv", get(supplies::csv))
        .route("/devices", get(devices::page))
        .route("/devices/workers", post(devices::add_worker))
        .route("/devices/enrol", post(devices::enrol))
        .route(
            "/devices/{id}/revoke",
            get(devices::confirm_revoke).post(devices::revoke),
        )
        .route("/devices/accounts", post(devices::add_account))
        .route("/audit", get(audit::page))
        .route("/partnership", get(partnership::page))
        .route("/partnership/agreement", post(partnership::save))
        .route("/directory", get(directory::page).post(directory::save))
        .route("/directory/agencies/{id}", post(directory::save_agency))
        .route("/report", get(report::page))
        .route("/report/print", get(report::print))
        .route("/report/{table}", get(report::csv))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Whether a request that changes something comes from a page of this
/// dashboard: its `Origin` (when the browser sends one) is exactly one of
/// the server's public origins, scheme and port included, and the browser
/// does not say it is cross-site. The CSRF token is checked too; this refuses
/// a forged request before any handler runs.
pub fn is_same_origin(
    headers: &axum::http::HeaderMap,
    origins: &crate::public_origin::PublicOrigins,
) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return false;
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return true;
    };
    origins.allows(origin, text(header::HOST.as_str()))
}

async fn same_origin(
    axum::extract::State(state): axum::extract::State<DashboardState>,
    req: Request,
    next: Next,
) -> Response {
    use axum::http::Method;
    use axum::response::IntoResponse;
    if !matches!(*req.method(), Method::GET | Method::HEAD)
        && !is_same_origin(req.headers(), &state.0.config.origins)
    {
        tracing::warn!("a cross-site request to the dashboard was refused");
        return DashError::Forged.into_response();
    }
    next.run(req).await
}

/// Headers on every dashboard response: no scripts at all, no framing, no
/// caching of pages that show records, no referrer to other sites.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    // `same-origin`, not `no-referrer`: with `no-referrer` browsers send
    // `Origin: null` on form posts, which the same-origin check refuses.
    set(h, header::REFERRER_POLICY, "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    res
}
