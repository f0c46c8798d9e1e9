//! HTTP for sync: reqwest with rustls, the server's certificate pinned.

use super::protocol::{
    EnrolRequest, EnrolResponse, ErrorBody, ErrorCode, LiveResponse, PullResponse, PushRequest,
    PushResponse,
};
use std::time::Duration;

/// Why a request failed, as sync needs to tell it apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer: no signal, a dropped connection, a timeout. Worth retrying.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error.
    #[error("server said {status}: {message}")]
    Server {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    /// The server's answer could not be read.
    #[error("unreadable answer from the server")]
    Decode,
    /// The configuration cannot work (bad URL, plain HTTP off loopback, bad PEM).
    #[error("{0}")]
    Config(String),
}

impl TransportError {
    /// Whether trying again later might succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            TransportError::Network(_) | TransportError::Decode => true,
            TransportError::Server { status, .. } => *status >= 500 || *status == 429,
            TransportError::Config(_) => false,
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            TransportError::Server { code, .. } => *code,
            _ => None,
        }
    }
}

/// A connection to one sync server.
pub struct HttpTransport {
    base: url::Url,
    http: reqwest::blocking::Client,
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl HttpTransport {
    /// Plain HTTP is accepted only to a loopback address. With a pinned
    /// certificate, it is the only root of trust.
    pub fn new(
        server_url: &str,
        pinned_cert_pem: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, TransportError> {
        let base = url::Url::parse(server_url)
            .map_err(|_| TransportError::Config("the server address is not a URL".into()))?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => {
                return Err(TransportError::Config(
                    "plain HTTP is only allowed to this machine; use https".into(),
                ))
            }
            _ => {
                return Err(TransportError::Config(
                    "the server address must be https".into(),
                ))
            }
        }
        let mut builder = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("nightround-core/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none());
        // Whom to trust is decided here, never by the platform: the pinned
        // certificate alone when there is one (the usual case), otherwise
        // Mozilla's bundled roots (a server with a public certificate).
        let roots: Vec<reqwest::Certificate> = match pinned_cert_pem {
            Some(pem) => vec![reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|_| {
                TransportError::Config("the pinned certificate is not valid PEM".into())
            })?],
            None => webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok())
                .collect(),
        };
        builder = builder.tls_certs_only(roots);
        let http = builder
            .build()
            .map_err(|_| TransportError::Config("could not set up HTTPS".into()))?;
        Ok(Self { base, http })
    }

    fn url(&self, path: &str) -> Result<url::Url, TransportError> {
        self.base
            .join(path)
            .map_err(|_| TransportError::Config("bad server path".into()))
    }

    fn read<T: serde::de::DeserializeOwned>(
        resp: reqwest::blocking::Response,
    ) -> Result<T, TransportError> {
        let status = resp.status();
        let bytes = resp
            .bytes()
            .map_err(|e| TransportError::Network(plain(&e)))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|_| TransportError::Decode);
        }
        let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        Err(TransportError::Server {
            status: status.as_u16(),
            code: body.as_ref().map(|b| b.error),
            message: body.map_or_else(|| status.to_string(), |b| b.message),
        })
    }

    pub fn enrol(&self, req: &EnrolRequest) -> Result<EnrolResponse, TransportError> {
        let resp = self
            .http
            .post(self.url("v1/enrol")?)
            .json(req)
            .send()
            .map_err(|e| TransportError::Network(plain(&e)))?;
        Self::read(resp)
    }

    pub fn push(&self, token: &str, req: &PushRequest) -> Result<PushResponse, TransportError> {
        let resp = self
            .http
            .post(self.url("v1/push")?)
            .bearer_auth(token)
            .json(req)
            .send()
            .map_err(|e| TransportError::Network(plain(&e)))?;
        Self::read(resp)
    }

    pub fn deliver_sealed(
        &self,
        token: &str,
        req: &super::protocol::SealedDelivery,
    ) -> Result<PushResponse, TransportError> {
        let resp = self
            .http
            .post(self.url("v1/deliver-sealed")?)
            .bearer_auth(token)
            .json(req)
            .send()
            .map_err(|e| TransportError::Network(plain(&e)))?;
        Self::read(resp)
    }

    pub fn pull(
        &self,
        token: &str,
        cursor: u64,
        limit: usize,
        directory_revision: u32,
    ) -> Result<PullResponse, TransportError> {
        let mut url = self.url("v1/pull")?;
        url.query_pairs_mut()
            .append_pair("cursor", &cursor.to_string())
            .append_pair("limit", &limit.to_string())
            .append_pair("directory_revision", &directory_revision.to_string())
            .append_pair("protocol", &super::protocol::PROTOCOL_VERSION.to_string());
        let resp = self
            .http
            .get(url)
            .bearer_auth(token)
            .send()
            .map_err(|e| TransportError::Network(plain(&e)))?;
        Self::read(resp)
    }
}

impl HttpTransport {
    /// Waits up to `wait` for something urgent stored after `after`; the
    /// request's own timeout is the wait plus the usual allowance.
    pub fn live(
        &self,
        token: &str,
        after: u64,
        wait: Duration,
        allowance: Duration,
    ) -> Result<LiveResponse, TransportError> {
        let mut url = self.url("v1/live")?;
        url.query_pairs_mut()
            .append_pair("after", &after.to_string())
            .append_pair("wait", &wait.as_secs().to_string())
            .append_pair("protocol", &super::protocol::PROTOCOL_VERSION.to_string());
        let resp = self
            .http
            .get(url)
            .bearer_auth(token)
            .timeout(wait + allowance)
            .send()
            .map_err(|e| TransportError::Network(plain(&e)))?;
        Self::read(resp)
    }
}

/// A reqwest error in words, without the URL (it can carry a query string).
fn plain(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading".into()
    } else {
        "connection failed".into()
    }
}
