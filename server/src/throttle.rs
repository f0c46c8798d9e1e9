//! Throttling: GCRA rate limits (the `governor` crate) kept in memory, as
//! one axum middleware in front of every route. Per client address on
//! `POST /v1/enrol` and `POST /sign-in` (code and password guessing); per
//! device token on `/v1/push`, `/v1/pull`, `/v1/live` and
//! `/v1/deliver-sealed`, or per address when a request carries no token. A
//! refused request is answered `429` with `Retry-After` (whole seconds) and,
//! on `/v1`, the protocol's `{"error": "rate_limited", ...}` body; it reaches
//! no handler and changes nothing.
//!
//! The limits ([`RateLimits`], in [`crate::ServerConfig`]) sit far above a
//! phone's own pace (a sync every few minutes, a burst of batches after a
//! night offline) and far below a guessing loop's.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use nightround_core::sync::protocol::{ErrorBody, ErrorCode};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One limit: `burst` requests at once, then `per_minute` a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub per_minute: u32,
}

impl Limit {
    fn quota(self) -> Quota {
        let per_minute = NonZeroU32::new(self.per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::per_minute(per_minute).allow_burst(burst)
    }
}

/// The limits a deployment may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /v1/enrol`, per client address: a code is ten characters from
    /// 31, so guessing needs millions of tries; a supervisor enrolling a
    /// team's phones at one desk needs a few dozen.
    pub enrol_per_ip: Limit,
    /// `POST /sign-in`, per client address (each name is also slowed by
    /// failures on it: [`crate::store::dashboard::SignInBackoff`]).
    pub sign_in_per_ip: Limit,
    /// Push, pull, live and sealed delivery, per device token (or per
    /// address without one).
    pub sync_per_device: Limit,
}

impl Default for RateLimits {
    /// 20 enrolments at once then 10 a minute; 20 sign-ins then 10 a minute;
    /// 600 sync requests at once then 1,200 a minute per phone.
    fn default() -> Self {
        RateLimits {
            enrol_per_ip: Limit {
                burst: 20,
                per_minute: 10,
            },
            sign_in_per_ip: Limit {
                burst: 20,
                per_minute: 10,
            },
            sync_per_device: Limit {
                burst: 600,
                per_minute: 1200,
            },
        }
    }
}

/// Whom a sync request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SyncKey {
    /// A SHA-256 of the bearer token: the raw token is not kept here.
    Token([u8; 32]),
    Address(IpAddr),
}

/// The limiters of one running server.
pub struct Throttle {
    enrol: DefaultKeyedRateLimiter<IpAddr>,
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    sync: DefaultKeyedRateLimiter<SyncKey>,
    seen: AtomicU64,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").finish_non_exhaustive()
    }
}

/// Which limit a request falls under.
enum Class {
    Enrol,
    SignIn,
    Sync,
}

fn class(method: &Method, path: &str) -> Option<Class> {
    match (method, path) {
        (&Method::POST, "/v1/enrol") => Some(Class::Enrol),
        (&Method::POST, "/sign-in") => Some(Class::SignIn),
        (_, "/v1/push" | "/v1/pull" | "/v1/live" | "/v1/deliver-sealed") => Some(Class::Sync),
        _ => None,
    }
}

fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl Throttle {
    pub fn new(limits: &RateLimits) -> Arc<Throttle> {
        Arc::new(Throttle {
            enrol: RateLimiter::keyed(limits.enrol_per_ip.quota()),
            sign_in: RateLimiter::keyed(limits.sign_in_per_ip.quota()),
            sync: RateLimiter::keyed(limits.sync_per_device.quota()),
            seen: AtomicU64::new(0),
        })
    }

    /// `None` when the request may go on, else how long to wait.
    fn check(&self, req: &Request, ip: IpAddr) -> Option<std::time::Duration> {
        let class = class(req.method(), req.uri().path())?;
        // Forget clients whose buckets are full again, now and then, so
        // that addresses and tokens seen once do not pile up.
        if self.seen.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.enrol.retain_recent();
            self.sign_in.retain_recent();
            self.sync.retain_recent();
        }
        let verdict = match class {
            Class::Enrol => self.enrol.check_key(&ip),
            Class::SignIn => self.sign_in.check_key(&ip),
            Class::Sync => {
                let key = match bearer(req) {
                    Some(token) => SyncKey::Token(Sha256::digest(token.as_bytes()).into()),
                    None => SyncKey::Address(ip),
                };
                self.sync.check_key(&key)
            }
        };
        verdict
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The 429 answer: `Retry-After` in whole seconds (at least one), JSON on
/// the sync API, a short page elsewhere.
fn too_many(path: &str, wait: std::time::Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let mut res = if path.starts_with("/v1/") {
        (
            StatusCode::TOO_MANY_REQUESTS,
            Json(ErrorBody {
                error: ErrorCode::RateLimited,
                message: format!("too many requests; try again in {secs} seconds"),
            }),
        )
            .into_response()
    } else {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("Too many attempts from this address. Please try again in {secs} seconds."),
        )
            .into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// The middleware: refuses a request over its limit before any handler.
pub async fn limit(
    State(throttle): State<Arc<Throttle>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let ip = peer.ip().to_canonical();
    if let Some(wait) = throttle.check(&req, ip) {
        tracing::warn!(path = req.uri().path(), %ip, "a request over its rate limit was refused");
        return too_many(req.uri().path(), wait);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_take_their_burst_then_refuse() {
        let t = Throttle::new(&RateLimits {
            enrol_per_ip: Limit {
                burst: 3,
                per_minute: 1,
            },
            ..RateLimits::default()
        });
        let req = || {
            Request::builder()
                .method(Method::POST)
                .uri("/v1/enrol")
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        for _ in 0..3 {
            assert!(t.check(&req(), a).is_none());
        }
        let wait = t.check(&req(), a).expect("the fourth is refused");
        assert!(wait.as_secs() >= 10, "{wait:?}");
        assert!(t.check(&req(), b).is_none(), "another address is not");
        let page = Request::builder()
            .uri("/tonight")
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(t.check(&page, a).is_none(), "pages are not limited here");
        let res = too_many("/v1/enrol", wait);
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().contains_key(header::RETRY_AFTER));
    }
}
