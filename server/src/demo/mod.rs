//! `nightround-server demo`: the whole product on one machine, with
//! synthetic aliases only.
//!
//! 1. starts the server on 127.0.0.1 with its embedded SQLite database in a
//!    fresh data directory;
//! 2. creates the partnership: organisations, the directory (Southend-like
//!    agencies, areas, supplies), workers, a supervisor's dashboard account
//!    (and a receiving agency's), whose credentials it prints;
//! 3. enrols simulated phones (outreach workers, a police officer, an
//!    agency's duty desk) with one-time codes through the real sync client,
//!    each with a real encrypted vault (`nightround_core::Vault`);
//! 4. drives a week of evening rounds through the real core and the real
//!    sync over loopback ([`scenario`]), with a progress bar;
//! 5. serves the dashboard until Ctrl-C.
//!
//! The phones' clock is a [`ManualClock`] moved through the week, so records
//! carry the evenings' times, referrals fall due and go overdue, and alerts
//! run out, exactly as they would have. The server keeps the real clock.

pub mod rng;
pub mod scenario;

use crate::config::ServerConfig;
use crate::dashboard::accounts;
use crate::error::{Result, ServerError};
use crate::server::{start, RunningServer};
use crate::Admin;
use nightround_core::clock::ManualClock;
use nightround_core::domain::{Directory, Role};
use nightround_core::keystore::MemoryKeyStore;
use nightround_core::sync::{Backoff, SyncOptions};
use nightround_core::vault::LockPolicy;
use nightround_core::Vault;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The simulated phones' PIN (they are unlocked by the demo, never by hand).
const DEMO_PIN: &str = "482916";

/// What the demo is asked to do.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// A new or empty directory; `None` makes one under the system's temp dir.
    pub data_dir: Option<PathBuf>,
    pub listen: SocketAddr,
    /// Whether `listen` was chosen by the user (a busy default port falls
    /// back to a free one).
    pub listen_given: bool,
    /// HTTPS with a self-signed certificate the phones pin.
    pub tls: bool,
    /// Evenings to simulate, tonight included.
    pub days: u32,
    pub seed: u64,
    /// Draw the progress bar.
    pub progress: bool,
    /// Run the week as if it were this moment: the server's clock stands
    /// still there (screenshots and tests); `None` is the real time.
    pub pretend_now: Option<nightround_core::Timestamp>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            data_dir: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            listen_given: false,
            tls: false,
            days: 7,
            seed: 2022,
            progress: true,
            pretend_now: None,
        }
    }
}

/// One simulated phone.
pub struct Phone {
    pub name: String,
    pub worker_id: String,
    pub role: Role,
    pub organisation: String,
    pub vault: Arc<Vault>,
    pub keystore: Arc<MemoryKeyStore>,
    pub path: PathBuf,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A dashboard sign-in the demo made.
#[derive(Clone)]
pub struct Credential {
    pub who: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("who", &self.who)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A running demo: the server, the phones, the phones' clock.
pub struct Demo {
    rt: tokio::runtime::Runtime,
    server: Option<RunningServer>,
    pub data_dir: PathBuf,
    pub url: String,
    pub cert_pem: Option<String>,
    pub clock: Arc<ManualClock>,
    pub phones: Vec<Phone>,
    pub credentials: Vec<Credential>,
    /// Organisation ids by role in the story.
    pub outreach_org: String,
    pub vineyard_org: String,
    pub police_org: String,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("url", &self.url)
            .field("data_dir", &self.data_dir)
            .field("phones", &self.phones)
            .finish_non_exhaustive()
    }
}

fn demo_err(what: &str, e: impl std::fmt::Display) -> ServerError {
    ServerError::Config(format!("demo: {what}: {e}"))
}

fn fresh_data_dir(given: Option<&Path>) -> Result<PathBuf> {
    let dir = match given {
        Some(d) => d.to_path_buf(),
        None => {
            let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
            std::env::temp_dir().join(format!("nightround-demo-{stamp}-{}", std::process::id()))
        }
    };
    if dir.exists() {
        let empty = std::fs::read_dir(&dir)
            .map_err(|e| ServerError::io("reading the demo data directory", &dir, e))?
            .next()
            .is_none();
        if !empty {
            return Err(ServerError::Config(format!(
                "{} is not empty; the demo needs a fresh data directory",
                dir.display()
            )));
        }
    }
    Ok(dir)
}

/// Sync options for the simulated phones: the real algorithm, short pauses.
pub fn sync_options() -> SyncOptions {
    SyncOptions {
        backoff: Backoff {
            base: Duration::from_millis(5),
            max: Duration::from_millis(50),
            attempts: 3,
        },
        timeout: Duration::from_secs(10),
        ..SyncOptions::default()
    }
}

impl Demo {
    /// Starts the server in a fresh data directory and sets up the
    /// partnership and its phones, with the phones' clock at `phones_from`.
    pub fn start(opts: &DemoOptions, phones_from: nightround_core::Timestamp) -> Result<Demo> {
        let data_dir = fresh_data_dir(opts.data_dir.as_deref())?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| demo_err("starting the runtime", e))?;
        let config = |listen| {
            let mut c = ServerConfig::new(&data_dir, listen);
            if let Some(t) = opts.pretend_now {
                c = c.with_clock(Arc::new(ManualClock::new(t)));
            }
            if opts.tls {
                c
            } else {
                c.plain_http()
            }
        };
        let server = match rt.block_on(start(config(opts.listen))) {
            Err(ServerError::Bind { .. }) if !opts.listen_given => {
                let any = SocketAddr::new(opts.listen.ip(), 0);
                rt.block_on(start(config(any)))?
            }
            other => other?,
        };
        let admin_config = config(opts.listen);
        let url = server.base_url();
        let cert_pem = server.tls_cert_pem().map(str::to_owned);
        let admin = server.admin().clone();
        let clock = Arc::new(ManualClock::new(phones_from));
        let mut demo = Demo {
            rt,
            server: Some(server),
            data_dir,
            url,
            cert_pem,
            clock,
            phones: Vec::new(),
            credentials: Vec::new(),
            outreach_org: String::new(),
            vineyard_org: String::new(),
            police_org: String::new(),
        };
        demo.set_up_partnership(&admin, &admin_config)?;
        Ok(demo)
    }

    fn set_up_partnership(&mut self, admin: &Admin, config: &ServerConfig) -> Result<()> {
        // The directory: Southend's agencies, areas and supplies, with the
        // service the women asked for and do not have yet.
        let mut dir = Directory::southend_defaults();
        dir.revision = 2;
        let mut dental = dir
            .agency("nurse_prescriber")
            .cloned()
            .ok_or_else(|| demo_err("the directory", "no nurse prescriber"))?;
        dental.id = "mobile_dental".into();
        dental.name = "Mobile dental service (wanted, not yet running)".into();
        dental.offers = "Dental care at the drop-in: asked for by the women".into();
        dental.opening_times = "Not yet running".into();
        dental.phone = "01702 000118".into();
        dir.agencies.push(dental);
        admin.set_directory(&dir)?;
        seed_example_partnership(admin, &dir)?;

        let aspirations = admin.create_organisation("Aspirations")?;
        let vineyard = admin.create_organisation("The Vineyard")?;
        let police = admin.create_organisation("Essex Police")?;
        let stars = admin.create_organisation("STARS")?;
        let harp = admin.create_organisation("HARP")?;
        self.outreach_org = aspirations.id.clone();
        self.vineyard_org = vineyard.id.clone();
        self.police_org = police.id.clone();

        let supervisor =
            admin.create_worker(&aspirations.id, "Dee Hollis", Role::Supervisor, None)?;
        let password = accounts::create_in_data_dir(config, &supervisor.id, "supervisor", None)?;
        self.credentials.push(Credential {
            who: "Dee Hollis, supervisor at Aspirations".into(),
            username: "supervisor".into(),
            password,
        });
        let harp_desk = admin.create_worker(
            &harp.id,
            "HARP duty desk",
            Role::ReceivingAgency,
            Some("harp"),
        )?;
        let password = accounts::create_in_data_dir(config, &harp_desk.id, "harp", None)?;
        self.credentials.push(Credential {
            who: "HARP duty desk (receiving agency: acknowledges referrals)".into(),
            username: "harp".into(),
            password,
        });

        let phones: [(&str, &str, Role, Option<&str>); 5] = [
            (&aspirations.id, "Sam", Role::OutreachWorker, None),
            (&aspirations.id, "Priya", Role::OutreachWorker, None),
            (&vineyard.id, "Jo", Role::OutreachWorker, None),
            (&police.id, "PC Hart", Role::PoliceOfficer, None),
            (
                &stars.id,
                "STARS duty desk",
                Role::ReceivingAgency,
                Some("stars"),
            ),
        ];
        for (org, name, role, agency) in phones {
            let worker = admin.create_worker(org, name, role, agency)?;
            self.enrol_phone(admin, &worker.id, name, role, org)?;
        }
        Ok(())
    }

    /// Enrols a new phone for a worker through the real sync client.
    pub fn enrol_phone(
        &mut self,
        admin: &Admin,
        worker_id: &str,
        name: &str,
        role: Role,
        organisation: &str,
    ) -> Result<()> {
        let code = admin.create_enrolment_code(worker_id)?;
        let (enrolment, identity) = nightround_core::sync::enrol(
            &self.url,
            self.cert_pem.as_deref(),
            &code.code,
            &format!("{name}'s phone"),
        )
        .map_err(|e| demo_err("enrolling a phone", e))?;
        let dir = self
            .data_dir
            .join("demo-phones")
            .join(crate::admin::slug(name));
        std::fs::create_dir_all(&dir)
            .map_err(|e| ServerError::io("making a demo phone's directory", &dir, e))?;
        let path = dir.join("vault.db");
        let keystore = Arc::new(MemoryKeyStore::new());
        let vault = Vault::create(
            &path,
            keystore.clone(),
            self.clock.clone(),
            DEMO_PIN,
            identity,
            Directory::southend_defaults(),
        )
        .map_err(|e| demo_err("creating a phone's vault", e))?;
        vault
            .set_lock_policy(LockPolicy {
                idle_timeout: chrono::Duration::days(365),
                ..LockPolicy::default()
            })
            .map_err(|e| demo_err("setting a phone's lock policy", e))?;
        vault
            .set_enrolment(enrolment)
            .map_err(|e| demo_err("keeping a phone's enrolment", e))?;
        self.phones.push(Phone {
            name: name.to_owned(),
            worker_id: worker_id.to_owned(),
            role,
            organisation: organisation.to_owned(),
            vault: Arc::new(vault),
            keystore,
            path,
        });
        Ok(())
    }

    /// The phone of the worker with this name.
    pub fn phone(&self, name: &str) -> Option<&Phone> {
        self.phones.iter().find(|p| p.name == name)
    }

    /// Administration on the running server.
    pub fn admin(&self) -> Result<&Admin> {
        self.server
            .as_ref()
            .map(RunningServer::admin)
            .ok_or_else(|| demo_err("the server", "not running"))
    }

    /// Runs one lone-worker watchdog step on the demo's clock now.
    pub fn watchdog_step(&self) -> Result<Vec<crate::store::safety::Escalation>> {
        self.server
            .as_ref()
            .ok_or_else(|| demo_err("the server", "not running"))?
            .watchdog_step()
    }

    /// The server's address.
    pub fn addr(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(RunningServer::addr)
    }

    /// The dashboard's address.
    pub fn dashboard_url(&self) -> String {
        format!("{}/", self.url)
    }

    /// Serves until Ctrl-C, then stops.
    pub fn serve_until_interrupted(mut self) -> Result<()> {
        let server = self.server.take();
        self.rt.block_on(async move {
            tokio::signal::ctrl_c()
                .await
                .map_err(|e| demo_err("waiting for Ctrl-C", e))?;
            println!("stopping");
            match server {
                Some(s) => s.shutdown().await,
                None => Ok(()),
            }
        })
    }

    /// Stops the server.
    pub fn shutdown(mut self) -> Result<()> {
        match self.server.take() {
            Some(s) => self.rt.block_on(s.shutdown()),
            None => Ok(()),
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            let _ = self.rt.block_on(s.shutdown());
        }
    }
}

/// The whole demo: set up, simulate the week with a progress bar, print the
/// dashboard's address and sign-ins, serve until Ctrl-C.
pub fn run(opts: &DemoOptions) -> Result<()> {
    let now = opts.pretend_now.unwrap_or_else(chrono::Utc::now);
    let plan = scenario::Plan::new(now, opts.days.max(1), opts.seed);
    println!("Nightround demo: synthetic aliases only, nothing leaves this machine.");
    let started = std::time::Instant::now();
    let mut demo = Demo::start(opts, plan.first_moment())?;
    println!("  data directory: {}", demo.data_dir.display());
    println!("  sync server:    {}", demo.url);
    let summary = scenario::simulate(&mut demo, &plan, opts.progress)?;
    println!(
        "Simulated {} evening rounds in {:.1} s: {} contacts with {} women, {} referrals \
         ({} overdue now), {} team alerts, {} syncs by {} phones.",
        summary.evenings,
        started.elapsed().as_secs_f64(),
        summary.contacts,
        summary.women,
        summary.referrals,
        summary.overdue,
        summary.alerts,
        summary.syncs,
        demo.phones.len()
    );
    println!();
    println!("Dashboard: {}", demo.dashboard_url());
    for c in &demo.credentials {
        println!("  {}", c.who);
        println!("    username: {}   password: {}", c.username, c.password);
    }
    if let Some(fp) = demo
        .server
        .as_ref()
        .and_then(RunningServer::tls_fingerprint)
    {
        println!("  certificate SHA-256 fingerprint: {fp}");
    }
    println!();
    println!(
        "The server keeps running for more phones (`nightround enrol`). Press Ctrl-C to stop."
    );
    demo.serve_until_interrupted()
}

/// The demo runs on the built-in example, and says so: the directory is
/// marked as the example, and the example agreement (with the wanted dental
/// service as a party, like the nurse prescriber) is stored.
fn seed_example_partnership(admin: &Admin, dir: &Directory) -> Result<()> {
    use crate::store::partnership::DirectoryOrigin;
    use nightround_core::domain::agreement::SharingAgreement;
    let mut agreement = SharingAgreement::southend_example();
    for agency in &dir.agencies {
        if agreement.controller(&agency.id).is_none() {
            let mut party = agreement
                .controller("nurse_prescriber")
                .cloned()
                .ok_or_else(|| demo_err("the agreement", "no nurse prescriber"))?;
            party.organisation_id = agency.id.clone();
            party.name = agency.name.clone();
            agreement.controllers.push(party);
        }
    }
    crate::partnership::save_agreement(admin, agreement)
        .map_err(|e| demo_err("the example agreement", e))?;
    admin
        .store()
        .set_directory_origin(DirectoryOrigin::Example)?;
    Ok(())
}
