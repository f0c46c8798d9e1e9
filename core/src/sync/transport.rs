//! HTTP for sync: ureq with rustls (ring), the server's certificate pinned.
//! ureq is blocking and needs no async runtime, which keeps tokio and hyper
//! out of the phones' library (scripts/lib-size.sh checks its size).
//!
//! Every request runs under a connect timeout, a read timeout and, for a
//! sync, an overall deadline and a [`SyncControl`] another thread may cancel
//! it through: the request runs on a helper thread and the caller waits in
//! short slices, so a server that accepts and never answers costs at most the
//! deadline, and a cancel returns within a fraction of a second. Failures
//! are told apart in plain words: a cut connection, a timeout, a refused
//! certificate, a server that is down.

use super::control::SyncControl;
use super::protocol::{
    EnrolRequest, EnrolResponse, ErrorBody, ErrorCode, LiveResponse, PullResponse, PushRequest,
    PushResponse,
};
use std::time::{Duration, Instant};

/// Why a request failed, as sync needs to tell it apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer: no signal, a dropped connection, a timeout. Worth retrying.
    /// The words say which, plainly.
    #[error("network: {0}")]
    Network(String),
    /// The server's certificate was refused (not the pinned one): retrying
    /// cannot help, and nothing was sent.
    #[error("the server's certificate was refused")]
    Certificate,
    /// Cancelled from another thread.
    #[error("the sync was cancelled")]
    Cancelled,
    /// The server answered with an error.
    #[error("server said {status}: {message}")]
    Server {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
        /// `Retry-After` on a 429 or 503: wait at least this long.
        retry_after: Option<Duration>,
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
            TransportError::Config(_) | TransportError::Certificate | TransportError::Cancelled => {
                false
            }
        }
    }

    /// How long the server asked us to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            TransportError::Server { retry_after, .. } => *retry_after,
            _ => None,
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
    agent: ureq::Agent,
    read_timeout: Duration,
    deadline: Option<Instant>,
    control: SyncControl,
}

/// How long a caller waits between looks at the cancel flag.
const SLICE: Duration = Duration::from_millis(50);

/// The most an answer's body may hold (a pulled page of a long history is a
/// few MB; ureq's own default would stop at 10 MB).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// One request, built here and sent on a helper thread.
struct Request {
    url: url::Url,
    token: Option<String>,
    /// A JSON body (a POST); `None` is a GET.
    json: Option<Vec<u8>>,
}

/// Status, `Retry-After` and body of an answer.
type Answer = (u16, Option<Duration>, Vec<u8>);

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl HttpTransport {
    /// The transport one sync uses: its connect and read timeouts, its
    /// overall deadline and its cancel handle.
    pub fn for_sync(
        server_url: &str,
        pinned_cert_pem: Option<&str>,
        options: &super::SyncOptions,
    ) -> Result<Self, TransportError> {
        Self::with_limits(
            server_url,
            pinned_cert_pem,
            options.connect_timeout,
            options.timeout,
            options.deadline,
            options.control.clone(),
        )
    }

    /// Plain HTTP is accepted only to a loopback address. With a pinned
    /// certificate, it is the only root of trust.
    pub fn new(
        server_url: &str,
        pinned_cert_pem: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, TransportError> {
        Self::with_limits(
            server_url,
            pinned_cert_pem,
            timeout.min(Duration::from_secs(10)),
            timeout,
            None,
            SyncControl::default(),
        )
    }

    /// As [`HttpTransport::new`] with each limit given: `connect` for the
    /// TCP and TLS set-up, `read` for each request, `deadline` for the whole
    /// sync, and `control` to cancel it from another thread.
    pub fn with_limits(
        server_url: &str,
        pinned_cert_pem: Option<&str>,
        connect: Duration,
        read: Duration,
        deadline: Option<Instant>,
        control: SyncControl,
    ) -> Result<Self, TransportError> {
        let timeout = read;
        // ring as the process's TLS crypto (a provider already installed,
        // say by a host app, is kept).
        let _ = rustls::crypto::ring::default_provider().install_default();
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
        // Whom to trust is decided here, never by the platform: the pinned
        // certificate alone when there is one (the usual case), otherwise
        // Mozilla's bundled roots (a server with a public certificate).
        // Mozilla's roots come bundled with ureq (webpki-roots: each root's
        // name and key, all a verifier reads), so the client never asks the
        // platform verifier (which needs JNI set-up on Android) whom to trust.
        let roots = match pinned_cert_pem {
            Some(pem) => {
                let cert = ureq::tls::Certificate::from_pem(pem.as_bytes()).map_err(|_| {
                    TransportError::Config("the pinned certificate is not valid PEM".into())
                })?;
                ureq::tls::RootCerts::new_with_certs(&[cert])
            }
            None => ureq::tls::RootCerts::WebPki,
        };
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(roots)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(connect.min(timeout)))
            .user_agent(concat!("nightround-core/", env!("CARGO_PKG_VERSION")))
            .max_redirects(0)
            .http_status_as_error(false)
            .tls_config(tls)
            .build()
            .into();
        Ok(Self {
            base,
            agent,
            read_timeout: timeout,
            deadline,
            control,
        })
    }

    /// Whether the caller should stop now (cancelled, or past the deadline).
    pub fn stopped(&self) -> Option<TransportError> {
        if self.control.is_cancelled() {
            return Some(TransportError::Cancelled);
        }
        match self.deadline {
            Some(d) if Instant::now() >= d => Some(TransportError::Network(
                "the server did not answer before the sync's time ran out".into(),
            )),
            _ => None,
        }
    }

    /// Sleeps `pause` (a backoff, a Retry-After) in slices, waking early to
    /// answer a cancel or the deadline.
    pub fn pause(&self, pause: Duration) -> Result<(), TransportError> {
        let until = Instant::now() + pause;
        loop {
            if let Some(stop) = self.stopped() {
                return Err(stop);
            }
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            std::thread::sleep(SLICE.min(until - now));
        }
    }

    /// Sends a request on a helper thread and waits for it in slices, so a
    /// cancel or the deadline ends the wait at once (the abandoned request
    /// ends on its own timeout). Returns status, Retry-After and body.
    fn exchange(&self, request: Request, timeout: Duration) -> Result<Answer, TransportError> {
        if let Some(stop) = self.stopped() {
            return Err(stop);
        }
        let timeout = match self.deadline {
            Some(d) => timeout.min(d.saturating_duration_since(Instant::now())),
            None => timeout,
        };
        let timeout = timeout.max(Duration::from_millis(1));
        let agent = self.agent.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("nightround-http".into())
            .spawn(move || {
                let _ = tx.send(run(&agent, request, timeout).map_err(|e| classify(&e)));
            })
            .map_err(|_| TransportError::Network("the phone could not start a request".into()))?;
        loop {
            match rx.recv_timeout(SLICE) {
                Ok(answer) => return answer,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(stop) = self.stopped() {
                        return Err(stop);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(TransportError::Network(CUT.into()))
                }
            }
        }
    }

    fn send<T: serde::de::DeserializeOwned>(&self, request: Request) -> Result<T, TransportError> {
        self.send_within(request, self.read_timeout)
    }

    fn send_within<T: serde::de::DeserializeOwned>(
        &self,
        request: Request,
        timeout: Duration,
    ) -> Result<T, TransportError> {
        let (status, retry_after, bytes) = self.exchange(request, timeout)?;
        Self::read(status, retry_after, &bytes)
    }

    /// A POST of `body` as JSON, with the device's token when given.
    fn post<B: serde::Serialize>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<Request, TransportError> {
        let json = serde_json::to_vec(body)
            .map_err(|_| TransportError::Config("the request could not be written".into()))?;
        Ok(Request {
            url: self.url(path)?,
            token: token.map(str::to_owned),
            json: Some(json),
        })
    }

    /// A GET of `url` with the device's token.
    fn get(url: url::Url, token: &str) -> Request {
        Request {
            url,
            token: Some(token.to_owned()),
            json: None,
        }
    }

    fn url(&self, path: &str) -> Result<url::Url, TransportError> {
        self.base
            .join(path)
            .map_err(|_| TransportError::Config("bad server path".into()))
    }

    fn read<T: serde::de::DeserializeOwned>(
        status: u16,
        retry_after: Option<Duration>,
        bytes: &[u8],
    ) -> Result<T, TransportError> {
        if (200..300).contains(&status) {
            return serde_json::from_slice(bytes).map_err(|_| TransportError::Decode);
        }
        let body: Option<ErrorBody> = serde_json::from_slice(bytes).ok();
        Err(TransportError::Server {
            status,
            code: body.as_ref().map(|b| b.error),
            message: body.map_or_else(|| status_words(status), |b| b.message),
            retry_after: retry_after.filter(|_| status == 429 || status == 503),
        })
    }

    pub fn enrol(&self, req: &EnrolRequest) -> Result<EnrolResponse, TransportError> {
        self.send(self.post("v1/enrol", None, req)?)
    }

    pub fn push(&self, token: &str, req: &PushRequest) -> Result<PushResponse, TransportError> {
        self.send(self.post("v1/push", Some(token), req)?)
    }

    pub fn deliver_sealed(
        &self,
        token: &str,
        req: &super::protocol::SealedDelivery,
    ) -> Result<PushResponse, TransportError> {
        self.send(self.post("v1/deliver-sealed", Some(token), req)?)
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
        self.send(Self::get(url, token))
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
        self.send_within(Self::get(url, token), wait + allowance)
    }
}

const CUT: &str = "the connection was cut while talking to the server";

/// Sends one request and reads its whole answer, on the helper thread.
fn run(agent: &ureq::Agent, request: Request, timeout: Duration) -> Result<Answer, ureq::Error> {
    let url = request.url.as_str();
    let bearer = request.token.map(|t| format!("Bearer {t}"));
    let response = match request.json {
        Some(json) => {
            let mut r = agent
                .post(url)
                .config()
                .timeout_global(Some(timeout))
                .build()
                .header("content-type", "application/json");
            if let Some(b) = &bearer {
                r = r.header("authorization", b);
            }
            r.send(&json[..])
        }
        None => {
            let mut r = agent
                .get(url)
                .config()
                .timeout_global(Some(timeout))
                .build();
            if let Some(b) = &bearer {
                r = r.header("authorization", b);
            }
            r.call()
        }
    };
    let mut response = response?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()?;
    Ok((status, retry_after, body))
}

/// A status without a readable error body, in words ("503 Service Unavailable").
fn status_words(status: u16) -> String {
    match ureq::http::StatusCode::from_u16(status) {
        Ok(s) => match s.canonical_reason() {
            Some(reason) => format!("{status} {reason}"),
            None => status.to_string(),
        },
        Err(_) => status.to_string(),
    }
}

/// A ureq error in plain words, without the URL (it can carry a query
/// string): a timeout, a refused certificate, a server that is down (the
/// connection refused), no network, or a connection cut half-way.
fn classify(e: &ureq::Error) -> TransportError {
    let mut chain = String::new();
    let mut refused = false;
    let mut timed_out = matches!(e, ureq::Error::Timeout(_));
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            refused |= io.kind() == std::io::ErrorKind::ConnectionRefused;
            timed_out |= io.kind() == std::io::ErrorKind::TimedOut;
        }
        chain.push_str(&err.to_string().to_lowercase());
        chain.push('\n');
        source = err.source();
    }
    if matches!(e, ureq::Error::Rustls(rustls::Error::InvalidCertificate(_)))
        || chain.contains("certificate")
        || chain.contains("unknownissuer")
    {
        return TransportError::Certificate;
    }
    TransportError::Network(
        if timed_out {
            "the server did not answer in time"
        } else if refused || chain.contains("connection refused") {
            "the server is down: it refused the connection"
        } else if matches!(e, ureq::Error::HostNotFound)
            || chain.contains("failed to lookup")
            || chain.contains("name or service not known")
        {
            "no network: the server's address could not be found"
        } else if matches!(e, ureq::Error::ConnectionFailed) {
            "could not connect to the server"
        } else {
            CUT
        }
        .into(),
    )
}

#[cfg(test)]
mod tests {
    //! The failures sync tells apart, against real sockets on loopback: a
    //! server that is down, one that cuts the connection, one that never
    //! answers, and an error answer with Retry-After. (A refused certificate
    //! is driven end to end by bindings/tests/kotlin/SyncLimitsTest.kt.)
    use super::*;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    /// Reads up to the end of a request's head.
    fn read_head(s: &mut TcpStream) {
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// A one-connection server on loopback doing `answer`; its URL.
    fn serve(answer: impl FnOnce(TcpStream) + Send + 'static) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            if let Ok((s, _)) = listener.accept() {
                answer(s);
            }
        });
        url
    }

    fn pull(url: &str, timeout: Duration) -> Result<PullResponse, TransportError> {
        HttpTransport::new(url, None, timeout)?.pull("token", 0, 10, 0)
    }

    fn words(e: TransportError) -> String {
        match e {
            TransportError::Network(w) => w,
            other => panic!("expected a network failure, got {other:?}"),
        }
    }

    #[test]
    fn a_server_that_is_down_is_told_apart_from_a_cut_connection() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let down =
            words(pull(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(5)).unwrap_err());
        assert!(down.contains("down"), "{down}");

        let url = serve(|mut s| {
            read_head(&mut s);
            drop(s);
        });
        let cut = words(pull(&url, Duration::from_secs(5)).unwrap_err());
        assert!(cut.contains("cut"), "{cut}");
    }

    #[test]
    fn a_server_that_never_answers_costs_the_timeout_not_more() {
        let url = serve(|mut s| {
            read_head(&mut s);
            std::thread::sleep(Duration::from_secs(5));
        });
        let started = Instant::now();
        let e = words(pull(&url, Duration::from_millis(400)).unwrap_err());
        assert!(e.contains("did not answer"), "{e}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn an_error_answer_keeps_its_status_and_retry_after() {
        let url = serve(|mut s| {
            read_head(&mut s);
            let body = b"not json";
            let _ = write!(
                s,
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(body);
        });
        match pull(&url, Duration::from_secs(5)).unwrap_err() {
            TransportError::Server {
                status,
                code,
                message,
                retry_after,
            } => {
                assert_eq!(status, 503);
                assert_eq!(code, None);
                assert_eq!(message, "503 Service Unavailable");
                assert_eq!(retry_after, Some(Duration::from_secs(7)));
            }
            other => panic!("expected the server's refusal, got {other:?}"),
        }
    }
}
