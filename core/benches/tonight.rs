//! The busy-night bench's Rust peer (issue 13, item 8): the workload of
//! `bindings/tests/kotlin/bench/ScreensBench.kt` (10,000 stored records, 300
//! contacts tonight) through the core's API, without the JVM and the FFI,
//! so the Kotlin figure can be read against it. Run by
//! `scripts/kotlin-bench.sh`, or alone:
//! `cargo bench -p nightround-core --bench tonight -- [--dir DIR] [--iterations N]`.

use nightround_core::clock::SystemClock;
use nightround_core::domain::*;
use nightround_core::keystore::MemoryKeyStore;
use nightround_core::vault::LockPolicy;
use nightround_core::Vault;
use std::sync::Arc;
use std::time::Instant;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;
/// One screen call, answering how many rows it showed.
type Screen<'a> = Box<dyn FnMut() -> Result<usize> + 'a>;

const BOUND_MS: f64 = 16.0;
const STORED: usize = 10_000;
const TONIGHT: usize = 300;
const PEOPLE: usize = 200;
const OLD_CONCERNS: usize = 100;
const OLD_DROPS: usize = 100;
const AREAS: [&str; 2] = ["york_road", "ambleside_drive"];

/// A small deterministic generator (xorshift), so both benches' nights look alike.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn contact(
    rng: &mut Rng,
    person: Option<uuid::Uuid>,
    at: nightround_core::Timestamp,
) -> ContactDraft {
    let flags = [
        WellbeingFlag::FirstContact,
        WellbeingFlag::Distressed,
        WellbeingFlag::Intoxicated,
    ];
    ContactDraft {
        person_id: person,
        at: Some(at),
        area_id: AREAS[rng.below(2)].into(),
        kind: ContactKind::OutreachConversation,
        wellbeing: if rng.below(4) == 0 {
            vec![flags[rng.below(3)]]
        } else {
            vec![]
        },
        note: (rng.below(3) == 0)
            .then(|| "Talked about the drop-in on Thursday; will look for her next week".into()),
        supplies: if rng.below(2) == 0 {
            vec![
                SupplyLine {
                    item_id: "condoms".into(),
                    quantity: 10,
                },
                SupplyLine {
                    item_id: "hygiene_pack".into(),
                    quantity: 1,
                },
            ]
        } else {
            vec![]
        },
        safeguarding_acknowledged: false,
    }
}

/// This thread's time on a CPU, in ns (Linux: /proc/thread-self/schedstat);
/// 0 elsewhere. On a shared machine wall time also counts others' turns.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Wall and CPU times (ms, sorted), and the rows shown.
fn timed(
    iterations: usize,
    mut f: impl FnMut() -> Result<usize>,
) -> Result<(Vec<f64>, Vec<f64>, usize)> {
    let mut rows = 0;
    for _ in 0..20 {
        rows = f()?;
    }
    let mut wall = Vec::with_capacity(iterations);
    let mut cpu = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let c0 = thread_cpu_ns();
        let t0 = Instant::now();
        rows = f()?;
        wall.push(t0.elapsed().as_secs_f64() * 1e3);
        cpu.push(thread_cpu_ns().saturating_sub(c0) as f64 / 1e6);
    }
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    Ok((wall, cpu, rows))
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn main() -> Result<()> {
    let mut dir = std::env::temp_dir();
    let mut iterations = 200;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dir" => dir = args.next().ok_or("--dir needs a path")?.into(),
            "--iterations" => iterations = args.next().ok_or("--iterations needs N")?.parse()?,
            _ => {} // cargo bench passes --bench
        }
    }
    let path = dir.join("bench-vault-rust.db");
    for f in nightround_core::vault::vault_files(&path) {
        let _ = std::fs::remove_file(f);
    }
    let identity = WorkerIdentity {
        worker_id: "w-sam".into(),
        display_name: "Sam".into(),
        role: Role::OutreachWorker,
        organisation: "Aspirations".into(),
    };
    let vault = Vault::create(
        &path,
        Arc::new(MemoryKeyStore::new()),
        Arc::new(SystemClock),
        "246810",
        identity,
        Directory::southend_defaults(),
    )?;
    vault.set_lock_policy(LockPolicy {
        idle_timeout: chrono::Duration::days(1),
        max_failed_unlocks: 10,
    })?;
    let mut rng = Rng(13);
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::hours(5);
    let days_ago = |rng: &mut Rng| now - chrono::Duration::days(1 + rng.below(60) as i64);
    let setup = Instant::now();
    let mut people = Vec::with_capacity(PEOPLE);
    for i in 0..PEOPLE {
        people.push(
            vault
                .add_person(PersonDraft {
                    alias: format!("Woman {i:03}"),
                    ..Default::default()
                })?
                .id,
        );
    }
    for _ in 0..OLD_CONCERNS {
        let at = days_ago(&mut rng);
        vault.raise_concern(ConcernDraft {
            category: ConcernCategory::Threats,
            description: "Man in a silver estate".into(),
            vehicle: None,
            area_id: AREAS[rng.below(2)].into(),
            at: Some(at),
            severity: Severity::Low,
            alert_until: None,
            police_consent: false,
            reported_by: None,
        })?;
    }
    for _ in 0..OLD_DROPS {
        let at = days_ago(&mut rng);
        vault.record_supplies(SupplyDropDraft {
            at: Some(at),
            area_id: AREAS[rng.below(2)].into(),
            purpose: SupplyPurpose::RestockDropPoint,
            lines: vec![SupplyLine {
                item_id: "condoms".into(),
                quantity: 50,
            }],
        })?;
    }
    let old = STORED - PEOPLE - OLD_CONCERNS - OLD_DROPS - TONIGHT;
    for _ in 0..old {
        let at = days_ago(&mut rng) - chrono::Duration::minutes(rng.below(600) as i64);
        let person = (rng.below(5) != 0).then(|| people[rng.below(PEOPLE)]);
        vault.record_contact(contact(&mut rng, person, at))?;
    }
    for _ in 0..TONIGHT {
        let at = now - chrono::Duration::minutes(rng.below(240) as i64);
        let person = (rng.below(5) != 0).then(|| people[rng.below(PEOPLE)]);
        vault.record_contact(contact(&mut rng, person, at))?;
    }
    println!(
        "# Rust peer: {STORED} records stored ({TONIGHT} contacts tonight) in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    if vault.round_summary(since)?.contacts as usize != TONIGHT {
        return Err("tonight does not hold the contacts made for it".into());
    }
    let screens: [(&str, Screen); 3] = [
        (
            "round_summary",
            Box::new(|| Ok(vault.round_summary(since)?.contacts as usize)),
        ),
        (
            "tonight_first_page_50",
            Box::new(|| Ok(vault.tonight(since, 0, 50)?.rows.len())),
        ),
        (
            "tonight_all_300_rows",
            Box::new(|| Ok(vault.tonight(since, 0, 300)?.rows.len())),
        ),
    ];
    println!(
        "\n| screen (Rust API, release) | rows | p50 (ms) | p99 (ms) | max (ms) | CPU p99 (ms) | bound |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, mut f) in screens {
        let (wall, cpu, rows) = timed(iterations, &mut f)?;
        let (p50, p99, max) = (pct(&wall, 0.5), pct(&wall, 0.99), wall[wall.len() - 1]);
        let cpu99 = pct(&cpu, 0.99);
        println!(
            "BENCH rust.{name} p50_ms={p50:.2} p99_ms={p99:.2} max_ms={max:.2} cpu_p99_ms={cpu99:.2} rows={rows}"
        );
        println!(
            "| {name} | {rows} | {p50:.2} | {p99:.2} | {max:.2} | {cpu99:.2} | ≤ {BOUND_MS} ms |"
        );
    }
    vault.wipe()?;
    Ok(())
}
