//! D phones syncing R records each, all at once, against the release server
//! started as its own process (so its peak RSS and CPU time are its own).
//! Run through `scripts/load-bench.sh`, which builds the server, runs both
//! layouts and then the same load against express-pouchdb; by hand:
//!
//! ```sh
//! cargo build --release -p nightround-server
//! cargo bench -p nightround-e2e --bench load -- \
//!     --server target/release/nightround-server --devices 200 --records 500 --layout per-org
//! ```
//!
//! The phones are in-process clients on the real core (as the server's demo
//! does): each has its own encrypted vault file and its own sync client
//! (TLS, the server's self-signed certificate pinned) on its own thread.
//! Records are made before the clock starts; the timed part is one
//! `Vault::sync` per phone (push all, then pull until the server has no
//! more), all phones released together. Layouts: `per-org` (each phone in
//! an organisation of its own) and `one-org` (all in one, where every phone
//! also pulls its colleagues' records). Prints figures; asserts no timing.
//!
//! Backends: SQLite in the data directory (the default), or PostgreSQL with
//! `--database postgres://…` (an empty database; the script makes a fresh
//! one per run in a throw-away cluster, `scripts/pg.sh`). With `--pg-pid`
//! (the postmaster's pid) it also prints the cluster's processes' CPU time
//! during the timed part and their memory at its end.
//!
//! Enrolment is throttled per client address (`server/src/throttle.rs`:
//! 20 at once, then 10 a minute), and every phone here enrols from
//! 127.0.0.1; so phones are enrolled in batches of [`ENROL_BATCH`], the
//! server process restarted between batches (its limiter lives in memory),
//! and the timed part runs on a freshly started process.

use nightround_core::clock::SystemClock;
use nightround_core::domain::*;
use nightround_core::keystore::MemoryKeyStore;
use nightround_core::sync::SyncOptions;
use nightround_core::vault::LockPolicy;
use nightround_core::Vault;
use nightround_server::{Admin, ServerConfig};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const PIN: &str = "135790";

/// Phones enrolled per server process: the default enrolment burst.
const ENROL_BATCH: usize = 20;

struct Args {
    server: PathBuf,
    devices: usize,
    records: usize,
    layout: String,
    database: Option<String>,
    pg_pid: Option<u32>,
}

fn args() -> Args {
    let mut a = Args {
        server: PathBuf::from("target/release/nightround-server"),
        devices: 200,
        records: 500,
        layout: "per-org".into(),
        database: None,
        pg_pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--server" => a.server = value().into(),
            "--devices" => a.devices = value().parse().expect("--devices N"),
            "--records" => a.records = value().parse().expect("--records N"),
            "--layout" => a.layout = value(),
            "--database" => a.database = Some(value()),
            "--pg-pid" => a.pg_pid = Some(value().parse().expect("--pg-pid PID")),
            _ => {} // cargo bench passes --bench
        }
    }
    assert!(
        a.layout == "per-org" || a.layout == "one-org",
        "--layout per-org|one-org"
    );
    a
}

/// The server process; killed when dropped.
struct ServerProcess {
    child: Child,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("an address")
}

fn start_server(
    bin: &Path,
    data: &Path,
    database: Option<&str>,
    listen: SocketAddr,
) -> ServerProcess {
    // Its log beside the data directory, shown if it does not start.
    let log_path = data.with_extension("log");
    let log = std::fs::File::create(&log_path).expect("the server's log file");
    let mut cmd = Command::new(bin);
    // The bench's own allocator setting (scripts/load-bench.sh) is not the
    // server's: it runs as it would in production.
    cmd.env_remove("MALLOC_MMAP_THRESHOLD_");
    // The built-in example directory: the phones' areas and supplies.
    cmd.arg("serve")
        .arg("--example-directory")
        .arg("--data-dir")
        .arg(data)
        .arg("--listen")
        .arg(listen.to_string());
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
    let server = ServerProcess { child };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(listen).is_err() {
        assert!(
            Instant::now() < deadline,
            "the server did not start: {}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// (VmHWM in KiB, user+system CPU seconds) of a process.
fn usage(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and
    // stime are the 12th and 13th of those.
    let after = stat.rsplit_once(')').map_or("", |(_, s)| s);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let hz = 100.0; // USER_HZ is 100 on Linux.
    (hwm, (ticks(11) + ticks(12)) / hz)
}

/// The PostgreSQL cluster's processes: the postmaster and its children.
fn pg_tree(postmaster: u32) -> Vec<u32> {
    let mut pids = vec![postmaster];
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after = stat.rsplit_once(')').map_or("", |(_, s)| s);
        // The parent's pid is the second field after the command name.
        if after.split_whitespace().nth(1) == Some(&postmaster.to_string()) {
            pids.push(pid);
        }
    }
    pids
}

/// The cluster's CPU seconds so far: its live processes' user+system time
/// plus what the postmaster has reaped of children that ended.
fn pg_cpu(postmaster: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{postmaster}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, s)| s);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let reaped = (ticks(13) + ticks(14)) / 100.0;
    reaped
        + pg_tree(postmaster)
            .into_iter()
            .map(|p| usage(p).1)
            .sum::<f64>()
}

/// (processes, summed PSS in KiB, summed VmHWM in KiB) of the cluster now.
/// PSS shares shared buffers out between the processes that touched them;
/// the VmHWM sum counts them once per process, so it overstates.
fn pg_memory(postmaster: u32) -> (usize, u64, u64) {
    let pids = pg_tree(postmaster);
    let pss = pids
        .iter()
        .map(|p| {
            std::fs::read_to_string(format!("/proc/{p}/smaps_rollup"))
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum();
    let hwm = pids.iter().map(|p| usage(*p).0).sum();
    (pids.len(), pss, hwm)
}

fn contact(i: usize) -> ContactDraft {
    ContactDraft {
        person_id: None,
        at: None,
        area_id: if i.is_multiple_of(2) {
            "york_road"
        } else {
            "ambleside_drive"
        }
        .into(),
        kind: ContactKind::OutreachConversation,
        wellbeing: if i.is_multiple_of(5) {
            vec![WellbeingFlag::Distressed]
        } else {
            vec![]
        },
        note: i
            .is_multiple_of(4)
            .then(|| "Talked about the drop-in on Thursday".into()),
        supplies: vec![SupplyLine {
            item_id: "condoms".into(),
            quantity: 5,
        }],
        safeguarding_acknowledged: false,
    }
}

fn main() {
    let a = args();
    // The server's data on disk, as deployed; the phones' vaults on tmpfs
    // when there is one (their fsyncs are not what is measured).
    let work = tempfile::tempdir().expect("a temp dir");
    let data = work.path().join("server");
    let phones_dir = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("a temp dir for the phones");
    let listen = free_port();
    let database = a.database.as_deref();
    let backend = if database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let mut server = start_server(&a.server, &data, database, listen);
    let url = format!("https://{listen}/");
    let config = ServerConfig::new(&data, listen).with_database(a.database.clone());
    let admin = Admin::open(&config).expect("the data directory opens for administration");
    let cert =
        std::fs::read_to_string(config.paths().tls_cert()).expect("the server's certificate");

    let setup = Instant::now();
    let shared_org = (a.layout == "one-org").then(|| {
        admin
            .create_organisation("Load test")
            .expect("an organisation")
            .id
    });
    let mut phones = Vec::with_capacity(a.devices);
    for d in 0..a.devices {
        if d > 0 && d % ENROL_BATCH == 0 {
            // A fresh limiter for the next batch (see the module's doc).
            drop(server);
            server = start_server(&a.server, &data, database, listen);
        }
        let org = match &shared_org {
            Some(o) => o.clone(),
            None => {
                admin
                    .create_organisation(&format!("Load org {d}"))
                    .expect("an organisation")
                    .id
            }
        };
        let worker = admin
            .create_worker(&org, &format!("Worker {d}"), Role::OutreachWorker, None)
            .expect("a worker");
        let code = admin.create_enrolment_code(&worker.id).expect("a code");
        let (enrolment, identity) =
            nightround_core::sync::enrol(&url, Some(&cert), &code.code, &format!("phone {d}"))
                .unwrap_or_else(|e| {
                    let log =
                        std::fs::read_to_string(data.with_extension("log")).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(20).collect();
                    panic!(
                        "enrolment of phone {d}: {e:?}\nthe server's log, last lines first:\n{}",
                        tail.join("\n")
                    )
                });
        let vault = Vault::create(
            phones_dir.path().join(format!("phone-{d}.db")),
            Arc::new(MemoryKeyStore::new()),
            Arc::new(SystemClock),
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
        for i in 0..a.records {
            vault.record_contact(contact(i)).expect("a contact");
        }
        phones.push(vault);
    }
    // The timed part on a fresh process, so its peak RSS is this load's.
    drop(server);
    let server = start_server(&a.server, &data, database, listen);
    let pid = server.child.id();
    let setup_s = setup.elapsed().as_secs_f64();
    let (_, cpu_before) = usage(pid);
    let pg_cpu_before = a.pg_pid.map(pg_cpu);

    let barrier = Arc::new(Barrier::new(a.devices + 1));
    let handles: Vec<_> = phones
        .into_iter()
        .map(|vault| {
            let barrier = barrier.clone();
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || {
                    barrier.wait();
                    let t = Instant::now();
                    let r = vault.sync(&SyncOptions::default());
                    (r.map_err(|e| e.to_string()), t.elapsed(), vault)
                })
                .expect("a thread")
        })
        .collect();
    barrier.wait();
    let t = Instant::now();
    let mut errors = Vec::new();
    let (mut pushed, mut pulled) = (0u64, 0u64);
    let mut slowest = Duration::ZERO;
    let mut vaults = Vec::new();
    for h in handles {
        let (r, took, vault) = h.join().expect("a phone thread");
        slowest = slowest.max(took);
        match r {
            Ok(rep) => {
                pushed += rep.pushed;
                pulled += rep.pulled;
            }
            Err(e) => errors.push(e),
        }
        vaults.push(vault);
    }
    let wall = t.elapsed().as_secs_f64();
    let (hwm, cpu_after) = usage(pid);
    let pg = a.pg_pid.map(|p| (pg_memory(p), pg_cpu(p)));
    let pending: u64 = vaults
        .iter()
        .map(|v| v.sync_status().map(|s| s.pending).unwrap_or(0))
        .sum();
    // Records the server took, per second of the whole run.
    let records = pushed as f64;
    let pg_figures = match (pg, pg_cpu_before) {
        (Some(((procs, pss, hwm_sum), cpu)), Some(before)) => format!(
            " pg_processes={procs} pg_pss_mib={:.0} pg_hwm_sum_mib={:.0} pg_cpu_s={:.1}",
            pss as f64 / 1024.0,
            hwm_sum as f64 / 1024.0,
            cpu - before
        ),
        _ => String::new(),
    };
    println!(
        "LOAD nightround layout={} backend={backend} devices={} records={} wall_s={wall:.2} \
         records_per_s={:.0} errors={} pushed={pushed} pulled={pulled} left_pending={pending} \
         server_peak_rss_mib={:.0} server_cpu_s={:.1} slowest_phone_s={:.1} \
         setup_s={setup_s:.0}{pg_figures}",
        a.layout,
        a.devices,
        a.records,
        records / wall,
        errors.len(),
        hwm as f64 / 1024.0,
        cpu_after - cpu_before,
        slowest.as_secs_f64(),
    );
    let mut kinds: Vec<&String> = errors.iter().collect();
    kinds.sort();
    kinds.dedup();
    for e in kinds.iter().take(5) {
        println!("  error: {e}");
    }
    drop(vaults);
    drop(server);
}
