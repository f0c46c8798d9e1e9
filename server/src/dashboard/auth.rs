//! Who is signed in: Argon2id passwords, session cookies, CSRF tokens.
//!
//! - A session is 256 random bits in an `HttpOnly`, `SameSite=Strict` cookie
//!   (`Secure` over HTTPS); the server keeps only its SHA-256. It ends after
//!   [`super::DashboardConfig::idle_timeout`] unused or
//!   [`super::DashboardConfig::max_session`] in all, at sign-out, and when
//!   her worker is revoked.
//! - Every form carries a CSRF token derived from the session secret (a
//!   different hash of it than the stored one), checked in constant time;
//!   the sign-in form's token is keyed to a pre-session cookie. Requests
//!   whose `Origin` names another site are refused before any handler runs.
//! - Passwords are Argon2id PHC strings (19 MiB, t=2, p=1).

use super::{blocking, DashError, DashboardState};
use crate::policy::Viewer;
use crate::store::{Organisation, Worker};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine;
use hmac::{Hmac, Mac};
use nightround_core::crypto::random;
use nightround_core::domain::{Role, WorkerIdentity};
use sha2::{Digest, Sha256};

/// The session cookie.
pub const SESSION_COOKIE: &str = "nr_session";
/// The pre-session cookie the sign-in form's CSRF token is tied to.
pub const SIGNIN_COOKIE: &str = "nr_signin";
/// The shortest password accepted when one is set by hand.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password looked at (Argon2 would take more, but nobody types it).
pub const MAX_PASSWORD_CHARS: usize = 256;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn argon2() -> Argon2<'static> {
    // Argon2id, version 0x13, m=19456 KiB, t=2, p=1: the library's defaults.
    Argon2::default()
}

/// The PHC string of a new password.
pub fn hash_password(password: &str) -> Result<String, DashError> {
    let salt_bytes: [u8; 16] = random::array();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| DashError::Internal)?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| DashError::Internal)
}

/// Whether `password` matches the PHC string (false for a damaged one).
pub fn verify_password(phc: &str, password: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    PasswordHash::new(phc).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, verified against for unknown usernames.
pub fn dummy_hash() -> String {
    let throwaway = B64.encode(random::array::<16>());
    hash_password(&throwaway).unwrap_or_default()
}

/// A password to hand to someone once: 16 characters that cannot be
/// confused when read aloud, in groups of four (about 79 bits).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let n = ALPHABET.len();
    let limit = 256 - (256 % n);
    let mut out = String::with_capacity(19);
    let mut chars = 0;
    while chars < 16 {
        for b in random::array::<32>() {
            if usize::from(b) < limit && chars < 16 {
                if chars > 0 && chars % 4 == 0 {
                    out.push('-');
                }
                out.push(char::from(ALPHABET[usize::from(b) % n]));
                chars += 1;
            }
        }
    }
    out
}

/// A new session token: 256 random bits, base64url.
pub fn new_token() -> String {
    B64.encode(zeroize::Zeroizing::new(random::array::<32>()).as_slice())
}

/// The stored form of a session token.
pub fn session_hash(token: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"nightround dashboard session v1\0");
    h.update(token.as_bytes());
    h.finalize().into()
}

/// The CSRF token of a session: another hash of its secret, so it cannot be
/// made without the cookie, and the stored hash does not give it away.
pub fn session_csrf(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"nightround dashboard csrf v1\0");
    h.update(token.as_bytes());
    B64.encode(h.finalize())
}

/// The sign-in form's CSRF token for a pre-session cookie value.
pub fn signin_csrf(key: &[u8; 32], pre: &str) -> String {
    // HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(b"nightround sign-in csrf v1\0");
    mac.update(pre.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// Compares two strings in time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request, if it is there once.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// A `Set-Cookie` value: host-only, whole site, script-proof, same-site only.
pub fn set_cookie(name: &str, value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The signed-in worker of a request.
#[derive(Clone)]
pub struct SignedIn {
    pub worker: Worker,
    pub organisation: Organisation,
    pub token_hash: [u8; 32],
    /// The token every form of this session carries.
    pub csrf: String,
    /// Lone-worker escalations not yet acknowledged, for a supervisor's
    /// banner on every page (ADR 0004); empty for other roles.
    pub safety: Vec<super::pages::safety::BannerRow>,
    /// One of the partnership's administrators (a supervisor who may also
    /// create police and agency identities, in any organisation).
    pub partnership_admin: bool,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("worker", &self.worker.id)
            .finish_non_exhaustive()
    }
}

impl SignedIn {
    /// The worker as the policy sees her.
    pub fn viewer(&self) -> Viewer<'_> {
        Viewer {
            role: self.worker.role,
            worker_id: &self.worker.id,
            organisation_id: &self.organisation.id,
            agency_id: self.worker.agency_id.as_deref(),
        }
    }

    /// The identity stamped on what she records from the dashboard.
    pub fn identity(&self) -> WorkerIdentity {
        WorkerIdentity {
            worker_id: self.worker.id.clone(),
            display_name: self.worker.display_name.clone(),
            role: self.worker.role,
            organisation: self.organisation.name.clone(),
        }
    }

    pub fn role(&self) -> Role {
        self.worker.role
    }

    pub fn is_supervisor(&self) -> bool {
        self.worker.role == Role::Supervisor
    }

    /// Refuses unless she is a supervisor.
    pub fn require_supervisor(&self) -> Result<(), DashError> {
        if self.is_supervisor() {
            Ok(())
        } else {
            Err(DashError::Forbidden)
        }
    }

    /// Who she is when creating or managing workers: a supervisor of her
    /// own organisation, or the partnership's administrator.
    pub fn granter(&self) -> Result<super::grants::Granter<'_>, DashError> {
        self.require_supervisor()?;
        Ok(if self.partnership_admin {
            super::grants::Granter::PartnershipAdmin
        } else {
            super::grants::Granter::Supervisor {
                organisation_id: &self.organisation.id,
            }
        })
    }

    /// Refuses a form whose token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), DashError> {
        if same(token, &self.csrf) {
            Ok(())
        } else {
            tracing::warn!(worker = %self.worker.id, "a dashboard form with a wrong CSRF token was refused");
            Err(DashError::Forged)
        }
    }
}

impl FromRequestParts<DashboardState> for SignedIn {
    type Rejection = DashError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &DashboardState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE)
            .ok_or(DashError::SignIn { expired: false })?
            .to_owned();
        let hash = session_hash(&token);
        let now = state.now();
        let config = state.0.config.clone();
        let dash = state.0.dash.clone();
        let session = blocking(move || {
            let Some(s) = dash.session(&hash)? else {
                return Ok(None);
            };
            let idle = now - s.last_seen_at > config.idle_timeout;
            let too_long = now - s.created_at > config.max_session;
            if idle || too_long || s.worker.revoked_at.is_some() {
                dash.end_session(&hash)?;
                return Ok(Some(Err(s.worker.revoked_at.is_none())));
            }
            if now - s.last_seen_at > chrono::Duration::seconds(5) {
                dash.touch_session(&hash, now)?;
            }
            Ok(Some(Ok(s)))
        })
        .await?;
        match session {
            None => Err(DashError::SignIn { expired: false }),
            Some(Err(expired)) => Err(DashError::SignIn { expired }),
            Some(Ok(s)) => {
                let safety = super::pages::safety::banner_for(state, &s.worker, now).await?;
                Ok(SignedIn {
                    worker: s.worker,
                    organisation: s.organisation,
                    token_hash: hash,
                    csrf: session_csrf(&token),
                    safety,
                    partnership_admin: s.partnership_admin,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batter"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn generated_passwords_are_long_and_varied() {
        let a = generate_password();
        assert_eq!(a.len(), 19);
        assert_eq!(a.matches('-').count(), 3);
        assert_ne!(a, generate_password());
    }

    #[test]
    fn tokens_and_cookies() {
        let t = new_token();
        assert_eq!(t.len(), 43);
        assert_ne!(session_csrf(&t), B64.encode(session_hash(&t)));
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; nr_session=xyz; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
        let c = set_cookie(SESSION_COOKIE, "v", true);
        assert_eq!(
            c.to_str().unwrap(),
            "nr_session=v; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
    }
}
