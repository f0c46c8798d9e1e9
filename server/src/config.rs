//! How a server is started: where its data lives, where it listens, how it
//! speaks TLS, and the few numbers an operator may change.

use crate::error::{Result, ServerError};
use nightround_core::clock::{Clock, SystemClock};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Days a device may go without syncing before it locks itself.
pub const DEFAULT_LEASE_DAYS: u32 = 14;
/// How long an enrolment code stays valid.
pub const DEFAULT_CODE_TTL_MINUTES: i64 = 15;

/// How the server speaks to phones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSetting {
    /// Plain HTTP, for development and tests; refused unless the listen
    /// address is loopback.
    PlainLoopback,
    /// A self-signed certificate kept in `<data-dir>/tls/`, generated on the
    /// first start for these names (the phone pins it, so the names matter
    /// little). Empty means `localhost` and `127.0.0.1`.
    SelfSigned { hostnames: Vec<String> },
    /// A certificate chain and private key in PEM files given by the operator.
    Files { cert: PathBuf, key: PathBuf },
}

/// Everything [`crate::start`] needs.
#[derive(Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub tls: TlsSetting,
    /// Returned at enrolment: the phone locks after this many days unsynced.
    pub lease_days: u32,
    /// How long a new enrolment code is valid.
    pub enrolment_code_ttl: chrono::Duration,
    /// Where "now" comes from; tests inject a `ManualClock`.
    pub clock: Arc<dyn Clock>,
    /// How late a check-in or a round's end may be before it is raised.
    pub watch_rules: crate::store::safety::WatchRules,
    /// How often the watchdog looks.
    pub watchdog_every: std::time::Duration,
    /// A `postgres://` URL to keep everything in PostgreSQL; `None` keeps
    /// the embedded SQLite file in the data directory (the key stays there
    /// either way).
    pub database: Option<String>,
    /// The fallback information-sharing agreement (controllers and their
    /// lawful basis, the retention schedule), used only while the store
    /// holds none: the stored agreement, edited by the partnership
    /// administrator, wins (`Admin::agreement`).
    pub agreement: nightround_core::domain::agreement::SharingAgreement,
    /// How often the retention job runs (daily).
    pub retention_every: std::time::Duration,
    /// Requests allowed per client address and per device token
    /// ([`crate::throttle`]).
    pub rate_limits: crate::throttle::RateLimits,
    /// Pushes and pulls at once, and how long one waits before a `503`
    /// ([`crate::api::admission`]).
    pub admission: crate::api::admission::AdmissionLimits,
    /// `scheme://host[:port]` the dashboard is reached at (behind a reverse
    /// proxy, say); `None` derives it from the TLS names and the listen
    /// address ([`crate::public_origin`]).
    pub public_origin: Option<String>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("lease_days", &self.lease_days)
            .field("enrolment_code_ttl", &self.enrolment_code_ttl)
            // Never the URL: it may carry a password.
            .field("postgres", &self.database.is_some())
            .field("rate_limits", &self.rate_limits)
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
    /// The defaults: a self-signed certificate, a 14-day lease, 15-minute
    /// codes, the system clock.
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        Self {
            data_dir: data_dir.into(),
            listen,
            tls: TlsSetting::SelfSigned {
                hostnames: Vec::new(),
            },
            lease_days: DEFAULT_LEASE_DAYS,
            enrolment_code_ttl: chrono::Duration::minutes(DEFAULT_CODE_TTL_MINUTES),
            clock: Arc::new(SystemClock),
            watch_rules: crate::store::safety::WatchRules::default(),
            watchdog_every: std::time::Duration::from_secs(2),
            database: None,
            agreement: nightround_core::domain::agreement::SharingAgreement::southend_example(),
            retention_every: std::time::Duration::from_secs(24 * 60 * 60),
            rate_limits: crate::throttle::RateLimits::default(),
            admission: crate::api::admission::AdmissionLimits::default(),
            public_origin: None,
        }
    }

    /// Keeps everything in the PostgreSQL database at `url`.
    pub fn with_database(mut self, url: Option<String>) -> Self {
        self.database = url;
        self
    }

    /// Other admission limits (tests saturate a small one).
    pub fn with_admission(mut self, limits: crate::api::admission::AdmissionLimits) -> Self {
        self.admission = limits;
        self
    }

    /// Throttles with these limits instead of the defaults.
    pub fn with_rate_limits(mut self, limits: crate::throttle::RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Plain HTTP on loopback, for tests and development.
    pub fn plain_http(mut self) -> Self {
        self.tls = TlsSetting::PlainLoopback;
        self
    }

    /// Reads "now" from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Looks for quiet rounds this often (tests use a fraction of a second).
    pub fn with_watchdog_every(mut self, every: std::time::Duration) -> Self {
        self.watchdog_every = every;
        self
    }

    /// Takes dashboard forms only from `origin` (`https://host[:port]`).
    pub fn with_public_origin(mut self, origin: impl Into<String>) -> Self {
        self.public_origin = Some(origin.into());
        self
    }

    /// Refuses a configuration that cannot be run safely.
    pub fn validate(&self) -> Result<()> {
        if let Some(o) = &self.public_origin {
            if crate::public_origin::normalise(o).is_none() {
                return Err(ServerError::Config(format!(
                    "the public origin '{o}' is not of the form https://host[:port]"
                )));
            }
        }
        if self.tls == TlsSetting::PlainLoopback && !is_loopback(&self.listen) {
            return Err(ServerError::Config(format!(
                "plain HTTP is only allowed on a loopback address, not {}; \
                 drop --plain-http to serve HTTPS",
                self.listen
            )));
        }
        if self.lease_days == 0 {
            return Err(ServerError::Config("lease_days must be at least 1".into()));
        }
        if self.enrolment_code_ttl <= chrono::Duration::zero() {
            return Err(ServerError::Config(
                "the enrolment code lifetime must be positive".into(),
            ));
        }
        Ok(())
    }

    /// Where this server's files are.
    pub fn paths(&self) -> DataPaths {
        DataPaths::new(&self.data_dir)
    }
}

/// Whether an address only this machine can reach.
pub fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().to_canonical().is_loopback()
}

/// The files of a data directory, named in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPaths {
    root: PathBuf,
}

impl DataPaths {
    pub fn new(root: impl AsRef<Path>) -> Self {
        Self {
            root: root.as_ref().to_path_buf(),
        }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The SQLite database.
    pub fn database(&self) -> PathBuf {
        self.root.join("nightround-server.db")
    }
    /// The directory of the record key, kept outside the database.
    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }
    /// 32 random bytes: the key record bodies are sealed under.
    pub fn records_key(&self) -> PathBuf {
        self.keys_dir().join("server-records.key")
    }
    pub fn tls_dir(&self) -> PathBuf {
        self.root.join("tls")
    }
    /// The generated self-signed certificate, PEM.
    pub fn tls_cert(&self) -> PathBuf {
        self.tls_dir().join("server-cert.pem")
    }
    /// The generated certificate's private key, PEM, mode 0600.
    pub fn tls_key(&self) -> PathBuf {
        self.tls_dir().join("server-key.pem")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        let ok = ServerConfig::new("/tmp/x", "127.0.0.1:0".parse().unwrap()).plain_http();
        assert!(ok.validate().is_ok());
        let v6 = ServerConfig::new("/tmp/x", "[::1]:8443".parse().unwrap()).plain_http();
        assert!(v6.validate().is_ok());
        for addr in ["0.0.0.0:8080", "192.0.2.10:8080", "[::]:8080"] {
            let bad = ServerConfig::new("/tmp/x", addr.parse().unwrap()).plain_http();
            let err = bad.validate().unwrap_err().to_string();
            assert!(err.contains("loopback"), "{addr}: {err}");
            let tls = ServerConfig::new("/tmp/x", addr.parse().unwrap());
            assert!(tls.validate().is_ok(), "TLS is fine anywhere");
        }
    }
}
