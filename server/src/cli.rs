//! The command line: `serve`, `demo`, and `admin` subcommands on a data
//! directory.

use clap::{Args, Parser, Subcommand, ValueEnum};
use nightround_core::domain::Role;
use nightround_server::{Admin, Result, ServerConfig, ServerError, TlsSetting};
use std::net::SocketAddr;
use std::path::PathBuf;
use uuid::Uuid;

/// Nightround's sync server.
#[derive(Debug, Parser)]
#[command(name = "nightround-server", version, about)]
pub struct Cli {
    /// Log more (-v: debug, -vv: trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// The most detailed log level asked for.
    pub fn log_level(&self) -> tracing::Level {
        match self.verbose {
            // The demo's progress bar and summary say what happens; its
            // hundreds of syncs would bury them.
            0 if matches!(self.command, Command::Demo(_)) => tracing::Level::WARN,
            0 => tracing::Level::INFO,
            1 => tracing::Level::DEBUG,
            _ => tracing::Level::TRACE,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the sync API and the supervisor dashboard until interrupted.
    Serve(ServeArgs),
    /// Start a server in a fresh data directory, simulate a week of evening
    /// rounds on simulated phones through the real sync, then serve the
    /// dashboard (synthetic aliases only).
    Demo(DemoArgs),
    /// Administer a data directory (the server may be running).
    Admin {
        /// The server's data directory.
        #[arg(long, global = true, default_value = "nightround-data")]
        data_dir: PathBuf,
        /// The PostgreSQL database the server was started with, if any.
        #[arg(long, global = true)]
        database: Option<String>,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The server's data directory (database, key, certificate).
    #[arg(long, default_value = "nightround-data")]
    data_dir: PathBuf,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// A PEM certificate chain; without it a self-signed one is made in the data directory.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A name for the generated certificate (repeatable); default localhost and 127.0.0.1.
    #[arg(long = "hostname")]
    hostnames: Vec<String>,
    /// Serve plain HTTP (loopback addresses only, for development).
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    plain_http: bool,
    /// Days a phone may go unsynced before it locks itself.
    #[arg(long, default_value_t = nightround_server::config::DEFAULT_LEASE_DAYS)]
    lease_days: u32,
    /// Keep everything in this PostgreSQL database (postgres://user@host:port/db)
    /// instead of the SQLite file in the data directory; the key stays there.
    #[arg(long)]
    database: Option<String>,
    /// The address people reach the dashboard at, `https://host[:port]`
    /// (behind a reverse proxy, say); default: from --hostname and --listen.
    #[arg(long)]
    public_origin: Option<String>,
    /// Import the partnership's directory (agencies, areas, supplies) from
    /// this JSON file before serving; a new revision phones receive.
    #[arg(long, conflicts_with = "example_directory")]
    directory: Option<PathBuf>,
    /// Serve the built-in Southend example directory (invented numbers; for
    /// trials). A data directory with no directory chosen refuses to start
    /// without this or --directory.
    #[arg(long)]
    example_directory: bool,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// A new or empty directory for the demo's data; default: a new one
    /// under the system's temporary directory.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Address and port to listen on (loopback); a busy default port falls
    /// back to a free one.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Serve HTTPS with a self-signed certificate (the phones pin it).
    #[arg(long)]
    tls: bool,
    /// Evening rounds to simulate, tonight's included.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=28))]
    days: u32,
    /// Seed of the simulated week (the same seed tells the same week).
    #[arg(long, default_value_t = 2022)]
    seed: u64,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    #[value(name = "outreach_worker")]
    OutreachWorker,
    #[value(name = "police_officer")]
    PoliceOfficer,
    #[value(name = "supervisor")]
    Supervisor,
    #[value(name = "receiving_agency")]
    ReceivingAgency,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::OutreachWorker => Role::OutreachWorker,
            RoleArg::PoliceOfficer => Role::PoliceOfficer,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::ReceivingAgency => Role::ReceivingAgency,
        }
    }
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Add a member organisation.
    AddOrg {
        #[arg(long)]
        name: String,
    },
    /// List organisations.
    Orgs,
    /// Add a worker to an organisation.
    AddWorker {
        /// Organisation id or name.
        #[arg(long)]
        org: String,
        /// The name her colleagues know her by.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The directory agency of a receiving-agency worker.
        #[arg(long)]
        agency: Option<String>,
    },
    /// List workers.
    Workers,
    /// Make a one-time enrolment code for a worker's phone.
    EnrolCode {
        #[arg(long)]
        worker: String,
        /// Minutes the code stays valid.
        #[arg(long, default_value_t = nightround_server::config::DEFAULT_CODE_TTL_MINUTES)]
        minutes: i64,
    },
    /// Shut one device out (its phone erases its data on the next sync).
    RevokeDevice {
        #[arg(long)]
        device: Uuid,
    },
    /// Shut out every device of a worker.
    RevokeWorker {
        #[arg(long)]
        worker: String,
    },
    /// List devices with their last sync.
    Devices,
    /// Link two person records that are the same woman (audited; both stay,
    /// nothing is merged). Prints the link id.
    LinkProfiles {
        #[arg(long)]
        a: Uuid,
        #[arg(long)]
        b: Uuid,
    },
    /// Undo a profile link (the link stays on record as undone; audited).
    UnlinkProfiles {
        #[arg(long)]
        link: Uuid,
    },
    /// List the live links of a person record.
    ProfileLinks {
        #[arg(long)]
        person: Uuid,
    },
    /// Give a worker a dashboard sign-in; prints a generated password once.
    DashboardAccount {
        #[arg(long)]
        worker: String,
        #[arg(long)]
        username: String,
        /// Make her (a supervisor) the partnership's administrator, who alone
        /// adds police officers and receiving-agency workers on the dashboard.
        #[arg(long)]
        partnership_admin: bool,
    },
    /// Set a new generated password for a dashboard sign-in; prints it once.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Back the database up to a file (SQLite: online, while serving;
    /// PostgreSQL: pg_dump). Back up keys/server-records.key separately.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup into this data directory (or the empty --database);
    /// its key file must already be in place. Stop the server first.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Copy this data directory's SQLite database into an empty PostgreSQL
    /// database (then serve with --database). Stop the server first.
    CopyToPostgres {
        /// postgres://user@host:port/db
        #[arg(long)]
        to: String,
    },
    /// Erase a woman: her record, contacts, consents and referrals become
    /// deletions that reach every phone; prints what was kept and why.
    Erase {
        #[arg(long)]
        person: Uuid,
        /// Who asked (a supervisor's worker id), for the audit.
        #[arg(long)]
        by: String,
    },
    /// Place (or with --lift, lift) a legal hold: the retention schedule
    /// leaves her records alone and erasure is refused.
    LegalHold {
        #[arg(long)]
        person: Uuid,
        #[arg(long)]
        by: String,
        #[arg(long)]
        lift: bool,
    },
    /// Run the retention schedule now (the server runs it daily).
    RetentionRun,
    /// Export everything held about a woman (third parties redacted), audited.
    SubjectAccess {
        #[arg(long)]
        person: Uuid,
        #[arg(long)]
        by: String,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
    },
    /// Print the audit chain's head (JSON), to keep outside the server.
    AuditAnchor,
    /// Verify the audit chain against an anchor printed by audit-anchor.
    VerifyAudit {
        /// The anchor's JSON.
        #[arg(long)]
        anchor: String,
    },
    /// The partnership's information-sharing agreement (JSON).
    #[command(subcommand)]
    Agreement(TransferCommand),
    /// The partnership's directory: agencies, areas, response times and
    /// supplies (JSON). An import is a new revision that phones receive.
    #[command(subcommand)]
    Directory(TransferCommand),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Html,
}

#[derive(Debug, Subcommand)]
enum TransferCommand {
    /// Check and store a JSON file (audited).
    Import { file: PathBuf },
    /// Print the stored one as JSON.
    Export,
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Demo(args) => demo(args),
        Command::Admin {
            data_dir,
            database,
            command,
        } => {
            let config = ServerConfig::new(data_dir, SocketAddr::from(([127, 0, 0, 1], 0)))
                .with_database(database);
            match command {
                AdminCommand::DashboardAccount {
                    worker,
                    username,
                    partnership_admin,
                } => {
                    use nightround_server::dashboard::accounts;
                    let password = if partnership_admin {
                        accounts::create_partnership_admin_in_data_dir(&config, &worker, &username)?
                    } else {
                        accounts::create_in_data_dir(&config, &worker, &username, None)?
                    };
                    println!("{password}");
                    eprintln!("the password for '{username}'; it is shown only this once");
                    if partnership_admin {
                        eprintln!("'{username}' is the partnership's administrator");
                    }
                    Ok(())
                }
                AdminCommand::ResetPassword { username } => {
                    let password = nightround_server::dashboard::accounts::reset_in_data_dir(
                        &config, &username,
                    )?;
                    println!("{password}");
                    eprintln!("the new password for '{username}'; it is shown only this once");
                    Ok(())
                }
                AdminCommand::Backup { to } => {
                    nightround_server::maintenance::backup(&config, &to)?;
                    println!("backed up to {}", to.display());
                    eprintln!(
                        "the backup holds sealed records only: keep a copy of {} apart from it",
                        config.paths().records_key().display()
                    );
                    Ok(())
                }
                AdminCommand::Restore { from } => {
                    nightround_server::maintenance::restore(&config, &from)?;
                    println!("restored {}", from.display());
                    Ok(())
                }
                AdminCommand::CopyToPostgres { to } => {
                    let report = nightround_server::maintenance::copy_to_postgres(&config, &to)?;
                    for (table, rows) in &report.tables {
                        println!("{table}\t{rows}");
                    }
                    println!(
                        "audit chain\t{} entries, head {} (the same as SQLite's)",
                        report.audit.entries,
                        report.audit.head.as_deref().unwrap_or("-")
                    );
                    eprintln!("copied; serve with --database and the same data directory");
                    Ok(())
                }
                AdminCommand::Agreement(transfer) => {
                    use nightround_server::partnership::data_dir;
                    match transfer {
                        TransferCommand::Import { file } => {
                            let revision = data_dir::import_agreement(&config, &file)?;
                            println!("sharing agreement stored at revision {revision}");
                        }
                        TransferCommand::Export => {
                            println!("{}", data_dir::export_agreement(&config)?)
                        }
                    }
                    Ok(())
                }
                AdminCommand::Directory(transfer) => {
                    use nightround_server::partnership::data_dir;
                    match transfer {
                        TransferCommand::Import { file } => {
                            let revision = data_dir::import_directory(&config, &file)?;
                            println!("directory stored at revision {revision}; phones receive it on their next sync");
                        }
                        TransferCommand::Export => {
                            println!("{}", data_dir::export_directory(&config)?)
                        }
                    }
                    Ok(())
                }
                command => admin(&Admin::open(&config)?, command),
            }
        }
    }
}

/// Threads for the store's blocking work (tokio's default is 512). Each
/// concurrent request otherwise gets a thread of its own, and each thread
/// keeps its stack and malloc cache: 200 phones syncing at once held 184 MiB
/// at peak against 103 MiB with 16 (docs/benchmarks.md, "Server memory").
/// More would not run sooner: SQLite has one writer and at most 8 readers,
/// PostgreSQL a pool of 16 connections; the rest wait in tokio's queue
/// (ADR 0018: no blocking task may wait for another).
const BLOCKING_THREADS: usize = 16;

fn serve(args: ServeArgs) -> Result<()> {
    let mut config = ServerConfig::new(args.data_dir, args.listen).with_database(args.database);
    config.lease_days = args.lease_days;
    config.public_origin = args.public_origin;
    config.tls = match (args.plain_http, args.tls_cert, args.tls_key) {
        (true, _, _) => TlsSetting::PlainLoopback,
        (false, Some(cert), Some(key)) => TlsSetting::Files { cert, key },
        _ => TlsSetting::SelfSigned {
            hostnames: args.hostnames,
        },
    };
    config.validate()?;
    {
        use nightround_server::partnership::startup::{prepare, DirectoryChoice};
        let choice = match (args.directory, args.example_directory) {
            (Some(file), _) => DirectoryChoice::Import(file),
            (None, true) => DirectoryChoice::Example,
            (None, false) => DirectoryChoice::Keep,
        };
        prepare(&Admin::open(&config)?, &choice)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
        .map_err(|e| ServerError::Config(format!("starting the runtime: {e}")))?;
    runtime.block_on(async {
        let server = nightround_server::start(config).await?;
        println!("listening on {}", server.base_url());
        if let Some(fp) = server.tls_fingerprint() {
            println!("certificate SHA-256 fingerprint: {fp}");
        }
        println!("dashboard: {}/", server.base_url());
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| ServerError::Config(format!("waiting for Ctrl-C: {e}")))?;
        println!("stopping");
        server.shutdown().await
    })
}

fn demo(args: DemoArgs) -> Result<()> {
    let defaults = nightround_server::demo::DemoOptions::default();
    let opts = nightround_server::demo::DemoOptions {
        data_dir: args.data_dir,
        listen: args.listen.unwrap_or(defaults.listen),
        listen_given: args.listen.is_some(),
        tls: args.tls,
        days: args.days,
        seed: args.seed,
        progress: !args.no_progress,
        pretend_now: None,
    };
    nightround_server::demo::run(&opts)
}

fn time(t: Option<nightround_core::Timestamp>) -> String {
    t.map_or_else(
        || "never".into(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

fn admin(admin: &Admin, command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::AddOrg { name } => {
            let org = admin.create_organisation(&name)?;
            println!("{}\t{}", org.id, org.name);
        }
        AdminCommand::Orgs => {
            for org in admin.organisations()? {
                println!("{}\t{}", org.id, org.name);
            }
        }
        AdminCommand::AddWorker {
            org,
            name,
            role,
            agency,
        } => {
            let w = admin.create_worker(&org, &name, role.into(), agency.as_deref())?;
            println!("{}", w.id);
        }
        AdminCommand::Workers => {
            for w in admin.workers()? {
                let revoked = if w.revoked_at.is_some() {
                    "\trevoked"
                } else {
                    ""
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}{revoked}",
                    w.id,
                    w.organisation_id,
                    w.display_name,
                    w.role.label(),
                    w.agency_id.as_deref().unwrap_or("-")
                );
            }
        }
        AdminCommand::EnrolCode { worker, minutes } => {
            let code = admin
                .create_enrolment_code_valid_for(&worker, chrono::Duration::minutes(minutes))?;
            println!("{}", code.code);
            eprintln!("valid until {}, once", time(Some(code.expires_at)));
        }
        AdminCommand::RevokeDevice { device } => {
            admin.revoke_device(device)?;
            println!("revoked device {device}");
        }
        AdminCommand::RevokeWorker { worker } => {
            admin.revoke_worker(&worker)?;
            println!("revoked worker {worker} and her devices");
        }
        AdminCommand::LinkProfiles { a, b } => {
            let link = admin.link_profiles(a, b)?;
            println!("{}", link.id);
        }
        AdminCommand::UnlinkProfiles { link } => {
            admin.unlink_profiles(link)?;
            println!("unlinked {link}");
        }
        AdminCommand::ProfileLinks { person } => {
            println!("link\tprofile\tlinked by\tlinked at");
            for l in admin.profile_links(person)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    l.id,
                    l.other(person),
                    l.linked_by,
                    time(Some(l.linked_at))
                );
            }
        }
        AdminCommand::DashboardAccount { .. }
        | AdminCommand::ResetPassword { .. }
        | AdminCommand::Backup { .. }
        | AdminCommand::Restore { .. }
        | AdminCommand::CopyToPostgres { .. }
        | AdminCommand::Agreement(_)
        | AdminCommand::Directory(_) => {
            return Err(ServerError::Config(
                "dashboard accounts, backups, the copy, the agreement and the directory are handled before opening the admin".into(),
            ));
        }
        AdminCommand::Erase { person, by } => {
            let answer = admin.erase_person(person, &by).map_err(|e| match e {
                nightround_server::erasure::ErasureError::Store(e) => ServerError::Store(e),
                other => ServerError::Invalid(other.to_string()),
            })?;
            println!("erased {person}: {} records deleted", answer.deleted.len());
            for (kind, id) in &answer.deleted {
                println!("deleted\t{}\t{id}", kind.as_str());
            }
            for id in &answer.unlinked {
                println!("link removed\tconcern\t{id}");
            }
            for k in &answer.kept {
                println!("kept\t{}\t{}\t{}", k.kind.as_str(), k.id, k.reason);
            }
        }
        AdminCommand::LegalHold { person, by, lift } => {
            admin.set_legal_hold(person, !lift, &by)?;
            println!(
                "legal hold {} for {person}",
                if lift { "lifted" } else { "placed" }
            );
        }
        AdminCommand::RetentionRun => {
            let run = admin.run_retention()?;
            println!(
                "deleted {}; kept for a legal hold {}",
                run.total(),
                run.held
            );
            for (kind, n) in &run.deleted {
                println!("{}\t{n}", kind.as_str());
            }
        }
        AdminCommand::SubjectAccess { person, by, format } => {
            let export = admin.subject_access(person, &by)?;
            match format {
                ExportFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&export)
                        .map_err(|e| ServerError::Invalid(e.to_string()))?
                ),
                ExportFormat::Html => println!(
                    "{}",
                    nightround_server::subject_access::render_html(&export)
                        .map_err(|e| ServerError::Invalid(e.to_string()))?
                ),
            }
        }
        AdminCommand::AuditAnchor => match admin.audit_anchor()? {
            Some(a) => println!(
                "{}",
                serde_json::to_string(&a).map_err(|e| ServerError::Invalid(e.to_string()))?
            ),
            None => println!("the audit chain is empty"),
        },
        AdminCommand::VerifyAudit { anchor } => {
            let anchor: nightround_server::audit_anchor::AuditAnchor =
                serde_json::from_str(&anchor).map_err(|e| {
                    ServerError::Invalid(format!("the anchor could not be read: {e}"))
                })?;
            let check = admin.verify_audit_anchor(&anchor)?;
            println!(
                "{}",
                serde_json::to_string(&check).map_err(|e| ServerError::Invalid(e.to_string()))?
            );
            if !matches!(
                check,
                nightround_server::audit_anchor::AnchorCheck::Intact { .. }
            ) {
                return Err(ServerError::Invalid(
                    "the audit chain does not reach the anchor".into(),
                ));
            }
        }
        AdminCommand::Devices => {
            println!("device\tname\tworker\trole\torganisation\tlast sync\tstate");
            for d in admin.devices()? {
                let state = if d.revoked {
                    "revoked"
                } else if d.lease_expired {
                    "lease expired"
                } else {
                    "active"
                };
                let duress = match d.duress_reported_at {
                    Some(at) => format!("\tDURESS PIN USED {}", time(Some(at))),
                    None => String::new(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{state}{duress}",
                    d.device_id,
                    d.name,
                    d.worker_name,
                    d.role.label(),
                    d.organisation,
                    time(d.last_sync_at)
                );
            }
        }
    }
    Ok(())
}
