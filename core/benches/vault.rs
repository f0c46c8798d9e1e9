//! The vault bench: what sealing costs beside plain SQLite on the same schema,
//! and how fast the screens' queries are on a phone holding 10,000 records.
//!
//! One run prints, as `BENCH <metric>.<engine> key=value ...` lines:
//!
//! - `one_contact.{vault,plain}`: recording one contact (validate, serialise,
//!   seal, write, queue, commit), p50 and p99 over a few hundred contacts, the
//!   two engines interleaved contact by contact on fresh files;
//! - `write_10k.{vault,plain}`: 10,000 contacts, one transaction each (the
//!   vault has no bulk write), and `write_10k_bulk.plain`: in one transaction;
//! - `query.<name>.vault`: the app's queries on a realistic 10,000-record vault.
//!
//! The SQLCipher figures come from `bench/sqlcipher`, which runs the same peer
//! workload (`peer/workload.rs`); `scripts/bench.sh` runs both binaries in
//! alternation and prints the comparison. Results: docs/benchmarks.md.
//!
//! Run by hand, not in CI: `scripts/bench.sh`, or for this binary alone
//! `cargo bench -p nightround-core --bench vault` (`-- --quick` for a smoke run).

#[path = "peer/workload.rs"]
mod workload;

use chrono::TimeZone;
use nightround_core::clock::{Clock, ManualClock};
use nightround_core::domain::{
    ConcernCategory, ConcernDraft, ConsentMethod, ContactDraft, ContactKind, Directory,
    InfoCategory, PersonDraft, ReferralForm, ReferralStatus, Role, Severity, SupplyDropDraft,
    SupplyLine, SupplyPurpose, Urgency, Vehicle, WellbeingFlag, WorkerIdentity,
};
use nightround_core::keystore::MemoryKeyStore;
use nightround_core::vault::LockPolicy;
use nightround_core::{Timestamp, Vault};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use workload::{ContactSpec, Options, Peer, Remote, Rng};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const PIN: &str = "246810";

fn main() -> Result<()> {
    let opts = Options::parse(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench"));
    std::fs::create_dir_all(&opts.dir)?;
    println!(
        "# vault bench (SQLite {}), round {}{}, files in {}",
        rusqlite::version(),
        opts.round,
        if opts.quick { " (quick)" } else { "" },
        opts.dir.display()
    );
    check_peer_schema(&opts.dir)?;
    let mut remote = match &opts.sqlcipher {
        Some(bin) => Some(Remote::spawn(bin, &opts.dir)?),
        None => {
            println!("# no SQLCipher binary given (--sqlcipher PATH): vault and plain only");
            None
        }
    };
    one_contact(&opts, remote.as_mut())?;
    write_records(&opts, remote.as_mut())?;
    if opts.breakdown {
        breakdown::run(&opts, remote.as_mut())?;
    }
    if !opts.no_queries {
        queries(&opts)?;
    }
    Ok(())
}

fn at_ms(ms: i64) -> Timestamp {
    chrono::Utc
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(chrono::Utc::now)
}

fn worker() -> WorkerIdentity {
    WorkerIdentity {
        worker_id: "w-sam".into(),
        display_name: "Sam".into(),
        role: Role::OutreachWorker,
        organisation: "Aspirations".into(),
    }
}

/// A fresh vault on disk with a clock the bench moves.
struct BenchVault {
    vault: Vault,
    clock: Arc<ManualClock>,
    people: Vec<Uuid>,
}

impl BenchVault {
    fn create(path: &Path) -> Result<BenchVault> {
        workload::remove_db(path);
        let clock = Arc::new(ManualClock::new(at_ms(workload::START_MS)));
        let vault = Vault::create(
            path,
            Arc::new(MemoryKeyStore::new()),
            clock.clone(),
            PIN,
            worker(),
            Directory::southend_defaults(),
        )?;
        // The bench's clock jumps between evenings: keep the vault unlocked.
        vault.set_lock_policy(LockPolicy {
            idle_timeout: chrono::Duration::days(10_000),
            max_failed_unlocks: 10,
        });
        Ok(BenchVault {
            vault,
            clock,
            people: Vec::new(),
        })
    }

    fn step(&self) {
        self.clock
            .advance(chrono::Duration::milliseconds(workload::STEP_MS));
    }

    fn add_person(&mut self, alias: &str) -> Result<()> {
        self.step();
        let p = self.vault.add_person(PersonDraft {
            alias: alias.into(),
            registered_with_outreach: true,
            ..Default::default()
        })?;
        self.people.push(p.id);
        Ok(())
    }

    /// Records one contact; the clock moves first, outside any timing.
    fn record(&self, draft: ContactDraft) -> Result<Duration> {
        self.step();
        let (out, took) = workload::timed(|| self.vault.record_contact(draft));
        out?;
        Ok(took)
    }
}

/// A plain peer with the same people as a vault.
fn plain_peer(path: &Path) -> Result<Peer> {
    let mut peer = Peer::create(path, None)?;
    for i in 0..workload::SETUP_PEOPLE {
        peer.add_person(&workload::alias(i))?;
    }
    Ok(peer)
}

fn vault_with_people(path: &Path) -> Result<BenchVault> {
    let mut v = BenchVault::create(path)?;
    for i in 0..workload::SETUP_PEOPLE {
        v.add_person(&workload::alias(i))?;
    }
    Ok(v)
}

/// Fails if the peer's tables have drifted from the vault's.
fn check_peer_schema(dir: &Path) -> Result<()> {
    let vault_path = dir.join("schema-vault.db");
    let plain_path = dir.join("schema-plain.db");
    let vault = BenchVault::create(&vault_path)?;
    let raw = rusqlite::Connection::open(&vault_path)?;
    let vault_schema = workload::schema_of(&raw, workload::PEER_OBJECTS)?;
    let plain = Peer::create(&plain_path, None)?;
    let plain_schema = workload::schema_of(plain.conn(), workload::PEER_OBJECTS)?;
    drop((raw, vault, plain));
    workload::remove_db(&vault_path);
    workload::remove_db(&plain_path);
    if vault_schema != plain_schema {
        return Err(format!(
            "the peer schema (core/benches/peer/workload.rs) no longer matches the vault's \
             (core/src/vault/schema.rs):\nvault: {vault_schema:#?}\npeer: {plain_schema:#?}"
        )
        .into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Engines, interleaved contact by contact so that all meet the same disk.
// ---------------------------------------------------------------------------

/// Something that records the `i`-th contact of a fixed list.
trait Engine {
    fn name(&self) -> String;
    /// Records contact `i` in its own transaction; how long that took.
    fn one(&mut self, i: usize) -> Result<Duration>;
    /// Records contacts `from..to`, one transaction each.
    fn range(&mut self, from: usize, to: usize) -> Result<Duration> {
        let mut total = Duration::ZERO;
        for i in from..to {
            total += self.one(i)?;
        }
        Ok(total)
    }
    /// The database file, when this process can open it.
    fn path(&self) -> Option<PathBuf> {
        None
    }
    /// Closes and deletes the database; its size in KiB (file, WAL).
    fn close(self: Box<Self>) -> Result<(u64, u64)>;

    /// WAL frames (pages) written per commit over contacts `from..to`.
    fn frames_per_commit(&mut self, from: usize, to: usize) -> Result<Option<f64>> {
        let Some(path) = self.path() else {
            return Ok(None);
        };
        let raw = rusqlite::Connection::open(&path)?;
        let busy: i64 = raw.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        self.range(from, to)?;
        let (busy2, frames): (i64, i64) =
            raw.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok((busy == 0 && busy2 == 0).then(|| frames as f64 / (to - from) as f64))
    }
}

fn close_files(path: &Path) -> (u64, u64) {
    let size = workload::db_size_kib(path);
    workload::remove_db(path);
    size
}

struct VaultEngine {
    bench: BenchVault,
    drafts: Vec<Option<ContactDraft>>,
    path: PathBuf,
}

impl VaultEngine {
    fn new(path: &Path, specs: &[ContactSpec]) -> Result<VaultEngine> {
        let bench = vault_with_people(path)?;
        let drafts = specs
            .iter()
            .map(|s| draft_of(s, &bench.people).map(Some))
            .collect::<Result<Vec<_>>>()?;
        Ok(VaultEngine {
            bench,
            drafts,
            path: path.to_path_buf(),
        })
    }
}

impl Engine for VaultEngine {
    fn name(&self) -> String {
        "vault".into()
    }
    fn one(&mut self, i: usize) -> Result<Duration> {
        let draft = self.drafts[i].take().ok_or("contact recorded twice")?;
        self.bench.record(draft)
    }
    fn path(&self) -> Option<PathBuf> {
        Some(self.path.clone())
    }
    fn close(self: Box<Self>) -> Result<(u64, u64)> {
        drop(self.bench);
        Ok(close_files(&self.path))
    }
}

struct PlainEngine<'a> {
    peer: Peer,
    specs: &'a [ContactSpec],
    path: PathBuf,
}

impl<'a> PlainEngine<'a> {
    fn new(path: &Path, specs: &'a [ContactSpec]) -> Result<PlainEngine<'a>> {
        Ok(PlainEngine {
            peer: plain_peer(path)?,
            specs,
            path: path.to_path_buf(),
        })
    }
}

impl Engine for PlainEngine<'_> {
    fn name(&self) -> String {
        "plain".into()
    }
    fn one(&mut self, i: usize) -> Result<Duration> {
        let (out, took) = workload::timed(|| self.peer.record_contact(&self.specs[i]));
        out?;
        Ok(took)
    }
    fn range(&mut self, from: usize, to: usize) -> Result<Duration> {
        let (out, took) = workload::timed(|| -> rusqlite::Result<()> {
            for spec in &self.specs[from..to] {
                self.peer.record_contact(spec)?;
            }
            Ok(())
        });
        out?;
        Ok(took)
    }
    fn path(&self) -> Option<PathBuf> {
        Some(self.path.clone())
    }
    fn close(self: Box<Self>) -> Result<(u64, u64)> {
        drop(self.peer);
        Ok(close_files(&self.path))
    }
}

/// SQLCipher, in the child process.
struct RemoteEngine<'a>(&'a mut Remote);

impl Engine for RemoteEngine<'_> {
    fn name(&self) -> String {
        "sqlcipher".into()
    }
    fn one(&mut self, i: usize) -> Result<Duration> {
        self.0.one(i)
    }
    fn range(&mut self, from: usize, to: usize) -> Result<Duration> {
        self.0.range(from, to)
    }
    fn close(self: Box<Self>) -> Result<(u64, u64)> {
        self.0.close()
    }
}

/// The draft the quick-contact screen would send for `spec`.
fn draft_of(spec: &ContactSpec, people: &[Uuid]) -> Result<ContactDraft> {
    let kind: ContactKind = serde_json::from_value(spec.kind.into())?;
    let wellbeing = spec
        .wellbeing
        .iter()
        .map(|w| serde_json::from_value::<WellbeingFlag>((*w).into()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ContactDraft {
        person_id: spec.person.map(|p| people[p]),
        at: None,
        area_id: spec.area.into(),
        kind,
        wellbeing,
        note: spec.note.map(str::to_owned),
        supplies: spec
            .supplies
            .iter()
            .map(|&(item, quantity)| SupplyLine {
                item_id: item.into(),
                quantity,
            })
            .collect(),
        safeguarding_acknowledged: false,
    })
}

/// Each engine records contacts `from..to`, one at a time, taking turns
/// (the order rotates so that none always goes first); per-engine samples.
fn interleave_one(
    engines: &mut [Box<dyn Engine + '_>],
    from: usize,
    to: usize,
    round: u32,
) -> Result<Vec<Vec<Duration>>> {
    let k = engines.len();
    let mut samples = vec![Vec::with_capacity(to - from); k];
    for i in from..to {
        for j in 0..k {
            let e = (i + round as usize + j) % k;
            samples[e].push(engines[e].one(i)?);
        }
    }
    Ok(samples)
}

/// Each engine records contacts `0..n` in chunks, taking turns chunk by
/// chunk; per-engine totals.
fn interleave_chunks(
    engines: &mut [Box<dyn Engine + '_>],
    n: usize,
    chunk: usize,
    round: u32,
) -> Result<Vec<Duration>> {
    let k = engines.len();
    let mut totals = vec![Duration::ZERO; k];
    for (c, from) in (0..n).step_by(chunk).enumerate() {
        let to = (from + chunk).min(n);
        for j in 0..k {
            let e = (c + round as usize + j) % k;
            totals[e] += engines[e].range(from, to)?;
        }
    }
    Ok(totals)
}

/// One contact on each engine, interleaved contact by contact.
fn one_contact(opts: &Options, remote: Option<&mut Remote>) -> Result<()> {
    let warm = workload::ONE_CONTACT_WARMUP;
    let n = warm + opts.one_contact_samples();
    let specs = workload::contact_specs(1, n, workload::SETUP_PEOPLE);
    let mut engines: Vec<Box<dyn Engine + '_>> = vec![
        Box::new(VaultEngine::new(&opts.dir.join("one-vault.db"), &specs)?),
        Box::new(PlainEngine::new(&opts.dir.join("one-plain.db"), &specs)?),
    ];
    if let Some(r) = remote {
        r.open("one", 1, n)?;
        engines.push(Box::new(RemoteEngine(r)));
    }
    interleave_one(&mut engines, 0, warm, opts.round)?;
    let mut samples = interleave_one(&mut engines, warm, n, opts.round)?;
    for (e, s) in engines.into_iter().zip(samples.iter_mut()) {
        workload::report_latency("one_contact", &e.name(), s);
        e.close()?;
    }
    Ok(())
}

/// 10,000 contacts, one transaction each, the engines taking turns every
/// `WRITE_CHUNK` contacts; then plain and SQLCipher in one transaction.
fn write_records(opts: &Options, mut remote: Option<&mut Remote>) -> Result<()> {
    const WRITE_CHUNK: usize = 250;
    let n = opts.write_records();
    let specs = workload::contact_specs(2, n, workload::SETUP_PEOPLE);
    let mut engines: Vec<Box<dyn Engine + '_>> = vec![
        Box::new(VaultEngine::new(&opts.dir.join("write-vault.db"), &specs)?),
        Box::new(PlainEngine::new(&opts.dir.join("write-plain.db"), &specs)?),
    ];
    if let Some(r) = remote.as_deref_mut() {
        r.open("write", 2, n)?;
        engines.push(Box::new(RemoteEngine(r)));
    }
    let totals = interleave_chunks(&mut engines, n, WRITE_CHUNK, opts.round)?;
    for (e, total) in engines.into_iter().zip(totals) {
        let name = e.name();
        workload::report_total("write_10k", &name, total, n);
        let (db, wal) = e.close()?;
        workload::bench_line(
            "size_10k",
            &name,
            &[("db_kib", db as f64), ("wal_kib", wal as f64)],
        );
    }

    // All in one transaction, as a sync pull would write them. The vault has
    // no call for that yet (docs/benchmarks.md), so only the peers run it.
    let bulk_path = opts.dir.join("write-plain-bulk.db");
    let mut bulk = plain_peer(&bulk_path)?;
    let (out, plain_total) = workload::timed(|| bulk.record_contacts_in_one_transaction(&specs));
    out?;
    drop(bulk);
    workload::remove_db(&bulk_path);
    workload::report_total("write_10k_bulk", "plain", plain_total, n);
    if let Some(r) = remote {
        r.open("bulk", 2, n)?;
        let total = r.bulk()?;
        r.close()?;
        workload::report_total("write_10k_bulk", "sqlcipher", total, n);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The queries, on a realistic vault.
// ---------------------------------------------------------------------------

/// Evenings the realistic vault spans, one every other day.
const EVENINGS: i64 = 250;
const PEOPLE: usize = 300;
const CONTACTS: usize = 8_900;
const CONCERNS: usize = 100;
const DROPS: usize = 100;
/// Each form records two consents and two referrals.
const FORMS: usize = 150;
const AGENCIES: &[&str] = &[
    "stars",
    "cgl",
    "harp",
    "housing_solutions",
    "rsmh",
    "tht",
    "sexual_health",
    "safe_steps",
    "peabody",
    "adult_social_care",
];
const CONCERN_TEXT: &[&str] = &[
    "Man in a silver hatchback offering lifts, became aggressive when refused.",
    "Punter refused to pay and took her phone.",
    "Group of men shouting threats from a van near the alley.",
    "She thinks her drink was spiked at the pub on the corner.",
    "Regular followed her home twice this week.",
];

/// A vault holding 10,000 records as a year and a half of rounds leaves them.
struct Realistic {
    bench: BenchVault,
    /// When tonight's round started.
    tonight: Timestamp,
    /// The person seen most (a regular) and one seen now and then.
    regular: Uuid,
    occasional: Uuid,
}

/// How many of `total` should exist after evening `e`.
fn due_by(total: usize, e: i64) -> usize {
    total * (e as usize + 1) / EVENINGS as usize
}

enum Action {
    Person,
    Contact(ContactSpec),
    Concern,
    Drop,
    Form,
}

fn build_realistic(path: &Path) -> Result<Realistic> {
    let mut b = BenchVault::create(path)?;
    let day = chrono::Duration::days(1);
    let last_evening = at_ms(workload::START_MS);
    let first_evening = last_evening - day * (2 * (EVENINGS as i32 - 1));
    let mut rng = Rng::new(42);
    let (mut people, mut contacts, mut concerns, mut drops, mut forms) = (0, 0, 0, 0, 0);
    // Status changes planned for later evenings: (evening, referral, status).
    let mut moves: Vec<(i64, Uuid, ReferralStatus)> = Vec::new();
    let mut moved = 0;
    for e in 0..EVENINGS {
        let start = first_evening + day * (2 * e as i32);
        b.clock.set(start);
        for (_, id, status) in moves.iter().filter(|m| m.0 == e) {
            b.clock.advance(chrono::Duration::minutes(1));
            b.vault.set_referral_status(*id, *status)?;
            moved += 1;
        }
        let new_people = (60 + 240 * e as usize / (EVENINGS as usize - 1)).min(PEOPLE) - people;
        let mut actions: Vec<Action> = (0..new_people).map(|_| Action::Person).collect();
        let known = people + new_people;
        let n_contacts = due_by(CONTACTS, e) - contacts;
        let mut rest: Vec<Action> = workload::contact_specs(1000 + e as u64, n_contacts, known)
            .into_iter()
            .map(Action::Contact)
            .collect();
        rest.extend((concerns..due_by(CONCERNS, e)).map(|_| Action::Concern));
        rest.extend((drops..due_by(DROPS, e)).map(|_| Action::Drop));
        rest.extend((forms..due_by(FORMS, e)).map(|_| Action::Form));
        // Spread the concerns, drops and forms through the round.
        for i in (1..rest.len()).rev() {
            rest.swap(i, rng.below(i + 1));
        }
        actions.extend(rest);
        let gap = chrono::Duration::seconds(3 * 3600 / actions.len().max(1) as i64);
        for action in actions {
            b.clock.advance(gap);
            match action {
                Action::Person => {
                    b.add_person(&workload::alias(people))?;
                    people += 1;
                }
                Action::Contact(spec) => {
                    b.vault.record_contact(draft_of(&spec, &b.people)?)?;
                    contacts += 1;
                }
                Action::Concern => {
                    let now = b.clock.now();
                    let severity = *rng.pick(&[Severity::Low, Severity::Medium, Severity::High]);
                    b.vault.raise_concern(ConcernDraft {
                        category: *rng.pick(&[
                            ConcernCategory::PhysicalViolence,
                            ConcernCategory::Robbery,
                            ConcernCategory::Threats,
                            ConcernCategory::DangerousVehicle,
                            ConcernCategory::Spiking,
                        ]),
                        description: (*rng.pick(CONCERN_TEXT)).into(),
                        vehicle: rng.chance(40).then(|| Vehicle {
                            make: Some("Ford Focus".into()),
                            colour: Some("silver".into()),
                            partial_registration: Some("ab12".into()),
                        }),
                        area_id: (*rng.pick(workload::AREAS)).into(),
                        at: None,
                        severity,
                        alert_until: (severity != Severity::Low)
                            .then(|| now + chrono::Duration::days(28)),
                        police_consent: rng.chance(50),
                        reported_by: rng.chance(60).then(|| b.people[rng.below(people)]),
                    })?;
                    concerns += 1;
                }
                Action::Drop => {
                    b.vault.record_supplies(SupplyDropDraft {
                        at: None,
                        area_id: (*rng.pick(workload::AREAS)).into(),
                        purpose: SupplyPurpose::RestockDropPoint,
                        lines: vec![
                            SupplyLine {
                                item_id: "condoms".into(),
                                quantity: 50,
                            },
                            SupplyLine {
                                item_id: "personal_alarm".into(),
                                quantity: 2,
                            },
                        ],
                    })?;
                    drops += 1;
                }
                Action::Form => {
                    let first = rng.below(AGENCIES.len());
                    let second = (first + 1 + rng.below(AGENCIES.len() - 1)) % AGENCIES.len();
                    let referrals = b.vault.submit_referral_form(ReferralForm {
                        person_id: b.people[rng.below(people)],
                        agency_ids: vec![AGENCIES[first].into(), AGENCIES[second].into()],
                        urgency: *rng.pick(&[Urgency::Red, Urgency::Amber, Urgency::Green]),
                        needs: "Somewhere safe to stay; wants to start a script again.".into(),
                        consent_method: ConsentMethod::Verbal,
                        consent_covers: vec![InfoCategory::ContactDetails, InfoCategory::Health],
                        consent_review_at: None,
                    })?;
                    for r in referrals {
                        match rng.below(10) {
                            // Most are answered and closed within ten days.
                            0..=5 => {
                                moves.push((e + 1, r.id, ReferralStatus::Sent));
                                moves.push((e + 5, r.id, ReferralStatus::Closed));
                            }
                            6 | 7 => {
                                moves.push((e + 1, r.id, ReferralStatus::Sent));
                                moves.push((e + 3, r.id, ReferralStatus::Accepted));
                            }
                            // The rest wait on the agency.
                            _ => {}
                        }
                    }
                    forms += 1;
                }
            }
        }
    }
    // Tonight's round is over; the worker looks back at it.
    b.clock.set(last_evening + chrono::Duration::minutes(210));
    let raw = rusqlite::Connection::open(path)?;
    let records: i64 = raw.query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
    workload::bench_line(
        "realistic",
        "vault",
        &[
            ("records", records as f64),
            ("people", people as f64),
            ("contacts", contacts as f64),
            ("concerns", concerns as f64),
            ("supply_drops", drops as f64),
            ("referral_forms", forms as f64),
            ("status_changes", f64::from(moved)),
        ],
    );
    let (regular, occasional) = (b.people[0], b.people[PEOPLE / 2]);
    Ok(Realistic {
        bench: b,
        tonight: last_evening - chrono::Duration::hours(1),
        regular,
        occasional,
    })
}

/// Times `f` a number of times after a warm-up and prints its latency and
/// how many rows it returned.
fn measure(name: &str, iterations: usize, mut f: impl FnMut() -> Result<usize>) -> Result<()> {
    let mut rows = 0;
    for _ in 0..3 {
        rows = f()?;
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let (out, took) = workload::timed(&mut f);
        rows = out?;
        samples.push(took);
    }
    let p50 = workload::micros(workload::percentile(&mut samples, 50.0));
    let p99 = workload::micros(workload::percentile(&mut samples, 99.0));
    workload::bench_line(
        &format!("query.{name}"),
        "vault",
        &[("p50_us", p50), ("p99_us", p99), ("rows", rows as f64)],
    );
    Ok(())
}

/// How SQLite runs the timeline's per-kind query, and what the rows alone
/// cost with the plan as written and with the person index forced (`+kind`
/// keeps SQLite off the primary key), for the busiest person.
fn timeline_plan(path: &Path, iterations: usize) -> Result<()> {
    const AS_WRITTEN: &str = "SELECT id, version, body FROM records
                       WHERE person_ref = ?1 AND kind = ?2 AND deleted = 0";
    const PERSON_INDEX: &str = "SELECT id, version, body FROM records
                       WHERE person_ref = ?1 AND +kind = ?2 AND deleted = 0";
    let raw = rusqlite::Connection::open(path)?;
    let busiest: Vec<u8> = raw.query_row(
        "SELECT person_ref FROM records WHERE kind = 'contact' AND person_ref IS NOT NULL
         GROUP BY person_ref ORDER BY COUNT(*) DESC LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    for (name, sql) in [("as_written", AS_WRITTEN), ("person_index", PERSON_INDEX)] {
        let plan: Vec<String> = raw
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?
            .query_map((&busiest, "contact"), |r| r.get::<_, String>(3))?
            .collect::<rusqlite::Result<_>>()?;
        println!("# timeline plan, {name}: {}", plan.join("; "));
        let mut stmt = raw.prepare(sql)?;
        measure(&format!("timeline_rows_only_{name}"), iterations, || {
            let mut rows = 0;
            for kind in ["contact", "referral", "consent", "concern"] {
                let mut q = stmt.query((&busiest, kind))?;
                while q.next()?.is_some() {
                    rows += 1;
                }
            }
            Ok(rows)
        })?;
    }
    Ok(())
}

fn queries(opts: &Options) -> Result<()> {
    let path = opts.dir.join("queries-vault.db");
    let (built, took) = workload::timed(|| build_realistic(&path));
    let r = built?;
    workload::report_total("build_realistic_10k", "vault", took, 10_000);
    let v = &r.bench.vault;
    let now = r.bench.clock.now();
    let iterations = if opts.quick { 5 } else { 40 };
    measure("tonight_contacts_since", iterations, || {
        Ok(v.contacts_since(r.tonight)?.len())
    })?;
    measure("tonight_round_summary", iterations, || {
        Ok(v.round_summary(r.tonight)?.contacts as usize)
    })?;
    measure("supplies_totals_round", iterations, || {
        Ok(v.supplies_totals(r.tonight, now)?.len())
    })?;
    measure("timeline_regular", iterations, || {
        Ok(v.person_timeline(r.regular)?.len())
    })?;
    measure("timeline_occasional", iterations, || {
        Ok(v.person_timeline(r.occasional)?.len())
    })?;
    measure("active_alerts", iterations, || Ok(v.active_alerts()?.len()))?;
    measure("open_referrals", iterations, || {
        Ok(v.open_referrals()?.len())
    })?;
    let overdue = v.open_referrals()?.iter().filter(|r| r.overdue).count();
    workload::bench_line("open_referrals", "vault", &[("overdue", overdue as f64)]);
    measure("find_people_prefix", iterations, || {
        Ok(v.find_people("ja")?.len())
    })?;
    timeline_plan(&path, iterations)?;
    drop(r);
    workload::remove_db(&path);
    Ok(())
}

/// Where one contact's time goes: the vault's SQL, step by step, without
/// sealing, beside plain and the vault itself, interleaved as above.
mod breakdown {
    use super::*;
    use nightround_core::crypto::{envelope, index, Aad, DataKey, RecordKeys};
    use nightround_core::domain::{Contact, Person};
    use nightround_core::vault::schema;
    use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

    /// The vault's own statements for a contact, cumulatively, with the
    /// plaintext JSON as the body: 1 records + outbox on the vault's schema,
    /// each statement prepared per call as the vault does; 2 + the clock
    /// (`hlc::tick`); 3 + the history copy (`store::archive_current`);
    /// 4 + reading and parsing the person (`require_person`); 5 + reading
    /// and rewriting the preferences (`get_meta`/`put_meta`).
    const STEPS: [&str; 5] = [
        "vault_sql",
        "vault_sql+hlc",
        "vault_sql+hlc+history",
        "vault_sql+hlc+history+person",
        "vault_sql+hlc+history+person+prefs",
    ];

    struct VaultSql<'a> {
        level: usize,
        conn: Connection,
        path: PathBuf,
        specs: &'a [ContactSpec],
        people: Vec<Uuid>,
        now_ms: i64,
        logical: i64,
    }

    impl<'a> VaultSql<'a> {
        fn new(level: usize, path: &Path, specs: &'a [ContactSpec]) -> Result<VaultSql<'a>> {
            workload::remove_db(path);
            let mut conn = Connection::open(path)?;
            schema::configure(&conn)?;
            schema::migrate(&mut conn)?;
            conn.execute(
                "INSERT INTO vault_info (singleton, vault_id, created_at, node_id)
                 VALUES (1, 'bench', 0, 'be0c4a11')",
                [],
            )?;
            let mut me = VaultSql {
                level,
                conn,
                path: path.to_path_buf(),
                specs,
                people: Vec::new(),
                now_ms: workload::START_MS,
                logical: 0,
            };
            for i in 0..workload::SETUP_PEOPLE {
                me.now_ms += workload::STEP_MS;
                let person = Person::new(
                    Uuid::now_v7(),
                    PersonDraft {
                        alias: workload::alias(i),
                        registered_with_outreach: true,
                        ..Default::default()
                    },
                    at_ms(me.now_ms),
                    worker(),
                );
                me.conn.execute(
                    "INSERT INTO records (kind, id, version, key_id, occurred_at, body, sync_state)
                     VALUES ('person', ?1, ?2, 1, ?3, ?4, 0)",
                    params![
                        person.id.to_string(),
                        format!("{:013}-00000-be0c4a11", me.now_ms),
                        me.now_ms,
                        serde_json::to_vec(&person)?
                    ],
                )?;
                me.people.push(person.id);
            }
            Ok(me)
        }

        fn record(&mut self, i: usize) -> Result<()> {
            self.now_ms += workload::STEP_MS;
            let now = self.now_ms;
            let d = draft_of(&self.specs[i], &self.people)?;
            let contact = Contact {
                id: Uuid::now_v7(),
                person_id: d.person_id,
                at: at_ms(now),
                area_id: d.area_id,
                kind: d.kind,
                wellbeing: d.wellbeing,
                note: d.note,
                supplies: d.supplies,
                safeguarding: None,
                recorded_by: worker(),
            };
            let level = self.level;
            if level >= 4 {
                if let Some(p) = contact.person_id {
                    let body: Vec<u8> = self.conn.query_row(
                        "SELECT version, body FROM records WHERE kind = ?1 AND id = ?2 AND deleted = 0",
                        ("person", p.to_string()),
                        |r| r.get(1),
                    )?;
                    let _: Person = serde_json::from_slice(&body)?;
                }
            }
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut version = format!("{now:013}-00000-be0c4a11");
            if level >= 2 {
                let (p, l, node): (i64, i64, String) = tx.query_row(
                    "SELECT hlc_physical, hlc_logical, node_id FROM vault_info",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let (p, l) = if now > p { (now, 0) } else { (p, l + 1) };
                tx.execute(
                    "UPDATE vault_info SET hlc_physical = ?1, hlc_logical = ?2",
                    (p, l),
                )?;
                self.logical = l;
                version = format!("{p:013}-{l:05}-{node}");
            }
            let id = contact.id.to_string();
            let body = serde_json::to_vec(&contact)?;
            if level >= 3 {
                tx.execute(
                    "INSERT OR IGNORE INTO record_history (kind, id, version, key_id, body, replaced_at)
                     SELECT kind, id, version, key_id, body, ?3 FROM records WHERE kind = ?1 AND id = ?2",
                    params!["contact", id, now],
                )?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO records
                   (kind, id, version, key_id, occurred_at, person_ref, due_at, alert_until, is_open, deleted, body, sync_state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11)",
                params![
                    "contact",
                    id,
                    version,
                    1,
                    now,
                    contact.person_id.map(|p| p.as_bytes().to_vec()),
                    None::<i64>,
                    None::<i64>,
                    None::<bool>,
                    body,
                    0,
                ],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO outbox (kind, id, version, tombstone, queued_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params!["contact", id, version, false, now],
            )?;
            if level >= 5 {
                let prefs: Option<Vec<u8>> = tx
                    .query_row(
                        "SELECT version, body FROM sealed_meta WHERE name = ?1",
                        ["preferences"],
                        |r| r.get(1),
                    )
                    .optional()?;
                let last: Option<String> = match prefs {
                    Some(b) => serde_json::from_slice::<serde_json::Value>(&b)?
                        .get("last_area_id")
                        .and_then(|v| v.as_str().map(str::to_owned)),
                    None => None,
                };
                if last.as_deref() != Some(contact.area_id.as_str()) {
                    let current: Option<String> = tx
                        .query_row(
                            "SELECT version FROM sealed_meta WHERE name = ?1",
                            ["preferences"],
                            |r| r.get(0),
                        )
                        .optional()?;
                    let next = current
                        .and_then(|v| v.parse::<u64>().ok())
                        .map_or(1, |v| v + 1)
                        .to_string();
                    tx.execute(
                        "INSERT OR REPLACE INTO sealed_meta (name, version, body) VALUES (?1, ?2, ?3)",
                        params![
                            "preferences",
                            next,
                            serde_json::to_vec(
                                &serde_json::json!({ "last_area_id": contact.area_id })
                            )?
                        ],
                    )?;
                }
            }
            tx.commit()?;
            Ok(())
        }
    }

    impl Engine for VaultSql<'_> {
        fn name(&self) -> String {
            STEPS[self.level - 1].into()
        }
        fn one(&mut self, i: usize) -> Result<Duration> {
            let (out, took) = workload::timed(|| self.record(i));
            out?;
            Ok(took)
        }
        fn path(&self) -> Option<PathBuf> {
            Some(self.path.clone())
        }
        fn close(self: Box<Self>) -> Result<(u64, u64)> {
            drop(self.conn);
            Ok(close_files(&self.path))
        }
    }

    /// A sketch of `record_contact` with the changes docs/benchmarks.md
    /// suggests, to show what they would buy: every statement prepared once
    /// (`prepare_cached`); the person checked with `EXISTS` instead of being
    /// read and opened; no history copy for a new immutable record; the clock
    /// and the preferences held in memory (the clock recovered from the
    /// highest stored version on unlock), so `vault_info` is not rewritten
    /// on every contact. Sealing, the keyed person hash, validation and the
    /// sealed preferences write on an area change are all kept.
    struct Proposed<'a> {
        conn: Connection,
        path: PathBuf,
        specs: &'a [ContactSpec],
        people: Vec<Uuid>,
        keys: RecordKeys,
        directory: Directory,
        now_ms: i64,
        hlc: (i64, i64),
        last_area: Option<String>,
        prefs_version: u64,
    }

    impl<'a> Proposed<'a> {
        fn new(path: &Path, specs: &'a [ContactSpec]) -> Result<Proposed<'a>> {
            let mut me = Proposed {
                conn: VaultSql::new(1, path, specs)?.conn,
                path: path.to_path_buf(),
                specs,
                people: Vec::new(),
                keys: RecordKeys::from_data_key(&DataKey::generate(1)),
                directory: Directory::southend_defaults(),
                now_ms: workload::START_MS,
                hlc: (0, 0),
                last_area: None,
                prefs_version: 0,
            };
            me.people = me
                .conn
                .prepare("SELECT id FROM records WHERE kind = 'person' ORDER BY occurred_at")?
                .query_map([], |r| r.get::<_, String>(0))?
                .map(|id| Ok(Uuid::parse_str(&id?)?))
                .collect::<Result<_>>()?;
            Ok(me)
        }

        fn record(&mut self, i: usize) -> Result<()> {
            self.now_ms += workload::STEP_MS;
            let now = self.now_ms;
            let d = draft_of(&self.specs[i], &self.people)?;
            let note = d.validate(&self.directory, Role::OutreachWorker, at_ms(now))?;
            if let Some(p) = d.person_id {
                let exists: bool = self
                    .conn
                    .prepare_cached(
                        "SELECT EXISTS(SELECT 1 FROM records WHERE kind = 'person' AND id = ?1 AND deleted = 0)",
                    )?
                    .query_row([p.to_string()], |r| r.get(0))?;
                if !exists {
                    return Err("unknown person".into());
                }
            }
            let contact = Contact {
                id: Uuid::now_v7(),
                person_id: d.person_id,
                at: at_ms(now),
                area_id: d.area_id,
                kind: d.kind,
                wellbeing: d.wellbeing,
                note,
                supplies: d.supplies,
                safeguarding: None,
                recorded_by: worker(),
            };
            let (p, l) = self.hlc;
            let (p, l) = if now > p { (now, 0) } else { (p, l + 1) };
            let id = contact.id.to_string();
            let version = format!("{p:013}-{l:05}-be0c4a11");
            let plain = zeroize::Zeroizing::new(serde_json::to_vec(&contact)?);
            let sealed = envelope::seal(
                &self.keys.records,
                &Aad {
                    table: "records/contact",
                    record_id: &id,
                    version: &version,
                },
                &plain,
            );
            let person_ref = contact
                .person_id
                .map(|p| index::person_ref(&self.keys.index, &p));
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "INSERT INTO records
                   (kind, id, version, key_id, occurred_at, person_ref, deleted, body, sync_state)
                 VALUES ('contact', ?1, ?2, ?3, ?4, ?5, 0, ?6, 0)",
            )?
            .execute(params![
                id,
                version,
                self.keys.records.id(),
                now,
                person_ref,
                sealed
            ])?;
            tx.prepare_cached(
                "INSERT OR IGNORE INTO outbox (kind, id, version, tombstone, queued_at)
                 VALUES ('contact', ?1, ?2, 0, ?3)",
            )?
            .execute(params![id, version, now])?;
            let area_changed = self.last_area.as_deref() != Some(contact.area_id.as_str());
            if area_changed {
                let next = (self.prefs_version + 1).to_string();
                let prefs =
                    serde_json::to_vec(&serde_json::json!({ "last_area_id": contact.area_id }))?;
                let sealed = envelope::seal(
                    &self.keys.records,
                    &Aad {
                        table: "meta",
                        record_id: "preferences",
                        version: &next,
                    },
                    &prefs,
                );
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO sealed_meta (name, version, body) VALUES ('preferences', ?1, ?2)",
                )?
                .execute(params![next, sealed])?;
            }
            tx.commit()?;
            // Only once the commit has succeeded does memory move on.
            self.hlc = (p, l);
            if area_changed {
                self.prefs_version += 1;
                self.last_area = Some(contact.area_id);
            }
            Ok(())
        }
    }

    impl Engine for Proposed<'_> {
        fn name(&self) -> String {
            "proposed".into()
        }
        fn one(&mut self, i: usize) -> Result<Duration> {
            let (out, took) = workload::timed(|| self.record(i));
            out?;
            Ok(took)
        }
        fn path(&self) -> Option<PathBuf> {
            Some(self.path.clone())
        }
        fn close(self: Box<Self>) -> Result<(u64, u64)> {
            drop(self.conn);
            Ok(close_files(&self.path))
        }
    }

    /// Prints `BENCH breakdown.<step> p50_us=.. p99_us=.. frames_per_commit=..`.
    pub fn run(opts: &Options, remote: Option<&mut Remote>) -> Result<()> {
        const FRAMES_OVER: usize = 40;
        let warm = workload::ONE_CONTACT_WARMUP;
        let n = warm + opts.one_contact_samples();
        let specs = workload::contact_specs(3, n + FRAMES_OVER, workload::SETUP_PEOPLE);
        let dir = &opts.dir;
        let mut engines: Vec<Box<dyn Engine + '_>> = vec![Box::new(PlainEngine::new(
            &dir.join("bd-plain.db"),
            &specs,
        )?)];
        for level in 1..=STEPS.len() {
            let path = dir.join(format!("bd-step{level}.db"));
            engines.push(Box::new(VaultSql::new(level, &path, &specs)?));
        }
        engines.push(Box::new(VaultEngine::new(
            &dir.join("bd-vault.db"),
            &specs,
        )?));
        engines.push(Box::new(Proposed::new(
            &dir.join("bd-proposed.db"),
            &specs,
        )?));
        if let Some(r) = remote {
            r.open("breakdown", 3, n + FRAMES_OVER)?;
            engines.push(Box::new(RemoteEngine(r)));
        }
        interleave_one(&mut engines, 0, warm, opts.round)?;
        let mut samples = interleave_one(&mut engines, warm, n, opts.round)?;
        for (mut e, s) in engines.into_iter().zip(samples.iter_mut()) {
            let frames = e.frames_per_commit(n, n + FRAMES_OVER)?.unwrap_or(f64::NAN);
            workload::bench_line(
                "breakdown",
                &e.name(),
                &[
                    ("p50_us", workload::micros(workload::percentile(s, 50.0))),
                    ("p99_us", workload::micros(workload::percentile(s, 99.0))),
                    ("frames_per_commit", frames),
                ],
            );
            e.close()?;
        }
        Ok(())
    }
}
