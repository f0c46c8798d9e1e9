//! Where the server is reached from, for the dashboard's cross-site check:
//! a form that changes something must come with an `Origin` that is exactly
//! one of these, scheme and port included (`http://host` does not pass for
//! `https://host`). Given by the operator (`serve --public-origin`, behind a
//! reverse proxy) or derived at start from the TLS setting's host names, the
//! listen address and the bound port. Also here: HSTS on every HTTPS answer.

use crate::config::TlsSetting;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use std::net::SocketAddr;

/// `Strict-Transport-Security` on every HTTPS answer: a year, so a browser
/// that once reached the dashboard over HTTPS never tries plain HTTP.
pub const HSTS: &str = "max-age=31536000";

/// The origins a dashboard form may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicOrigins {
    /// Exactly these, `scheme://host[:port]`, lower case.
    Exact(Vec<String>),
    /// No name is known (operator's certificate on an unspecified address,
    /// no `--public-origin`): the `Host` header under this scheme.
    HostUnder(&'static str),
}

/// `scheme://host[:port]` lower case without a trailing slash, or `None`
/// when it is not an origin.
pub fn normalise(origin: &str) -> Option<String> {
    let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))?;
    if rest.is_empty() || rest.contains('/') || rest.contains('@') || rest.contains(' ') {
        return None;
    }
    Some(o)
}

fn with_port(scheme: &str, host: &str, port: u16) -> Vec<String> {
    let host = host.to_ascii_lowercase();
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host
    };
    let default = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
    let mut out = vec![format!("{scheme}://{host}:{port}")];
    if default {
        out.push(format!("{scheme}://{host}"));
    }
    out
}

impl PublicOrigins {
    /// The operator's origin when given, else the names this server answers
    /// to on `bound`.
    pub fn derive(configured: Option<&str>, tls: &TlsSetting, bound: SocketAddr) -> PublicOrigins {
        if let Some(o) = configured.and_then(normalise) {
            return PublicOrigins::Exact(vec![o]);
        }
        let scheme = match tls {
            TlsSetting::PlainLoopback => "http",
            _ => "https",
        };
        let mut hosts: Vec<String> = match tls {
            TlsSetting::SelfSigned { hostnames } if !hostnames.is_empty() => hostnames.clone(),
            TlsSetting::SelfSigned { .. } | TlsSetting::PlainLoopback => {
                vec!["localhost".into(), "127.0.0.1".into()]
            }
            TlsSetting::Files { .. } => Vec::new(),
        };
        let ip = bound.ip();
        if !ip.is_unspecified() {
            hosts.push(ip.to_string());
        }
        if crate::config::is_loopback(&bound) && ip.is_ipv6() {
            hosts.push("localhost".into());
        }
        if hosts.is_empty() {
            return PublicOrigins::HostUnder(scheme);
        }
        let mut out: Vec<String> = hosts
            .iter()
            .flat_map(|h| with_port(scheme, h, bound.port()))
            .collect();
        out.sort();
        out.dedup();
        PublicOrigins::Exact(out)
    }

    /// Whether `origin` (the request's `Origin` header) is one of these;
    /// `host` is the request's `Host` header.
    pub fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        let Some(origin) = normalise(origin) else {
            return false;
        };
        match self {
            PublicOrigins::Exact(list) => list.contains(&origin),
            PublicOrigins::HostUnder(scheme) => host
                .filter(|h| !h.is_empty())
                .is_some_and(|h| origin == format!("{scheme}://{}", h.to_ascii_lowercase())),
        }
    }

    /// The origin to put in enrolment QR codes, when only one is configured.
    pub fn single(&self) -> Option<&str> {
        match self {
            PublicOrigins::Exact(list) if list.len() == 1 => list.first().map(String::as_str),
            _ => None,
        }
    }
}

/// Adds HSTS to an answer (the HTTPS server maps every response through it).
pub async fn add_hsts(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_with_their_scheme_and_port() {
        let bound: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        let tls = TlsSetting::SelfSigned {
            hostnames: vec!["Outreach.example".into()],
        };
        let o = PublicOrigins::derive(None, &tls, bound);
        assert!(o.allows("https://outreach.example:8443", None));
        assert!(o.allows("https://127.0.0.1:8443", None));
        assert!(!o.allows("http://outreach.example:8443", None), "scheme");
        assert!(!o.allows("https://outreach.example:9443", None), "port");
        assert!(!o.allows("https://evil.example:8443", None));
        assert!(!o.allows("null", None));
        let plain = PublicOrigins::derive(None, &TlsSetting::PlainLoopback, bound);
        assert!(plain.allows("http://localhost:8443", None));
        assert!(!plain.allows("https://localhost:8443", None));
        let given = PublicOrigins::derive(Some("https://Dash.example/"), &tls, bound);
        assert_eq!(given.single(), Some("https://dash.example"));
        assert!(!given.allows("https://127.0.0.1:8443", None));
        let files = TlsSetting::Files {
            cert: "c".into(),
            key: "k".into(),
        };
        let any = PublicOrigins::derive(None, &files, "0.0.0.0:443".parse().unwrap());
        assert!(any.allows("https://dash.example", Some("dash.example")));
        assert!(!any.allows("http://dash.example", Some("dash.example")));
        assert_eq!(normalise("https://a.example/path"), None);
    }
}
