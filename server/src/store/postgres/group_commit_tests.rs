//! Group commit through the real `Store::push` on PostgreSQL (ADR 0020),
//! on a throw-away cluster (`bash scripts/pg.sh -- cargo test -p
//! nightround-server --lib postgres::group_commit`): the test holds the
//! group's mutex until every push of the group waits for it, so the group
//! is known, then checks acks, COMMITs and rows through another connection
//! (which sees only what is committed).

use super::{testing, PgStore};
use crate::store::group_commit_phones::{device, drop_change, push};
use crate::store::EnrolledDevice;
use nightround_core::crypto::DataKey;
use nightround_core::sync::protocol::{Ack, AckStatus, Change};
use nightround_core::Timestamp;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A store in a fresh database, and its URL; `None` (skipped, said
/// loudly) without a cluster.
fn pg_store() -> Option<(Arc<PgStore>, String)> {
    let Ok(cluster) = std::env::var("NIGHTROUND_TEST_PG") else {
        eprintln!(
            "\n*** SKIPPED: NIGHTROUND_TEST_PG is not set, so PostgreSQL group commit was not \
             tested (bash scripts/pg.sh -- cargo test -p nightround-server --lib postgres) ***\n"
        );
        return None;
    };
    let url = testing::create_database(&cluster).unwrap();
    let store = PgStore::open(&url, DataKey::generate(1), now()).unwrap();
    Some((Arc::new(store), url))
}

fn now() -> Timestamp {
    chrono::Utc::now()
}

/// Runs one push per entry on its own thread, all in one group: the group
/// is held until every one of them waits for it. Each push, once acked,
/// is checked committed (seen from another connection).
fn in_one_group(
    store: &Arc<PgStore>,
    url: &str,
    pushes: Vec<(EnrolledDevice, Vec<Change>)>,
) -> Vec<Result<Vec<Ack>, String>> {
    let held = store.pg.group.hold();
    let n = pushes.len();
    let threads: Vec<_> = pushes
        .into_iter()
        .map(|(caller, changes)| {
            let store = Arc::clone(store);
            let url = url.to_owned();
            std::thread::spawn(move || {
                let result = push(&*store, &caller, &changes);
                if result.is_ok() {
                    // No ack before the COMMIT that made it durable.
                    assert!(changes.iter().all(|c| stored(&url, c)));
                }
                result
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.pg.group.waiting() < n {
        assert!(Instant::now() < deadline, "the pushes never queued");
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(held);
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// The one number `sql` selects, read on a connection of its own.
fn count(url: &str, sql: &str) -> i64 {
    let rows = testing::query(url, sql).unwrap();
    rows[0][0].as_deref().unwrap().parse().unwrap()
}

/// Whether `change`'s record is committed.
fn stored(url: &str, change: &Change) -> bool {
    count(
        url,
        &format!("SELECT COUNT(*) FROM records WHERE id = '{}'", change.id),
    ) == 1
}

#[test]
fn concurrent_pushes_from_many_phones_all_land_under_one_commit() {
    let Some((store, url)) = pg_store() else {
        return;
    };
    let pushes: Vec<_> = (0..12)
        .map(|n| {
            let phone = device(&*store, &format!("org{}", n % 3), n);
            let changes = (0..5).map(|_| drop_change(&phone.identity())).collect();
            (phone, changes)
        })
        .collect();
    let sent = pushes.clone();
    let before = store.group_commits();
    let results = in_one_group(&store, &url, pushes);
    assert_eq!(
        store.group_commits() - before,
        1,
        "twelve pushes, one COMMIT"
    );
    for ((_, changes), result) in sent.iter().zip(results) {
        let acks = result.unwrap();
        assert_eq!(acks.len(), 5);
        for (ack, change) in acks.iter().zip(changes) {
            assert_eq!((ack.id, ack.status), (change.id, AckStatus::Applied));
            assert!(stored(&url, change));
        }
    }
}

#[test]
fn pushes_racing_freely_share_commits() {
    let Some((store, url)) = pg_store() else {
        return;
    };
    let phones: Vec<_> = (0..16).map(|n| device(&*store, "org", n)).collect();
    let before = store.group_commits();
    let threads: Vec<_> = phones
        .into_iter()
        .map(|phone| {
            let store = Arc::clone(&store);
            let url = url.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let changes: Vec<_> = (0..5).map(|_| drop_change(&phone.identity())).collect();
                    let acks = push(&*store, &phone, &changes).unwrap();
                    assert!(acks.iter().all(|a| a.status == AckStatus::Applied));
                    assert!(changes.iter().all(|c| stored(&url, c)));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let commits = store.group_commits() - before;
    assert!(commits < 160, "160 pushes took {commits} COMMITs");
    assert_eq!(
        count(
            &url,
            "SELECT COUNT(*) FROM records WHERE kind = 'supply_drop'"
        ),
        800
    );
}

#[test]
fn with_grouping_off_every_push_commits_alone() {
    let Some((store, url)) = pg_store() else {
        return;
    };
    store.set_group_limit(1);
    let pushes: Vec<_> = (0..4)
        .map(|n| {
            let phone = device(&*store, "org", n);
            let changes = vec![drop_change(&phone.identity())];
            (phone, changes)
        })
        .collect();
    let before = store.group_commits();
    for result in in_one_group(&store, &url, pushes) {
        result.unwrap();
    }
    assert_eq!(store.group_commits() - before, 4);
}

#[test]
fn a_push_that_fails_mid_way_loses_only_its_own_writes() {
    let Some((store, url)) = pg_store() else {
        return;
    };
    let pushes: Vec<_> = (0..4)
        .map(|n| {
            let phone = device(&*store, "org", n);
            let changes: Vec<_> = (0..3).map(|_| drop_change(&phone.identity())).collect();
            (phone, changes)
        })
        .collect();
    // A real PostgreSQL error on the failing push's second record, after
    // its first is written: only the savepoint can take that one back.
    let failing = &pushes[2].1;
    testing::query(
        &url,
        &format!(
            "CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'injected fault'; END $$;
             CREATE TRIGGER injected_fault BEFORE INSERT ON records FOR EACH ROW
             WHEN (NEW.id = '{}') EXECUTE FUNCTION injected_fault();",
            failing[1].id
        ),
    )
    .unwrap();
    let sent = pushes.clone();
    let before = store.group_commits();
    let results = in_one_group(&store, &url, pushes);
    assert_eq!(store.group_commits() - before, 1);
    for (n, ((phone, changes), result)) in sent.iter().zip(results).enumerate() {
        if n == 2 {
            let error = result.unwrap_err();
            assert!(error.contains("injected fault"), "{error}");
            for change in changes {
                assert!(!stored(&url, change), "a failed push's record stayed");
                let applied = format!(
                    "SELECT COUNT(*) FROM applied_versions WHERE id = '{}'",
                    change.id
                );
                assert_eq!(count(&url, &applied), 0);
            }
            let synced = format!(
                "SELECT COUNT(*) FROM devices WHERE id = '{}' AND last_sync_at IS NOT NULL",
                phone.device.id
            );
            assert_eq!(count(&url, &synced), 0);
        } else {
            assert_eq!(result.unwrap().len(), 3);
            assert!(changes.iter().all(|c| stored(&url, c)));
        }
    }
}

#[test]
fn the_same_version_twice_in_one_group_is_applied_once() {
    let Some((store, url)) = pg_store() else {
        return;
    };
    let phone = device(&*store, "org", 0);
    let change = drop_change(&phone.identity());
    let before = store.group_commits();
    let results = in_one_group(
        &store,
        &url,
        vec![
            (phone.clone(), vec![change.clone()]),
            (phone, vec![change.clone()]),
        ],
    );
    assert_eq!(store.group_commits() - before, 1);
    let mut statuses: Vec<String> = results
        .into_iter()
        .map(|r| format!("{:?}", r.unwrap()[0].status))
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["Applied", "Duplicate"]);
    assert!(stored(&url, &change));
}
