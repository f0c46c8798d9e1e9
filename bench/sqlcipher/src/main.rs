//! The SQLCipher side of the vault bench: the peer workload of
//! `core/benches/vault.rs`, from the same source file, on SQLCipher keyed
//! with a raw 256-bit key (`PRAGMA key = "x'..'"`, so no PBKDF2 runs).
//!
//! Two ways to run it:
//!
//! - `--serve`: the vault bench (`--sqlcipher <this binary>`) drives it over
//!   stdin/stdout, one contact or one chunk at a time, interleaved with the
//!   vault and plain SQLite so that all three meet the same disk; this is how
//!   `scripts/bench.sh` runs it;
//! - on its own: prints `BENCH one_contact.sqlcipher ...`,
//!   `BENCH write_10k.sqlcipher ...` and `BENCH write_10k_bulk.sqlcipher ...`.
//!
//! See docs/benchmarks.md.

#[path = "../../../core/benches/peer/workload.rs"]
mod workload;

use std::path::{Path, PathBuf};
use std::time::Duration;
use workload::{Options, Peer};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let default_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp/bench");
    let opts = Options::parse(default_dir);
    std::fs::create_dir_all(&opts.dir)?;
    let version = check_sqlcipher(&opts.dir)?;
    if opts.serve {
        // Driven by the vault bench; stdout carries the protocol.
        eprintln!("# {version} serving the vault bench");
        return workload::serve(
            &opts.dir,
            "sqlcipher",
            Some(workload::SQLCIPHER_RAW_KEY_HEX),
        );
    }
    println!(
        "# sqlcipher bench ({version}), round {}{}, files in {}",
        opts.round,
        if opts.quick { " (quick)" } else { "" },
        opts.dir.display()
    );
    one_contact(&opts)?;
    write_records(&opts)?;
    Ok(())
}

fn keyed(path: &Path) -> Result<Peer> {
    Ok(Peer::create(path, Some(workload::SQLCIPHER_RAW_KEY_HEX))?)
}

/// A keyed peer with the same people as the vault bench's.
fn peer_with_people(path: &Path) -> Result<Peer> {
    let mut peer = keyed(path)?;
    for i in 0..workload::SETUP_PEOPLE {
        peer.add_person(&workload::alias(i))?;
    }
    Ok(peer)
}

/// Refuses to run unless SQLCipher is linked and really encrypts the file.
fn check_sqlcipher(dir: &Path) -> Result<String> {
    let path = dir.join("sqlcipher-check.db");
    let peer = keyed(&path)?;
    let version: Option<String> = peer
        .conn()
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .ok();
    drop(peer);
    let header = std::fs::read(&path)?;
    workload::remove_db(&path);
    let version = version.ok_or("not linked against SQLCipher")?;
    if header.starts_with(b"SQLite format 3") {
        return Err("the SQLCipher file has a plaintext header".into());
    }
    Ok(format!(
        "SQLCipher {version}, SQLite {}",
        rusqlite::version()
    ))
}

fn one_contact(opts: &Options) -> Result<()> {
    let path = opts.dir.join("one-sqlcipher.db");
    let mut peer = peer_with_people(&path)?;
    let n = workload::ONE_CONTACT_WARMUP + opts.one_contact_samples();
    let specs = workload::contact_specs(1, n, workload::SETUP_PEOPLE);
    let mut samples: Vec<Duration> = Vec::with_capacity(n);
    for spec in &specs {
        let (out, took) = workload::timed(|| peer.record_contact(spec));
        out?;
        samples.push(took);
    }
    workload::report_latency(
        "one_contact",
        "sqlcipher",
        &mut samples[workload::ONE_CONTACT_WARMUP..],
    );
    drop(peer);
    workload::remove_db(&path);
    Ok(())
}

fn write_records(opts: &Options) -> Result<()> {
    let n = opts.write_records();
    let specs = workload::contact_specs(2, n, workload::SETUP_PEOPLE);
    let path = opts.dir.join("write-sqlcipher.db");

    let mut peer = peer_with_people(&path)?;
    let (out, total) = workload::timed(|| -> Result<()> {
        for s in &specs {
            peer.record_contact(s)?;
        }
        Ok(())
    });
    out?;
    workload::report_total("write_10k", "sqlcipher", total, n);
    drop(peer);
    let (db, wal) = workload::db_size_kib(&path);
    workload::bench_line(
        "size_10k",
        "sqlcipher",
        &[("db_kib", db as f64), ("wal_kib", wal as f64)],
    );
    workload::remove_db(&path);

    let mut bulk = peer_with_people(&path)?;
    let (out, total) = workload::timed(|| bulk.record_contacts_in_one_transaction(&specs));
    out?;
    workload::report_total("write_10k_bulk", "sqlcipher", total, n);
    drop(bulk);
    workload::remove_db(&path);
    Ok(())
}
