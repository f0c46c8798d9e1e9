//! A real server on loopback and enrolled devices with real vault files, for
//! the end-to-end tests. The server runs on its own tokio runtime so that the
//! devices' blocking sync calls run on the test's thread, as on a phone's
//! background thread.

use nightround_core::clock::{Clock, SystemClock};
use nightround_core::domain::{Directory, Role};
use nightround_core::keystore::MemoryKeyStore;
use nightround_core::sync::{Backoff, SyncOptions};
use nightround_core::vault::LockPolicy;
use nightround_core::Vault;
use nightround_server::api::admission::AdmissionLimits;
use nightround_server::{start, Admin, RunningServer, ServerConfig};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const PIN: &str = "246810";

/// A sync server on 127.0.0.1 with its data in a temporary directory.
pub struct TestServer {
    rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    data: tempfile::TempDir,
    tls: bool,
    /// The server's clock, when a test moves it by hand.
    clock: Option<Arc<dyn Clock>>,
    /// Other admission limits (a test saturates a small one).
    admission: Option<AdmissionLimits>,
    /// The organisation every test device belongs to.
    pub org: String,
}

impl TestServer {
    /// Plain HTTP on loopback, or HTTPS with the server's self-signed
    /// certificate (which devices then pin).
    pub fn start(tls: bool) -> TestServer {
        Self::start_with_clock(tls, None)
    }

    /// As [`TestServer::start`] on the server clock `clock` (a test moves it
    /// to make a round overdue), with the watchdog looking ten times a second.
    pub fn start_with_clock(tls: bool, clock: Option<Arc<dyn Clock>>) -> TestServer {
        Self::start_with(tls, clock, None)
    }

    /// Plain HTTP, admitting pushes and pulls by `limits`.
    pub fn start_with_admission(limits: AdmissionLimits) -> TestServer {
        Self::start_with(false, None, Some(limits))
    }

    fn start_with(
        tls: bool,
        clock: Option<Arc<dyn Clock>>,
        admission: Option<AdmissionLimits>,
    ) -> TestServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let data = tempfile::tempdir().expect("a temp dir");
        let mut s = TestServer {
            rt,
            server: None,
            data,
            tls,
            clock,
            admission,
            org: String::new(),
        };
        s.boot();
        let org = s
            .admin()
            .create_organisation("Aspirations")
            .expect("an organisation");
        s.org = org.id;
        s
    }

    fn config(&self) -> ServerConfig {
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("an address");
        // SQLite, or PostgreSQL under NIGHTROUND_TEST_BACKEND=postgres (a
        // fresh database per server on scripts/pg.sh's cluster).
        let mut c = ServerConfig::new(self.data.path(), listen).with_database(self.postgres());
        if let Some(clock) = &self.clock {
            c = c
                .with_clock(clock.clone())
                .with_watchdog_every(Duration::from_millis(100));
        }
        if let Some(limits) = self.admission {
            c = c.with_admission(limits);
        }
        if self.tls {
            c
        } else {
            c.plain_http()
        }
    }

    fn boot(&mut self) {
        let config = self.config();
        let server = self.rt.block_on(start(config)).expect("the server starts");
        self.server = Some(server);
    }

    fn running(&self) -> &RunningServer {
        self.server.as_ref().expect("the server is running")
    }

    /// Stops the server and starts it again on the same data directory, as a
    /// deployment restarting mid-sync does. Returns its new address.
    pub fn restart(&mut self) -> SocketAddr {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown()).expect("the server stops");
        }
        self.boot();
        self.addr()
    }

    pub fn addr(&self) -> SocketAddr {
        self.running().addr()
    }

    pub fn url(&self) -> String {
        self.running().base_url()
    }

    /// The URL of the same server reached through another address (a proxy).
    pub fn url_via(&self, addr: SocketAddr) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{addr}/")
    }

    pub fn cert_pem(&self) -> Option<String> {
        self.running().tls_cert_pem().map(str::to_owned)
    }

    /// The SHA-256 fingerprint the dashboard puts in enrolment QR codes.
    pub fn tls_fingerprint(&self) -> Option<String> {
        self.running().tls_fingerprint().map(str::to_owned)
    }

    pub fn admin(&self) -> &Admin {
        self.running().admin()
    }

    /// One watchdog step on the server's clock; returns how many rounds it
    /// raised.
    pub fn watchdog_step(&self) -> usize {
        self.running()
            .watchdog_step()
            .expect("the watchdog step")
            .len()
    }

    /// The server's SQLite file (used only when [`TestServer::postgres`]
    /// is `None`).
    pub fn database(&self) -> PathBuf {
        nightround_server::DataPaths::new(self.data.path()).database()
    }

    /// The PostgreSQL database the server uses, when the tests run on it.
    pub fn postgres(&self) -> Option<String> {
        nightround_server::store::postgres::testing::test_database(self.data.path())
            .expect("a test database on NIGHTROUND_TEST_PG")
    }

    /// Runs SQL (no parameters; written for both backends) on the server's
    /// database and returns the rows as text.
    pub fn sql(&self, sql: &str) -> Vec<Vec<String>> {
        nightround_server::store::postgres::testing::sql_either(
            self.postgres().as_deref(),
            &self.database(),
            sql,
        )
        .expect("the query runs")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_path_buf()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            let _ = self.rt.block_on(s.shutdown());
        }
    }
}

/// One enrolled phone: a real vault file and its keystore.
pub struct Device {
    pub vault: Vault,
    pub worker_id: String,
    pub keystore: Arc<MemoryKeyStore>,
    pub dir: tempfile::TempDir,
}

impl Device {
    /// Creates a worker, a one-time code, enrols through `url` (the server or
    /// a proxy in front of it), and creates the vault.
    pub fn enrol(
        server: &TestServer,
        url: &str,
        name: &str,
        role: Role,
        agency: Option<&str>,
        clock: Arc<dyn Clock>,
    ) -> Device {
        Device::enrol_in(server, &server.org, url, name, role, agency, clock)
    }

    /// As [`Device::new`], for a worker of organisation `org` (an id from
    /// `Admin::create_organisation`).
    pub fn new_in(
        server: &TestServer,
        org: &str,
        name: &str,
        role: Role,
        agency: Option<&str>,
    ) -> Device {
        Device::enrol_in(
            server,
            org,
            &server.url(),
            name,
            role,
            agency,
            Arc::new(SystemClock),
        )
    }

    /// As [`Device::enrol`], for a worker of organisation `org`.
    pub fn enrol_in(
        server: &TestServer,
        org: &str,
        url: &str,
        name: &str,
        role: Role,
        agency: Option<&str>,
        clock: Arc<dyn Clock>,
    ) -> Device {
        let worker = server
            .admin()
            .create_worker(org, name, role, agency)
            .expect("a worker");
        let code = server
            .admin()
            .create_enrolment_code(&worker.id)
            .expect("a code");
        let cert = server.cert_pem();
        let (enrolment, identity) = nightround_core::sync::enrol(
            url,
            cert.as_deref(),
            &code.code,
            &format!("{name}'s phone"),
        )
        .expect("enrolment");
        let dir = tempfile::tempdir().expect("a temp dir");
        let keystore = Arc::new(MemoryKeyStore::new());
        let vault = Vault::create(
            dir.path().join("vault.db"),
            keystore.clone(),
            clock,
            PIN,
            identity,
            Directory::southend_defaults(),
        )
        .expect("a vault");
        vault
            .set_lock_policy(LockPolicy {
                idle_timeout: chrono::Duration::days(365),
                ..LockPolicy::default()
            })
            .expect("lock policy kept");
        vault.set_enrolment(enrolment).expect("enrolment kept");
        Device {
            vault,
            worker_id: worker.id,
            keystore,
            dir,
        }
    }

    /// As [`Device::enrol`] with the system clock, directly to the server.
    pub fn new(server: &TestServer, name: &str, role: Role, agency: Option<&str>) -> Device {
        Device::enrol(
            server,
            &server.url(),
            name,
            role,
            agency,
            Arc::new(SystemClock),
        )
    }

    pub fn vault_path(&self) -> PathBuf {
        self.dir.path().join("vault.db")
    }
}

/// Sync options for tests: the real algorithm with short pauses.
pub fn quick_sync() -> SyncOptions {
    SyncOptions {
        backoff: Backoff {
            base: Duration::from_millis(2),
            max: Duration::from_millis(20),
            attempts: 3,
        },
        timeout: Duration::from_secs(5),
        ..SyncOptions::default()
    }
}
