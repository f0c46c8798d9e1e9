//! A pull costs what it returns, not the size of the store (issue 11): at
//! 1,000 and at 100,000 stored rows of other organisations, a phone that
//! may see 10 rows gets those 10, and the pull's statements hand back no
//! more than those 10 rows (`store::pull::ROWS_READ`). The other
//! organisations' rows are written straight into `records` with no body:
//! a pull that opened one would fail, so this also shows no body of a row
//! the viewer may not see is read. One test body on whichever backend the
//! test server runs (SQLite, or PostgreSQL under scripts/pg.sh); it prints
//! the time of the two pulls.

mod common;

use common::*;
use nightround_core::domain::{RecordKind, Role};
use nightround_server::store::pull::{prefiltered_rows, Dialect, ROWS_READ};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// A pull from the start: the changes, the rows its statements read, and
/// how long it took (the second of two, so the database's pages, which the
/// direct inserts made cold, are warm as on a running server).
async fn pull_once(t: &TestServer, dev: &TestDevice) -> (usize, u64, bool, u64, f64) {
    t.pull_page(dev, 0, 500, u32::MAX).await;
    let before = ROWS_READ.load(Ordering::SeqCst);
    let started = Instant::now();
    let page = t.pull_page(dev, 0, 500, u32::MAX).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let read = ROWS_READ.load(Ordering::SeqCst) - before;
    (page.changes.len(), page.next_cursor, page.more, read, ms)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_reads_what_it_returns_not_the_whole_store() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let robin = t.colleague(&sam).await;
    let now = t.now();
    let mut ours = Vec::new();
    for _ in 0..10 {
        ours.push(change(
            RecordKind::SupplyDrop,
            &robin.version_at(now),
            supply_drop(&robin.identity, now),
        ));
    }
    // Five of Sam's ten before the other organisations' rows, five after.
    t.push_ok(&robin, ours.split_off(5)).await;
    fill_with_others(&t, 1_000);
    t.push_ok(&robin, ours).await;
    let last = || -> u64 { t.sql("SELECT MAX(seq) FROM records")[0][0].parse().unwrap() };

    let (got, cursor, more, read_small, ms_small) = pull_once(&t, &sam).await;
    assert_eq!((got, more), (10, false));
    assert_eq!(cursor, last(), "the cursor passes what Sam may not see");
    assert!(read_small <= 12, "read {read_small} rows for 10");

    fill_with_others(&t, 99_000);
    if on_postgres() {
        // What autovacuum does on a running server after such a load.
        t.sql("ANALYZE records");
    }
    let stored: u64 = t.sql("SELECT COUNT(*) FROM records")[0][0].parse().unwrap();
    assert!(stored >= 100_000, "{stored}");
    let (got, cursor, more, read_big, ms_big) = pull_once(&t, &sam).await;
    assert_eq!((got, more), (10, false));
    assert_eq!(cursor, last());
    assert!(read_big <= 12, "read {read_big} rows for 10 at {stored}");

    // Pulling on from there reads nothing and sends nothing.
    let before = ROWS_READ.load(Ordering::SeqCst);
    let page = t.pull_page(&sam, cursor, 500, u32::MAX).await;
    assert!(page.changes.is_empty() && !page.more);
    assert_eq!(page.next_cursor, cursor);
    assert_eq!(ROWS_READ.load(Ordering::SeqCst) - before, 0);

    if on_postgres() {
        // The plan PostgreSQL picks at 100k rows: index walks, no table scan.
        let sql = prefiltered_rows(&Dialect {
            columns: "id",
            after: "0",
            limit: "512",
            device: "'d'",
            organisation: "'o'",
            worker: "'w'",
            now: &now.timestamp_millis().to_string(),
            not_deleted: "NOT tombstone",
            alerts: "records",
            consents: "records",
            any_array: true,
        });
        let plan: Vec<String> = t
            .sql(&format!("EXPLAIN {sql}"))
            .into_iter()
            .map(|r| r.join(" "))
            .collect();
        println!("{}", plan.join("\n"));
        assert!(
            !plan.iter().any(|l| l.contains("Seq Scan on records")),
            "{plan:#?}"
        );
    }
    println!(
        "pull of 10 rows: {ms_small:.1} ms at ~1k stored ({read_small} rows read), \
         {ms_big:.1} ms at {stored} stored ({read_big} rows read)"
    );
}
