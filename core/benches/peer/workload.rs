//! The peer workload of the vault bench: what the vault does per contact, on
//! the vault's own `records` and `outbox` tables, with the same pragmas, but
//! with the record's plaintext JSON as the body instead of a sealed envelope.
//!
//! This one file is compiled into two binaries, because SQLCipher and plain
//! SQLite cannot be linked into one (libsqlite3-sys links once and cargo
//! unifies its features):
//!
//! - `core/benches/vault.rs` runs it on plain SQLite, beside the vault;
//! - `bench/sqlcipher/src/main.rs` runs it on SQLCipher, keyed with a raw key.
//!
//! To let all three engines meet the same disk conditions, the vault bench
//! can drive the SQLCipher binary as a child process, one contact (or one
//! chunk of contacts) at a time, over a line protocol on its stdin and stdout
//! ([`serve`] and [`Remote`]).
//!
//! It needs only `rusqlite`, `serde` (derive) and `serde_json`. The records it
//! writes come from the same deterministic generator the vault side turns
//! into `ContactDraft`s, so all three engines store the same contacts.
//! `scripts/bench.sh` runs both binaries and compares; see docs/benchmarks.md.
#![allow(dead_code)]

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

/// How many records "write 10,000 records" writes.
pub const WRITE_RECORDS: usize = 10_000;
/// Contacts recorded before the one-contact samples are taken.
pub const ONE_CONTACT_WARMUP: usize = 30;
/// One-contact samples per engine per run.
pub const ONE_CONTACT_SAMPLES: usize = 400;
/// People on the phone before the contacts are recorded.
pub const SETUP_PEOPLE: usize = 50;
/// The first moment the bench's clock shows: 2026-11-20 19:00 UTC, in ms.
pub const START_MS: i64 = 1_795_201_200_000;
/// How far the bench's clock moves between two records.
pub const STEP_MS: i64 = 20_000;
/// The bench's fixed SQLCipher key, 32 raw bytes in hex (no KDF runs).
pub const SQLCIPHER_RAW_KEY_HEX: &str =
    "6e69676874726f756e642d62656e63682d7261772d6b65792d33322d62797465";

/// The vault's `records` and `outbox` tables and `records`' indexes, copied
/// from `core/src/vault/schema.rs` (`CREATE_LATEST`). The vault bench checks
/// at start-up that a real vault file has exactly these, so drift fails loudly.
pub const PEER_SCHEMA: &str = "
CREATE TABLE records (
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     TEXT NOT NULL,
    key_id      INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,
    person_ref  BLOB,
    due_at      INTEGER,
    alert_until INTEGER,
    is_open     INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0,
    body        BLOB,
    sync_state  INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX records_by_time ON records (kind, occurred_at);
CREATE INDEX records_by_person ON records (person_ref, kind, occurred_at) WHERE person_ref IS NOT NULL;
CREATE INDEX records_open_by_due ON records (kind, due_at) WHERE is_open = 1;
CREATE INDEX records_alerts ON records (alert_until) WHERE alert_until IS NOT NULL;
CREATE TABLE outbox (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind               TEXT NOT NULL,
    id                 TEXT NOT NULL,
    version            TEXT NOT NULL,
    tombstone          INTEGER NOT NULL,
    queued_at          INTEGER NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    quarantined_reason TEXT,
    sealed_copy        BLOB,
    priority           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, id, version)
);
";

/// The tables and indexes [`PEER_SCHEMA`] creates, for the drift check.
pub const PEER_OBJECTS: &[&str] = &[
    "records",
    "records_by_time",
    "records_by_person",
    "records_open_by_due",
    "records_alerts",
    "outbox",
];

/// The connection set up as `schema::configure` sets up every vault connection.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    assert!(mode.eq_ignore_ascii_case("wal"), "WAL unavailable: {mode}");
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(())
}

/// The `CREATE` statements of `names` in a database, whitespace-normalised.
pub fn schema_of(conn: &Connection, names: &[&str]) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::new();
    for name in names {
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        let sql = sql.unwrap_or_else(|| format!("<{name} missing>"));
        out.push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The records: one deterministic generator for all three engines.
// ---------------------------------------------------------------------------

/// A small deterministic generator (xorshift64*), so every engine and every
/// run writes the same records.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The street areas of `Directory::southend_defaults` a round visits.
pub const AREAS: &[&str] = &["york_road", "ambleside_drive", "town_centre", "seafront"];
/// Supply catalogue ids of `Directory::southend_defaults`.
pub const SUPPLIES: &[&str] = &[
    "condoms",
    "lubricant",
    "hygiene_pack",
    "face_covering",
    "food_drink",
    "clothing",
    "personal_alarm",
    "naloxone",
    "sharps_bin",
    "leaflet",
    "phone_credit",
];
/// Contact kinds an outreach worker may record (serde names of `ContactKind`).
pub const CONTACT_KINDS: &[&str] = &["outreach_conversation", "drop_in_visit", "phone"];
/// Wellbeing flags (serde names of `WellbeingFlag`), `appears_under18` aside.
pub const WELLBEING: &[&str] = &[
    "intoxicated",
    "injured",
    "distressed",
    "unwell",
    "first_contact",
];
const NOTES: &[&str] = &[
    "Chatted for a while; she says things are calmer since moving.",
    "Tired and cold. Took a hot drink, asked about the Thursday drop-in.",
    "Mentioned a punter who would not pay last week; no description yet.",
    "Wants help with her housing application, will come to the drop-in.",
    "Quick hello, took supplies and moved on.",
    "Asked about STI testing; gave the sexual health leaflet.",
    "Said she has been using more since her benefits were stopped.",
    "Upset about her kids' contact visit being cancelled. Listened.",
];
/// First names aliases are made from (type-ahead looks these up by prefix).
pub const NAMES: &[&str] = &[
    "Jade",
    "Jasmine",
    "Janet",
    "Jo",
    "Kelly",
    "Kayleigh",
    "Lisa",
    "Louise",
    "Amy",
    "Anna",
    "Becky",
    "Bex",
    "Chantelle",
    "Claire",
    "Danielle",
    "Dee",
    "Emma",
    "Gemma",
    "Hayley",
    "Holly",
    "Jess",
    "Kim",
    "Laura",
    "Leanne",
    "Mandy",
    "Michelle",
    "Nicola",
    "Nikki",
    "Paula",
    "Rachel",
    "Sam",
    "Sarah",
    "Shannon",
    "Stacey",
    "Tanya",
    "Toni",
    "Tracey",
    "Vicky",
    "Zoe",
    "Lou",
];

/// The alias of the `i`-th person.
pub fn alias(i: usize) -> String {
    let name = NAMES[i % NAMES.len()];
    match i / NAMES.len() {
        0 => name.to_owned(),
        n => format!("{name} {}", (b'A' + (n as u8 * 7) % 26) as char),
    }
}

/// A contact, in engine-neutral terms. The vault bench turns it into a
/// `ContactDraft`; the peer turns it into the JSON a `Contact` serialises to.
#[derive(Debug, Clone)]
pub struct ContactSpec {
    /// Index into the people on the phone; `None` is an anonymous contact.
    pub person: Option<usize>,
    pub area: &'static str,
    pub kind: &'static str,
    pub wellbeing: Vec<&'static str>,
    pub note: Option<&'static str>,
    pub supplies: Vec<(&'static str, u32)>,
}

/// `n` contacts of a round: most with someone known (a fifth of them with a
/// few regulars), most with supplies, a note more often than not, the area
/// changing every dozen or so contacts.
pub fn contact_specs(seed: u64, n: usize, people: usize) -> Vec<ContactSpec> {
    let mut rng = Rng::new(seed);
    let mut area = 0usize;
    (0..n)
        .map(|i| {
            if i % 12 == 11 {
                area = (area + 1) % AREAS.len();
            }
            let person = if people == 0 || rng.chance(15) {
                None
            } else if rng.chance(25) {
                Some(rng.below(people.min(20)))
            } else {
                Some(rng.below(people))
            };
            let mut supplies = Vec::new();
            if rng.chance(85) {
                let mut items: Vec<&'static str> = SUPPLIES.to_vec();
                for _ in 0..1 + rng.below(3) {
                    let item = items.remove(rng.below(items.len()));
                    let quantity = match item {
                        "condoms" => 5 + rng.below(16) as u32,
                        "leaflet" => 1 + rng.below(3) as u32,
                        _ => 1,
                    };
                    supplies.push((item, quantity));
                }
            }
            let wellbeing = if rng.chance(30) {
                vec![*rng.pick(WELLBEING)]
            } else {
                Vec::new()
            };
            ContactSpec {
                person,
                area: AREAS[area],
                kind: if rng.chance(90) {
                    CONTACT_KINDS[0]
                } else {
                    CONTACT_KINDS[1 + rng.below(CONTACT_KINDS.len() - 1)]
                },
                wellbeing,
                note: rng.chance(60).then(|| *rng.pick(NOTES)),
                supplies,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The peer: records + outbox, plaintext JSON bodies.
// ---------------------------------------------------------------------------

/// The worker's identity as `WorkerIdentity` serialises.
#[derive(Serialize)]
struct PeerWorker {
    worker_id: &'static str,
    display_name: &'static str,
    role: &'static str,
    organisation: &'static str,
}

const WORKER: PeerWorker = PeerWorker {
    worker_id: "w-sam",
    display_name: "Sam",
    role: "outreach_worker",
    organisation: "Aspirations",
};

#[derive(Serialize)]
struct PeerSupplyLine<'a> {
    item_id: &'a str,
    quantity: u32,
}

/// A contact as `Contact` serialises (same fields, same order, same names).
#[derive(Serialize)]
struct PeerContact<'a> {
    id: &'a str,
    person_id: Option<&'a str>,
    at: String,
    area_id: &'a str,
    kind: &'a str,
    wellbeing: &'a [&'static str],
    note: Option<&'a str>,
    supplies: Vec<PeerSupplyLine<'a>>,
    safeguarding: Option<()>,
    recorded_by: &'a PeerWorker,
}

/// A person as `Person` serialises.
#[derive(Serialize)]
struct PeerPerson<'a> {
    id: &'a str,
    alias: &'a str,
    description: Option<&'a str>,
    birth_year: Option<i32>,
    registered_with_outreach: bool,
    prefers_female_worker: bool,
    key_worker: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
    recorded_by: &'a PeerWorker,
}

/// Milliseconds since the epoch as RFC 3339 in UTC, as chrono writes it.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil from days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (hh, mm, ss) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if milli == 0 {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{milli:03}Z")
    }
}

/// A time-ordered id in UUID text form (like the vault's v7 ids).
fn time_ordered_id(ms: i64, seq: u64, rng: &mut Rng) -> String {
    let r = rng.next_u64();
    format!(
        "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
        (ms >> 16) as u32,
        (ms & 0xffff) as u16,
        seq & 0xfff,
        0x8000 | (r & 0x3fff),
        (r >> 16) & 0xffff_ffff_ffff
    )
}

/// A row the peer writes: the index columns and the JSON body.
struct Row {
    kind: &'static str,
    id: String,
    version: String,
    occurred_at: i64,
    person_ref: Option<Vec<u8>>,
    body: Vec<u8>,
}

/// Plain SQLite or SQLCipher with the vault's tables and pragmas.
pub struct Peer {
    conn: Connection,
    rng: Rng,
    /// The bench's clock, moved by [`STEP_MS`] per record, as the vault's is.
    now_ms: i64,
    seq: u64,
    hlc_ms: i64,
    hlc_logical: u32,
    people: Vec<(String, Vec<u8>)>,
}

const INSERT_RECORD: &str = "INSERT OR REPLACE INTO records
   (kind, id, version, key_id, occurred_at, person_ref, due_at, alert_until, is_open, deleted, body, sync_state)
 VALUES (?1, ?2, ?3, 1, ?4, ?5, NULL, NULL, NULL, 0, ?6, 0)";
const INSERT_OUTBOX: &str =
    "INSERT OR IGNORE INTO outbox (kind, id, version, tombstone, queued_at, priority)
     VALUES (?1, ?2, ?3, 0, ?4, 0)";

fn json_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

impl Peer {
    /// A fresh database at `path` (removed first). With `raw_key_hex` it is
    /// keyed first thing, SQLCipher's raw-key form (`x'..'`, no KDF).
    pub fn create(path: &Path, raw_key_hex: Option<&str>) -> rusqlite::Result<Peer> {
        remove_db(path);
        let conn = Connection::open(path)?;
        if let Some(hex) = raw_key_hex {
            conn.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))?;
        }
        configure(&conn)?;
        conn.execute_batch(&format!("BEGIN; {PEER_SCHEMA} COMMIT;"))?;
        Ok(Peer {
            conn,
            rng: Rng::new(7),
            now_ms: START_MS,
            seq: 0,
            hlc_ms: 0,
            hlc_logical: 0,
            people: Vec::new(),
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    fn tick(&mut self) -> (i64, String, String) {
        self.now_ms += STEP_MS;
        self.seq += 1;
        let now = self.now_ms;
        if now > self.hlc_ms {
            self.hlc_ms = now;
            self.hlc_logical = 0;
        } else {
            self.hlc_logical += 1;
        }
        let version = format!("{:013}-{:05}-be0c4a11", self.hlc_ms, self.hlc_logical);
        let id = time_ordered_id(now, self.seq, &mut self.rng);
        (now, id, version)
    }

    fn person_row(&mut self, alias: &str) -> rusqlite::Result<Row> {
        let (now, id, version) = self.tick();
        let at = rfc3339(now);
        let body = serde_json::to_vec(&PeerPerson {
            id: &id,
            alias,
            description: None,
            birth_year: None,
            registered_with_outreach: true,
            prefers_female_worker: false,
            key_worker: None,
            created_at: &at,
            updated_at: &at,
            recorded_by: &WORKER,
        })
        .map_err(json_error)?;
        // Without sealing there is no keyed hash: the index holds 16 bytes
        // standing for the id, as long as the vault's truncated HMAC.
        let mut person_ref = self.rng.next_u64().to_le_bytes().to_vec();
        person_ref.extend_from_slice(&self.rng.next_u64().to_le_bytes());
        self.people.push((id.clone(), person_ref));
        Ok(Row {
            kind: "person",
            id,
            version,
            occurred_at: now,
            person_ref: None,
            body,
        })
    }

    fn contact_row(&mut self, spec: &ContactSpec) -> rusqlite::Result<Row> {
        let (now, id, version) = self.tick();
        let person = spec.person.map(|p| self.people[p].clone());
        let body = serde_json::to_vec(&PeerContact {
            id: &id,
            person_id: person.as_ref().map(|p| p.0.as_str()),
            at: rfc3339(now),
            area_id: spec.area,
            kind: spec.kind,
            wellbeing: &spec.wellbeing,
            note: spec.note,
            supplies: spec
                .supplies
                .iter()
                .map(|&(item_id, quantity)| PeerSupplyLine { item_id, quantity })
                .collect(),
            safeguarding: None,
            recorded_by: &WORKER,
        })
        .map_err(json_error)?;
        Ok(Row {
            kind: "contact",
            id,
            version,
            occurred_at: now,
            person_ref: person.map(|p| p.1),
            body,
        })
    }

    fn insert(conn: &Connection, row: &Row, queued_at: i64) -> rusqlite::Result<()> {
        conn.prepare_cached(INSERT_RECORD)?
            .execute(rusqlite::params![
                row.kind,
                row.id,
                row.version,
                row.occurred_at,
                row.person_ref,
                row.body,
            ])?;
        conn.prepare_cached(INSERT_OUTBOX)?
            .execute(rusqlite::params![row.kind, row.id, row.version, queued_at])?;
        Ok(())
    }

    fn commit_one(&mut self, row: Row) -> rusqlite::Result<()> {
        let queued_at = self.now_ms;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::insert(&tx, &row, queued_at)?;
        tx.commit()
    }

    /// Adds a person, in its own transaction.
    pub fn add_person(&mut self, alias: &str) -> rusqlite::Result<()> {
        let row = self.person_row(alias)?;
        self.commit_one(row)
    }

    /// Records one contact as the vault does: serialise, then one
    /// transaction that writes the record row and its outbox row.
    pub fn record_contact(&mut self, spec: &ContactSpec) -> rusqlite::Result<()> {
        let row = self.contact_row(spec)?;
        self.commit_one(row)
    }

    /// Writes all of `specs` in one transaction, as a sync pull would.
    pub fn record_contacts_in_one_transaction(
        &mut self,
        specs: &[ContactSpec],
    ) -> rusqlite::Result<()> {
        let rows = specs
            .iter()
            .map(|spec| self.contact_row(spec))
            .collect::<rusqlite::Result<Vec<Row>>>()?;
        let queued_at = self.now_ms;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for row in &rows {
            Self::insert(&tx, row, queued_at)?;
        }
        tx.commit()
    }
}

// ---------------------------------------------------------------------------
// Files, timing and output.
// ---------------------------------------------------------------------------

/// The files SQLite keeps for a database.
pub fn db_files(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

/// Removes a database and its WAL and shared-memory files.
pub fn remove_db(path: &Path) {
    for f in db_files(path) {
        let _ = std::fs::remove_file(f);
    }
}

/// The size of a database file and of its WAL, in KiB.
pub fn db_size_kib(path: &Path) -> (u64, u64) {
    let [db, wal, _] = db_files(path);
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len()) / 1024;
    (size(&db), size(&wal))
}

/// Times `f`.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// The `p`-th percentile (nearest rank) of `samples`, which it sorts.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Prints one machine-readable line: `BENCH <metric>.<engine> key=value ...`.
pub fn bench_line(metric: &str, engine: &str, fields: &[(&str, f64)]) {
    let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v:.1}")).collect();
    println!("BENCH {metric}.{engine} {}", fields.join(" "));
}

/// Prints the p50, p99, mean and count of latency samples.
pub fn report_latency(metric: &str, engine: &str, samples: &mut [Duration]) {
    let mean = samples.iter().sum::<Duration>().as_secs_f64() * 1e6 / samples.len().max(1) as f64;
    let p50 = micros(percentile(samples, 50.0));
    let p99 = micros(percentile(samples, 99.0));
    let max = micros(percentile(samples, 100.0));
    bench_line(
        metric,
        engine,
        &[
            ("p50_us", p50),
            ("p99_us", p99),
            ("mean_us", mean),
            ("max_us", max),
            ("n", samples.len() as f64),
        ],
    );
}

/// Prints the total time of a batch of `records` writes.
pub fn report_total(metric: &str, engine: &str, total: Duration, records: usize) {
    bench_line(
        metric,
        engine,
        &[
            ("total_ms", total.as_secs_f64() * 1e3),
            ("per_record_us", micros(total) / records as f64),
        ],
    );
}

/// Command-line options both bench binaries take.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the fresh database files go (same disk as the build by default).
    pub dir: PathBuf,
    /// The runner's round number; odd and even rounds swap the engine order.
    pub round: u32,
    /// Smaller sizes, for a smoke run.
    pub quick: bool,
    /// (SQLCipher binary) answer the vault bench's requests; see [`serve`].
    pub serve: bool,
    /// (Vault bench) the SQLCipher binary to drive in lockstep.
    pub sqlcipher: Option<PathBuf>,
    /// (Vault bench) also run the cost breakdown of one contact.
    pub breakdown: bool,
    /// (Vault bench) skip the queries.
    pub no_queries: bool,
}

impl Options {
    /// Parses `--dir PATH`, `--round N`, `--quick`, `--serve`,
    /// `--sqlcipher PATH`, `--breakdown` and `--no-queries`; ignores what
    /// cargo passes (`--bench`) and anything else.
    pub fn parse(default_dir: PathBuf) -> Options {
        let mut opts = Options {
            dir: default_dir,
            round: 1,
            quick: std::env::var_os("BENCH_QUICK").is_some(),
            serve: false,
            sqlcipher: std::env::var_os("SQLCIPHER_BENCH").map(PathBuf::from),
            breakdown: false,
            no_queries: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--dir" => {
                    if let Some(d) = args.next() {
                        opts.dir = PathBuf::from(d);
                    }
                }
                "--round" => {
                    if let Some(r) = args.next().and_then(|r| r.parse().ok()) {
                        opts.round = r;
                    }
                }
                "--quick" => opts.quick = true,
                "--serve" => opts.serve = true,
                "--sqlcipher" => opts.sqlcipher = args.next().map(PathBuf::from),
                "--breakdown" => opts.breakdown = true,
                "--no-queries" => opts.no_queries = true,
                _ => {}
            }
        }
        opts
    }

    /// How many records the write bench writes.
    pub fn write_records(&self) -> usize {
        if self.quick {
            1_000
        } else {
            WRITE_RECORDS
        }
    }

    /// How many one-contact samples each engine takes.
    pub fn one_contact_samples(&self) -> usize {
        if self.quick {
            60
        } else {
            ONE_CONTACT_SAMPLES
        }
    }
}

// ---------------------------------------------------------------------------
// Lockstep: the vault bench drives the SQLCipher binary as a child process.
// ---------------------------------------------------------------------------
//
// Requests, one a line; each answered by one line, `ok ...` or `err <why>`:
//   open <name> <seed> <n>  fresh database <dir>/<name>-<engine>.db with the
//                           setup people, and the contacts contact_specs(seed, n, ..)
//   one <i>                 records contact i in its own transaction -> ok <ns>
//   range <from> <to>       contacts from..to, one transaction each -> ok <ns>
//   bulk                    all n contacts in one transaction       -> ok <ns>
//   close                   closes and deletes it         -> ok <db_kib> <wal_kib>
//   quit

struct Served {
    peer: Peer,
    path: PathBuf,
    specs: Vec<ContactSpec>,
}

fn handle(
    words: &[&str],
    dir: &Path,
    engine: &str,
    raw_key_hex: Option<&str>,
    state: &mut Option<Served>,
) -> BoxResult<String> {
    let num = |w: &str| -> BoxResult<usize> { Ok(w.parse::<usize>()?) };
    match words {
        ["open", name, seed, n] => {
            let path = dir.join(format!("{name}-{engine}.db"));
            let mut peer = Peer::create(&path, raw_key_hex)?;
            for i in 0..SETUP_PEOPLE {
                peer.add_person(&alias(i))?;
            }
            let specs = contact_specs(num(seed)? as u64, num(n)?, SETUP_PEOPLE);
            *state = Some(Served { peer, path, specs });
            Ok("ok".into())
        }
        ["one", i] => {
            let s = state.as_mut().ok_or("nothing open")?;
            let spec = s.specs.get(num(i)?).ok_or("no such contact")?;
            let (out, took) = timed(|| s.peer.record_contact(spec));
            out?;
            Ok(format!("ok {}", took.as_nanos()))
        }
        ["range", from, to] => {
            let s = state.as_mut().ok_or("nothing open")?;
            let specs = s
                .specs
                .get(num(from)?..num(to)?)
                .ok_or("no such contacts")?;
            let (out, took) = timed(|| -> rusqlite::Result<()> {
                for spec in specs {
                    s.peer.record_contact(spec)?;
                }
                Ok(())
            });
            out?;
            Ok(format!("ok {}", took.as_nanos()))
        }
        ["bulk"] => {
            let s = state.as_mut().ok_or("nothing open")?;
            let (out, took) = timed(|| s.peer.record_contacts_in_one_transaction(&s.specs));
            out?;
            Ok(format!("ok {}", took.as_nanos()))
        }
        ["close"] => {
            let s = state.take().ok_or("nothing open")?;
            drop(s.peer);
            let (db, wal) = db_size_kib(&s.path);
            remove_db(&s.path);
            Ok(format!("ok {db} {wal}"))
        }
        _ => Err(format!("unknown request {words:?}").into()),
    }
}

/// Answers the vault bench's requests on stdin until `quit` or end of input.
pub fn serve(dir: &Path, engine: &str, raw_key_hex: Option<&str>) -> BoxResult<()> {
    let mut out = std::io::stdout().lock();
    let mut state = None;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        if words == ["quit"] {
            break;
        }
        let reply = handle(&words, dir, engine, raw_key_hex, &mut state)
            .unwrap_or_else(|e| format!("err {}", e.to_string().replace('\n', " ")));
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
    if let Some(s) = state {
        drop(s.peer);
        remove_db(&s.path);
    }
    Ok(())
}

/// The vault bench's end of [`serve`]: a peer in another process.
pub struct Remote {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Remote {
    /// Starts `bin --serve --dir <dir>`.
    pub fn spawn(bin: &Path, dir: &Path) -> BoxResult<Remote> {
        let mut child = Command::new(bin)
            .arg("--serve")
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Remote {
            child,
            stdin,
            stdout,
        })
    }

    fn call(&mut self, request: &str) -> BoxResult<Vec<u64>> {
        writeln!(self.stdin, "{request}")?;
        self.stdin.flush()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        let mut words = line.split_whitespace();
        match words.next() {
            Some("ok") => Ok(words.map(str::parse).collect::<Result<Vec<u64>, _>>()?),
            _ => Err(format!("peer answered {:?} to {request:?}", line.trim()).into()),
        }
    }

    fn duration(&mut self, request: &str) -> BoxResult<Duration> {
        let v = self.call(request)?;
        Ok(Duration::from_nanos(*v.first().ok_or("no time")?))
    }

    pub fn open(&mut self, name: &str, seed: u64, n: usize) -> BoxResult<()> {
        self.call(&format!("open {name} {seed} {n}")).map(drop)
    }
    pub fn one(&mut self, i: usize) -> BoxResult<Duration> {
        self.duration(&format!("one {i}"))
    }
    pub fn range(&mut self, from: usize, to: usize) -> BoxResult<Duration> {
        self.duration(&format!("range {from} {to}"))
    }
    pub fn bulk(&mut self) -> BoxResult<Duration> {
        self.duration("bulk")
    }
    /// Closes and deletes the database; its size in KiB (file, WAL).
    pub fn close(&mut self) -> BoxResult<(u64, u64)> {
        let v = self.call("close")?;
        Ok((
            v.first().copied().unwrap_or(0),
            v.get(1).copied().unwrap_or(0),
        ))
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        let _ = self.child.wait();
    }
}
