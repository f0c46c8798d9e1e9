//! Back-pressure for the sync API's store work (issue 11): at most
//! [`AdmissionLimits::concurrent`] pushes and pulls run at once (a tokio
//! `Semaphore`); a request that cannot start within
//! [`AdmissionLimits::wait`] is answered `503` with `Retry-After` and the
//! protocol's `{"error": "busy", ...}` body, which the phone honours, instead
//! of queueing until its own timeout cuts the connection. A store that
//! reports itself busy (SQLite `BUSY`/`LOCKED`, no pooled connection free)
//! is answered the same way ([`super::error::ApiError`]).

use super::error::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How much store work the sync API admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionLimits {
    /// Pushes and pulls running at once.
    pub concurrent: usize,
    /// How long a request may wait for its turn before a `503`; below the
    /// phone's own timeout (30 s), so it hears "busy", not silence.
    pub wait: Duration,
    /// The least `Retry-After` a `503` carries, in whole seconds; one more
    /// second for every `concurrent` requests still waiting, so a crowd
    /// sent away does not come back all at once.
    pub retry_after_secs: u64,
}

impl Default for AdmissionLimits {
    /// 64 at once (the blocking pool and the database's readers do the
    /// rest), a 20-second wait, "come back in 2 seconds" or more.
    fn default() -> Self {
        Self {
            concurrent: 64,
            wait: Duration::from_secs(20),
            retry_after_secs: 2,
        }
    }
}

/// The permits, shared by every admitted route.
#[derive(Debug, Clone)]
pub struct Admission {
    permits: Arc<Semaphore>,
    /// Requests waiting for a permit now.
    waiting: Arc<AtomicUsize>,
    limits: AdmissionLimits,
}

impl Admission {
    /// Permits for `limits` (at least one at a time).
    pub fn new(limits: AdmissionLimits) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(limits.concurrent.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            limits,
        }
    }
}

/// The middleware: waits for a permit, at most `wait`, then runs the
/// request holding it, or answers `503` busy.
pub async fn admit(State(admission): State<Admission>, req: Request, next: Next) -> Response {
    let waiting = Waiting::new(&admission.waiting);
    let permit = tokio::time::timeout(
        admission.limits.wait,
        admission.permits.clone().acquire_owned(),
    )
    .await;
    let ahead = waiting.ahead;
    drop(waiting);
    match permit {
        Ok(Ok(permit)) => {
            let res = next.run(req).await;
            drop(permit);
            res
        }
        _ => {
            let behind = (ahead / admission.limits.concurrent.max(1)) as u64;
            ApiError::busy(admission.limits.retry_after_secs + behind).into_response()
        }
    }
}

/// One request counted among those waiting, until it is dropped (also when
/// the client goes away mid-wait).
struct Waiting<'a> {
    count: &'a AtomicUsize,
    /// How many were waiting when this one came.
    ahead: usize,
}

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        let ahead = count.fetch_add(1, Ordering::Relaxed);
        Self { count, ahead }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}
