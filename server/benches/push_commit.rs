//! What group commit buys (issue 11, ADR 0020): K threads, each a phone of
//! its own (enrolled, its own organisation), push small batches (5 supply
//! drops, as a phone does after a contact) at once into a SQLite store on
//! the real disk (`CARGO_TARGET_TMPDIR`, never tmpfs: the fsync is the
//! point), through the real validation and `Store::push`. Each K runs twice
//! in the same process, on a fresh store each time: grouping off (every
//! push its own COMMIT, as before) and on. Prints pushes/s, p50/p99 push
//! latency and pushes per COMMIT, with the load average beside them.
//!
//! ```sh
//! cargo bench -p nightround-server --bench push_commit            # K = 1 8 32 64
//! cargo bench -p nightround-server --bench push_commit -- 16 128  # other K
//! PUSHES=640 cargo bench -p nightround-server --bench push_commit
//! PUSH_BENCH_PG=postgres://nightround@127.0.0.1:5432/postgres \
//!     cargo bench -p nightround-server --bench push_commit
//! ```
//! `PUSHES` (default 320) is the pushes per run; each thread makes
//! `PUSHES / K` of them, at least 20. `PUSH_BENCH_PG` names a PostgreSQL
//! cluster (one with `fsync` on: `scripts/pg.sh` turns it off) on which
//! each K runs twice more, in a fresh database each time, grouping off
//! (every push its own COMMIT, as before) and on.

use nightround_core::crypto::DataKey;
use nightround_core::domain::{RecordKind, Role, SupplyDrop, SupplyLine, SupplyPurpose};
use nightround_core::sync::protocol::{AckStatus, Change};
use nightround_core::Timestamp;
use nightround_server::store::open::Backend;
use nightround_server::store::postgres::{testing, PgStore};
use nightround_server::store::sqlite::SqliteStore;
use nightround_server::store::{
    EnrolledDevice, NewDevice, Organisation, PushItem, StoredCode, Worker,
};
use nightround_server::validate;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};
use uuid::Uuid;

const BATCH: usize = 5;

fn now() -> Timestamp {
    chrono::Utc::now()
}

/// A phone of a new outreach worker in an organisation of its own.
fn device(store: &dyn Backend, n: usize) -> EnrolledDevice {
    let at = now();
    let org = format!("org{n}");
    store
        .add_organisation(&Organisation {
            id: org.clone(),
            name: org.clone(),
            created_at: at,
        })
        .expect("an organisation");
    let worker = format!("worker{n}");
    store
        .add_worker(&Worker {
            id: worker.clone(),
            organisation_id: org,
            display_name: worker.clone(),
            role: Role::OutreachWorker,
            agency_id: None,
            created_at: at,
            revoked_at: None,
        })
        .expect("a worker");
    let mut code = [0u8; 32];
    code[..16].copy_from_slice(Uuid::now_v7().as_bytes());
    store
        .add_enrolment_code(&StoredCode {
            hash: code,
            worker_id: worker.clone(),
            created_at: at,
            expires_at: at + chrono::Duration::hours(1),
        })
        .expect("a code");
    let mut token = [1u8; 32];
    token[..16].copy_from_slice(Uuid::now_v7().as_bytes());
    store
        .redeem_enrolment_code(
            &code,
            &NewDevice {
                id: Uuid::now_v7(),
                name: format!("{worker}'s phone"),
                token_hash: token,
            },
            at,
        )
        .expect("enrolment")
        .expect("a fresh code")
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A batch of new supply drops by `phone`.
fn batch(phone: &EnrolledDevice) -> Vec<Change> {
    (0..BATCH)
        .map(|_| {
            let at = now();
            let drop = SupplyDrop {
                id: Uuid::now_v7(),
                at,
                area_id: "york_road".into(),
                purpose: SupplyPurpose::RestockDropPoint,
                lines: vec![SupplyLine {
                    item_id: "condoms".into(),
                    quantity: 40,
                }],
                recorded_by: phone.identity(),
            };
            let n = COUNTER.fetch_add(1, Ordering::Relaxed) % 100_000;
            let version = format!("{:013}-{n:05}-0000beef", at.timestamp_millis());
            Change::new(
                RecordKind::SupplyDrop,
                drop.id,
                version,
                false,
                Some(serde_json::to_value(drop).expect("a body")),
            )
        })
        .collect()
}

/// One push through the real validation; its latency.
fn push(store: &dyn Backend, phone: &EnrolledDevice) -> Duration {
    let changes = batch(phone);
    let directory = store.directory().expect("the directory");
    let identity = phone.identity();
    let writer = validate::Writer {
        viewer: phone.viewer(),
        identity: &identity,
        directory: &directory,
        now: now(),
    };
    let items: Vec<PushItem<'_>> = changes
        .iter()
        .map(|change| PushItem {
            change,
            verdict: validate::check(change, &writer),
            held_by_device: true,
        })
        .collect();
    let started = Instant::now();
    let acks = store.push(phone, &items, now()).expect("a push");
    let took = started.elapsed();
    assert!(acks.iter().all(|a| a.status == AckStatus::Applied));
    took
}

/// The 1-minute load average.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// Where one run pushes: SQLite with grouping off or on, or PostgreSQL.
#[derive(Clone, Copy)]
enum Under<'a> {
    Sqlite { grouped: bool },
    Postgres { cluster: &'a str, grouped: bool },
}

/// One run: `threads` phones pushing at once into a fresh store.
fn run(threads: usize, total: usize, under: Under<'_>) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a directory on disk");
    let (store, commits): (Arc<dyn Backend>, Box<dyn Fn() -> u64>) = match under {
        Under::Sqlite { grouped } => {
            let store = Arc::new(
                SqliteStore::open(&dir.path().join("db"), DataKey::generate(1), now())
                    .expect("a store"),
            );
            if !grouped {
                store.set_group_limit(1);
            }
            let counted = Arc::clone(&store);
            (store, Box::new(move || counted.group_commits()))
        }
        Under::Postgres { cluster, grouped } => {
            let url = testing::create_database(cluster).expect("a database");
            let store =
                Arc::new(PgStore::open(&url, DataKey::generate(1), now()).expect("a store"));
            if !grouped {
                store.set_group_limit(1);
            }
            let counted = Arc::clone(&store);
            (store, Box::new(move || counted.group_commits()))
        }
    };
    let phones: Vec<_> = (0..threads).map(|n| device(store.as_ref(), n)).collect();
    let each = (total / threads).max(20);
    let start = Arc::new(Barrier::new(threads + 1));
    let load_before = load();
    let workers: Vec<_> = phones
        .into_iter()
        .map(|phone| {
            let store = Arc::clone(&store);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                (0..each)
                    .map(|_| push(store.as_ref(), &phone))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let commits_before = commits();
    start.wait();
    let began = Instant::now();
    let mut times: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a pushing thread"))
        .collect();
    let wall = began.elapsed().as_secs_f64();
    let per_commit = format!(
        "{:.1}",
        times.len() as f64 / (commits() - commits_before).max(1) as f64
    );
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)].as_secs_f64() * 1e3;
    let mode = match under {
        Under::Sqlite { grouped: false } => "SQLite, off",
        Under::Sqlite { grouped: true } => "SQLite, on",
        Under::Postgres { grouped: false, .. } => "PostgreSQL, off",
        Under::Postgres { grouped: true, .. } => "PostgreSQL, on",
    };
    println!(
        "| {threads} | {mode} | {} | {:.0} | {:.2} | {:.2} | {per_commit} | {load_before} / {} |",
        times.len(),
        times.len() as f64 / wall,
        pct(50),
        pct(99),
        load()
    );
}

fn main() {
    let mut ks: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .filter(|k| *k > 0)
        .collect();
    if ks.is_empty() {
        ks = vec![1, 8, 32, 64];
    }
    let total = std::env::var("PUSHES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(320);
    println!("| threads | store, group commit | pushes | pushes/s | p50 ms | p99 ms | pushes per COMMIT | load avg (before / after) |");
    println!("|---:|---|---:|---:|---:|---:|---:|---|");
    let pg = std::env::var("PUSH_BENCH_PG").ok();
    for k in ks {
        run(k, total, Under::Sqlite { grouped: false });
        run(k, total, Under::Sqlite { grouped: true });
        if let Some(cluster) = pg.as_deref() {
            run(
                k,
                total,
                Under::Postgres {
                    cluster,
                    grouped: false,
                },
            );
            run(
                k,
                total,
                Under::Postgres {
                    cluster,
                    grouped: true,
                },
            );
        }
    }
}
