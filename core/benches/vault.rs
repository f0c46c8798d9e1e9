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
        })?;
        // Enrolled like a real phone, so every write also seals its outbox
        // copy to the server's key (ADR 0003): that cost is measured too.
        use base64::Engine;
        let server = nightround_core::crypto::sealed_box::ServerSealingKey::generate();
        vault.set_enrolment(nightround_core::vault::Enrolment {
            server_url: "https://sync.example.org/".into(),
            pinned_cert_pem: None,
            device_id: Uuid::now_v7(),
            token: "bench".into(),
            lease_days: 10_000,
            server_sealing_key: Some(
                base64::engine::general_purpose::STANDARD.encode(server.public()),
            ),
        })?;
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
    /// Closes and deletes the database; its size in KiB (file, WAL).
    fn close(self: Box<Self>) -> Result<(u64, u64)>;
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

/// The contacts of `specs` as one pulled page, as another phone made them.
fn pulled_page(
    specs: &[ContactSpec],
    people: &[Uuid],
) -> Result<nightround_core::sync::protocol::PullResponse> {
    use nightround_core::sync::protocol::{Change, PullResponse, PulledChange};
    let author = WorkerIdentity {
        worker_id: "w-other".into(),
        ..worker()
    };
    let mut changes = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let d = draft_of(spec, people)?;
        let contact = nightround_core::domain::Contact {
            id: Uuid::now_v7(),
            person_id: d.person_id,
            at: at_ms(workload::START_MS + i as i64 * workload::STEP_MS),
            area_id: d.area_id,
            kind: d.kind,
            wellbeing: d.wellbeing,
            note: d.note,
            supplies: d.supplies,
            safeguarding: None,
            recorded_by: author.clone(),
        };
        changes.push(PulledChange {
            seq: i as u64 + 1,
            change: Change::new(
                nightround_core::domain::RecordKind::Contact,
                contact.id,
                format!("{:013}-{:05}-other", workload::START_MS + i as i64, 0),
                false,
                Some(serde_json::to_value(&contact)?),
            ),
        });
    }
    Ok(PullResponse {
        next_cursor: changes.len() as u64,
        changes,
        more: false,
        directory: None,
        server_time: at_ms(workload::START_MS),
        team: None,
        retract: Vec::new(),
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
    let mut p50 = Vec::new();
    for (e, s) in engines.into_iter().zip(samples.iter_mut()) {
        workload::report_latency("one_contact", &e.name(), s);
        p50.push(workload::percentile(s, 50.0));
        e.close()?;
    }
    if let [vault, plain, ..] = p50[..] {
        report_ratio(&opts.dir, vault, plain);
    }
    Ok(())
}

/// The bound issue 13 sets on one contact: the vault at most this many times
/// plain SQLite at the median, on tmpfs (CPU only) and on disk.
const ONE_CONTACT_BOUND: f64 = 1.2;

/// Prints the vault/plain ratio of one contact's median beside its bound, and
/// the filesystem the files were on (tmpfs: the CPU cost alone; a disk: with
/// its fsyncs), as `BENCH one_contact_ratio.<fs> ratio=.. bound=..` and a
/// line in words.
fn report_ratio(dir: &Path, vault: Duration, plain: Duration) {
    let ratio = vault.as_secs_f64() / plain.as_secs_f64().max(1e-9);
    let fs = filesystem_of(dir).unwrap_or_else(|| "unknown".into());
    workload::bench_line(
        "one_contact_ratio",
        &fs,
        &[
            ("ratio_x100", ratio * 100.0),
            ("bound_x100", ONE_CONTACT_BOUND * 100.0),
        ],
    );
    println!(
        "# one contact on {fs}: vault/plain p50 = {ratio:.2}x (bound {ONE_CONTACT_BOUND}x) {}",
        if ratio <= ONE_CONTACT_BOUND {
            "PASS"
        } else {
            "MISS"
        }
    );
}

/// The type of the filesystem holding `dir` (`tmpfs`, `ext4`, ...), from the
/// longest matching mount point in /proc/mounts (Linux only).
fn filesystem_of(dir: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _device = fields.next()?;
            let point = fields.next()?.replace("\\040", " ");
            let fs = fields.next()?;
            dir.starts_with(&point)
                .then(|| (point.len(), fs.to_owned()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fs)| fs)
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

    // All in one transaction, as a sync pull writes them: the vault through
    // `apply_pull` (validate, seal, index, one commit), the peers directly.
    let vault_bulk_path = opts.dir.join("write-vault-bulk.db");
    let bulk_vault = vault_with_people(&vault_bulk_path)?;
    let page = pulled_page(&specs, &bulk_vault.people)?;
    let (applied, vault_total) = workload::timed(|| bulk_vault.vault.apply_pull(&page));
    if applied? != n {
        return Err("the vault did not apply every pulled record".into());
    }
    drop(bulk_vault);
    workload::remove_db(&vault_bulk_path);
    workload::report_total("write_10k_bulk", "vault", vault_total, n);
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
