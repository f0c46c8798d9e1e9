//! Running the server in-process: [`start`] binds, serves and hands back a
//! [`RunningServer`] to ask for its address and to stop it. The binary,
//! the tests and (later) the demo all start it this way, so a test can stop
//! and restart a server on the same data directory.

use crate::admin::{open_data_dir, Admin};
use crate::api::{self, AppState};
use crate::config::ServerConfig;
use crate::dashboard::{self, DashboardState};
use crate::error::{Result, ServerError};
use crate::public_origin::{self, PublicOrigins};
use crate::store::safety::{Escalation, SafetyStore, WatchRules};
use crate::tls;
use crate::watchdog::{self, Bell};
use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use nightround_core::clock::Clock;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// A server serving on its own tasks.
pub struct RunningServer {
    addr: SocketAddr,
    handle: Handle<SocketAddr>,
    task: JoinHandle<std::io::Result<()>>,
    admin: Admin,
    tls: Option<tls::TlsMaterial>,
    watchdog: JoinHandle<()>,
    retention: JoinHandle<()>,
    safety: Arc<dyn SafetyStore>,
    clock: Arc<dyn Clock>,
    watch_rules: WatchRules,
    bell: Bell,
}

impl std::fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningServer")
            .field("addr", &self.addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

/// Opens the data directory (creating its key, database and certificate on
/// the first start), binds `config.listen` and serves until shut down.
pub async fn start(config: ServerConfig) -> Result<RunningServer> {
    config.validate()?;
    let (store, keys) = open_data_dir(&config)?;
    let tls = tls::prepare(&config.tls, &config.paths())?;
    let admin = Admin::new(store.clone(), &config, &keys);
    let fingerprint = tls.as_ref().map(|t| t.fingerprint.as_str());
    let bell = Bell::default();
    // Urgent records stored by another process on the same database ring
    // this process's bell too (PostgreSQL's LISTEN/NOTIFY).
    store.relay_bell(&bell);
    let safety_store: Arc<dyn SafetyStore> = store.clone();
    let watchdog = watchdog::spawn(
        store.clone(),
        config.clock.clone(),
        config.watch_rules,
        config.watchdog_every,
        bell.clone(),
    );
    let retention_job = {
        let agreements = store.clone();
        let fallback = config.agreement.retention.clone();
        crate::retention::spawn(
            store.clone(),
            config.clock.clone(),
            Arc::new(move || {
                Ok(agreements
                    .agreement()?
                    .map_or_else(|| fallback.clone(), |a| a.retention))
            }),
            config.retention_every,
        )
    };
    let state = AppState {
        safety: store.clone(),
        protection: store.clone(),
        bell: bell.clone(),
        store: store.clone(),
        clock: config.clock.clone(),
        code_key: keys.enrolment_codes.clone(),
        sealing: keys.sealing.clone(),
        lease_days: config.lease_days,
        admission: api::admission::Admission::new(config.admission),
        pull_pages: api::pull::page_turns(),
    };
    let bind_err = |source| ServerError::Bind {
        addr: config.listen,
        source,
    };
    let listener = std::net::TcpListener::bind(config.listen).map_err(bind_err)?;
    let addr = listener.local_addr().map_err(bind_err)?;
    let origins = PublicOrigins::derive(config.public_origin.as_deref(), &config.tls, addr);
    if let PublicOrigins::HostUnder(_) = origins {
        tracing::warn!(
            "no public origin is known (give --public-origin or --hostname); \
             dashboard forms are checked against the Host header"
        );
    }
    let dashboard = DashboardState::new(
        store.clone(),
        admin.clone(),
        &config,
        fingerprint,
        origins,
        bell.clone(),
    );
    let throttle = crate::throttle::Throttle::new(&config.rate_limits);
    let app = api::router(state)
        .merge(dashboard::router(dashboard))
        .layer(axum::middleware::from_fn_with_state(
            throttle,
            crate::throttle::limit,
        ));
    // Every HTTPS answer says to stay on HTTPS.
    let app = if tls.is_some() {
        app.layer(axum::middleware::map_response(public_origin::add_hsts))
    } else {
        app
    }
    // The client's address, for the throttle and sign-in failures.
    .into_make_service_with_connect_info::<SocketAddr>();
    let handle = Handle::new();
    let task = match &tls {
        None => {
            let server = axum_server::from_tcp(listener).map_err(bind_err)?;
            tokio::spawn(server.handle(handle.clone()).serve(app))
        }
        Some(material) => {
            let rustls = RustlsConfig::from_config(material.config.clone());
            let server = axum_server::from_tcp_rustls(listener, rustls).map_err(bind_err)?;
            tokio::spawn(server.handle(handle.clone()).serve(app))
        }
    };
    match &tls {
        Some(t) => tracing::info!(%addr, fingerprint = %t.fingerprint, "serving HTTPS"),
        None => tracing::info!(%addr, "serving plain HTTP on loopback"),
    }
    Ok(RunningServer {
        addr,
        handle,
        task,
        admin,
        tls,
        watchdog,
        retention: retention_job,
        safety: safety_store,
        clock: config.clock.clone(),
        watch_rules: config.watch_rules,
        bell,
    })
}

impl RunningServer {
    /// The bound address (the real port when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr` or `https://addr`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Administration on the same store.
    pub fn admin(&self) -> &Admin {
        &self.admin
    }

    /// The certificate's SHA-256 fingerprint, when serving HTTPS.
    pub fn tls_fingerprint(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.fingerprint.as_str())
    }

    /// The certificate phones pin, PEM, when serving HTTPS.
    pub fn tls_cert_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.cert_pem.as_str())
    }

    /// The lone-worker state, to read escalations (tests, the demo).
    pub fn safety(&self) -> Arc<dyn SafetyStore> {
        self.safety.clone()
    }

    /// Runs one watchdog step now, as the background task does every few
    /// seconds (tests drive the clock and call it directly).
    pub fn watchdog_step(&self) -> Result<Vec<Escalation>> {
        Ok(watchdog::step(
            self.safety.as_ref(),
            self.clock.as_ref(),
            &self.watch_rules,
            &self.bell,
        )?)
    }

    /// Stops accepting, lets requests in flight finish (up to five seconds),
    /// and waits until the server has let go of everything.
    pub async fn shutdown(self) -> Result<()> {
        self.watchdog.abort();
        let _ = self.watchdog.await;
        self.retention.abort();
        let _ = self.retention.await;
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        match self.task.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(source)) => Err(ServerError::Bind {
                addr: self.addr,
                source,
            }),
            Err(e) => Err(ServerError::Config(format!("the server task failed: {e}"))),
        }
    }
}
