//! A pull costs what it returns, not the server's history (issue 11): the
//! real server on loopback (plain HTTP), a phone whose organisation holds 10
//! rows, and the store filled around them with other organisations' rows up
//! to each size; prints, per size, the rows the pull returned, the rows its
//! statements read (`store::pull::ROWS_READ`) and its time (median of the
//! samples, pages warm). Run by hand:
//!
//! ```sh
//! cargo bench -p nightround-server --bench pull_cost                   # 10k and 1M
//! cargo bench -p nightround-server --bench pull_cost -- 1000 100000   # other sizes
//! SAMPLES=5 cargo bench -p nightround-server --bench pull_cost
//! ```
//!
//! The other rows are written straight into `records` (one statement per
//! size, as `server/tests/pull_cost.rs` does at 1k and 100k) with no body,
//! so a pull that opened one would fail: what is timed reads no body of a
//! row its phone may not see. Half the phone's rows were pushed before the
//! fill and half after, so they lie at both ends of the history.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{change, supply_drop, TestDevice, TestServer};
use nightround_core::domain::{RecordKind, Role};
use nightround_server::store::pull::ROWS_READ;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Pulls timed per size; `SAMPLES=5` for a quicker run.
fn samples() -> usize {
    std::env::var("SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(21)
        .max(1)
}

/// Adds rows of 40 other organisations after the last stored seq until the
/// store holds `total`, and moves the sequence counter past them, as pushes
/// would have.
fn fill_to(t: &TestServer, total: u64) {
    let stored: u64 = t.sql("SELECT COUNT(*) FROM records")[0][0]
        .parse()
        .expect("a count");
    let Some(n) = total.checked_sub(stored).filter(|n| *n > 0) else {
        return;
    };
    common::fill_with_others(t, n);
    if common::on_postgres() {
        t.sql("ANALYZE records");
    }
}

/// One pull from the start (up to 500 changes): changes returned, rows
/// read, milliseconds.
async fn pull(t: &TestServer, dev: &TestDevice) -> (usize, u64, f64) {
    let before = ROWS_READ.load(Ordering::SeqCst);
    let started = Instant::now();
    let page = t.pull_page(dev, 0, 500, u32::MAX).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(!page.more, "one page holds the phone's rows");
    (
        page.changes.len(),
        ROWS_READ.load(Ordering::SeqCst) - before,
        ms,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 1_000_000];
    }
    sizes.sort_unstable();
    let samples = samples();
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let robin = t.colleague(&sam).await;
    let now = t.now();
    let mut ours: Vec<_> = (0..10)
        .map(|_| {
            change(
                RecordKind::SupplyDrop,
                &robin.version_at(now),
                supply_drop(&robin.identity, now),
            )
        })
        .collect();
    t.push_ok(&robin, ours.split_off(5)).await;
    fill_to(&t, sizes[0] / 2);
    t.push_ok(&robin, ours).await;

    println!("| stored records | rows returned | rows read | pull p50 | pull min |");
    println!("|---:|---:|---:|---:|---:|");
    for size in sizes {
        let started = Instant::now();
        fill_to(&t, size);
        let stored: u64 = t.sql("SELECT COUNT(*) FROM records")[0][0]
            .parse()
            .expect("a count");
        eprintln!(
            "filled to {stored} records in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // One pull to warm the pages the direct inserts left cold.
        pull(&t, &sam).await;
        let mut times = Vec::with_capacity(samples);
        let (mut returned, mut read) = (0, 0);
        for _ in 0..samples {
            let (n, r, ms) = pull(&t, &sam).await;
            (returned, read) = (n, r);
            times.push(ms);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {stored} | {returned} | {read} | {:.2} ms | {:.2} ms |",
            times[samples / 2],
            times[0]
        );
    }
}
