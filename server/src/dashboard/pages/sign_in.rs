//! `GET/POST /sign-in`, `POST /sign-out`.
//!
//! A wrong username and a wrong password get the same answer after the same
//! work (an unknown name is verified against a dummy hash). Failures are
//! counted per (typed username, client address): after a few in a row that
//! client must wait before trying that name again, twice as long after each
//! further failure ([`crate::store::dashboard::SignInBackoff`]), and while it
//! waits the password is not checked. Nobody can lock the real user out from
//! elsewhere, and the answer is the same whether the name exists or not.
//! Every attempt is in the audit log; the typed username and password never are.

use super::html;
use crate::dashboard::auth::{self, SignedIn, SESSION_COOKIE, SIGNIN_COOKIE};
use crate::dashboard::{blocking, time, DashError, DashboardState};
use crate::store::dashboard::NewAuditEntry;
use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    csrf: String,
    message: Option<String>,
    username: String,
}

#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    expired: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// The pre-session cookie's value, making one when there is none.
fn pre_session(headers: &HeaderMap) -> (String, bool) {
    match auth::cookie(headers, SIGNIN_COOKIE) {
        Some(v) => (v.to_owned(), false),
        None => (auth::new_token(), true),
    }
}

fn page(
    state: &DashboardState,
    headers: &HeaderMap,
    status: StatusCode,
    message: Option<String>,
    username: String,
) -> Result<Response, DashError> {
    let (pre, new) = pre_session(headers);
    let body = SignInPage {
        csrf: auth::signin_csrf(&state.0.signin_key, &pre),
        message,
        username,
    };
    let mut res = html(&body)?;
    *res.status_mut() = status;
    if new {
        res.headers_mut().append(
            header::SET_COOKIE,
            auth::set_cookie(SIGNIN_COOKIE, &pre, state.0.config.secure_cookies),
        );
    }
    Ok(res)
}

/// `GET /sign-in`
pub async fn form(
    State(state): State<DashboardState>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Result<Response, DashError> {
    let message = q.expired.map(|_| {
        "You were signed out after a while without activity. Please sign in again.".to_owned()
    });
    page(&state, &headers, StatusCode::OK, message, String::new())
}

/// What checking the password found.
enum Outcome {
    /// This client must wait before trying this name again.
    Waiting(nightround_core::Timestamp),
    /// A wrong password, or a name nobody has (`worker_id` is `None`).
    Wrong {
        worker_id: Option<String>,
        wait_until: Option<nightround_core::Timestamp>,
    },
    Right {
        worker_id: String,
    },
}

/// `POST /sign-in`
pub async fn submit(
    State(state): State<DashboardState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, DashError> {
    let Ok(Form(form)) = form else {
        return Err(DashError::Invalid(
            "The sign-in form was incomplete.".into(),
        ));
    };
    let pre = auth::cookie(&headers, SIGNIN_COOKIE).ok_or(DashError::Forged)?;
    if !auth::same(&form.csrf, &auth::signin_csrf(&state.0.signin_key, pre)) {
        tracing::warn!("a sign-in form with a wrong CSRF token was refused");
        return Err(DashError::Forged);
    }
    let now = state.now();
    let config = state.0.config.clone();
    let dash = state.0.dash.clone();
    let store = state.0.store.clone();
    let dummy = state.0.dummy_hash.clone();
    let client = peer.ip().to_canonical().to_string();
    let username = form.username.trim().to_owned();
    let password = zeroize::Zeroizing::new(form.password);
    let outcome = blocking(move || {
        if let Some(until) = dash.sign_in_blocked_until(&username, &client, now)? {
            return Ok(Outcome::Waiting(until));
        }
        let account = dash.account_by_username(&username)?;
        let worker = match &account {
            Some(a) => store.worker(&a.worker_id)?,
            None => None,
        };
        let worker_id = match (account, worker) {
            (Some(account), Some(worker)) => {
                let right = auth::verify_password(&account.password_hash, &password);
                if right && worker.revoked_at.is_none() {
                    dash.clear_sign_in_failures(&username, &client)?;
                    dash.sign_in_succeeded(&worker.id, now)?;
                    dash.end_stale_sessions(now - config.idle_timeout, now - config.max_session)?;
                    return Ok(Outcome::Right {
                        worker_id: worker.id,
                    });
                }
                Some(worker.id)
            }
            _ => {
                auth::verify_password(&dummy, &password);
                None
            }
        };
        let wait_until =
            dash.note_sign_in_failure(&username, &client, now, &config.sign_in_backoff)?;
        Ok(Outcome::Wrong {
            worker_id,
            wait_until,
        })
    })
    .await?;
    let audit = |actor: &str, action: &str, detail: Option<String>| NewAuditEntry {
        at: now,
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: None,
        detail,
    };
    let typed = form.username.trim().chars().take(64).collect::<String>();
    let wait_message = |until: nightround_core::Timestamp| {
        format!(
            "The username or password is wrong, and there have been several failed \
             sign-ins from this address. Please wait until {} (UK time) before trying \
             again.",
            time::hms(until)
        )
    };
    match outcome {
        Outcome::Waiting(until) => {
            state
                .audit(audit("unknown", "sign_in_refused_waiting", None))
                .await?;
            let mut res = page(
                &state,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                Some(wait_message(until)),
                typed,
            )?;
            let secs = (until - now).num_seconds().max(1);
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(res)
        }
        Outcome::Wrong {
            worker_id,
            wait_until,
        } => {
            let actor = worker_id.as_deref().unwrap_or("unknown");
            let detail = worker_id.is_none().then(|| "unknown username".to_owned());
            state.audit(audit(actor, "sign_in_failed", detail)).await?;
            let msg = match wait_until {
                Some(until) => {
                    state
                        .audit(audit(
                            actor,
                            "sign_in_delayed",
                            Some(format!("until {}", time::day_hm(until))),
                        ))
                        .await?;
                    wait_message(until)
                }
                None => "The username or password is wrong.".to_owned(),
            };
            page(&state, &headers, StatusCode::UNAUTHORIZED, Some(msg), typed)
        }
        Outcome::Right { worker_id } => {
            let token = auth::new_token();
            let hash = auth::session_hash(&token);
            let dash = state.0.dash.clone();
            let w = worker_id.clone();
            blocking(move || Ok(dash.create_session(&hash, &w, now)?)).await?;
            state.audit(audit(&worker_id, "sign_in", None)).await?;
            let secure = state.0.config.secure_cookies;
            let mut res = Redirect::to("/tonight").into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                auth::set_cookie(SESSION_COOKIE, &token, secure),
            );
            h.append(
                header::SET_COOKIE,
                auth::clear_cookie(SIGNIN_COOKIE, secure),
            );
            Ok(res)
        }
    }
}

/// `POST /sign-out`
pub async fn sign_out(
    State(state): State<DashboardState>,
    who: SignedIn,
    Form(form): Form<super::CsrfForm>,
) -> Result<Response, DashError> {
    who.check_csrf(&form.csrf)?;
    let dash = state.0.dash.clone();
    let hash = who.token_hash;
    blocking(move || Ok(dash.end_session(&hash)?)).await?;
    state
        .audit(NewAuditEntry {
            at: state.now(),
            actor: who.worker.id.clone(),
            action: "sign_out".into(),
            subject: None,
            detail: None,
        })
        .await?;
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        auth::clear_cookie(SESSION_COOKIE, state.0.config.secure_cookies),
    );
    Ok(res)
}
