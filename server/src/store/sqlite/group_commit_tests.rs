//! Group commit through the real `Store::push` on a SQLite file on disk
//! (ADR 0020): the test holds the writer until every push of the group is
//! waiting for it, so the group is known, then checks acks, COMMITs and rows.

use super::SqliteStore;
use crate::store::group_commit_phones::{device, drop_change, push};
use crate::store::{EnrolledDevice, Store};
use nightround_core::crypto::DataKey;
use nightround_core::sync::protocol::{Ack, AckStatus, Change};
use nightround_core::Timestamp;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn now() -> Timestamp {
    chrono::Utc::now()
}

fn file_store() -> (Arc<SqliteStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("db"), DataKey::generate(1), now()).unwrap();
    (Arc::new(store), dir)
}

/// Runs one push per entry on its own thread, all in one group: the writer
/// is held until every one of them waits for it.
fn in_one_group(
    store: &Arc<SqliteStore>,
    pushes: Vec<(EnrolledDevice, Vec<Change>)>,
) -> Vec<Result<Vec<Ack>, String>> {
    let held = store.lock();
    let n = pushes.len();
    let threads: Vec<_> = pushes
        .into_iter()
        .map(|(caller, changes)| {
            let store = Arc::clone(store);
            std::thread::spawn(move || {
                let result = push(&*store, &caller, &changes);
                if result.is_ok() {
                    // No ack before the COMMIT that made it durable.
                    assert!(changes.iter().all(|c| committed(&store, c)));
                }
                result
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.writer.waiting() < n {
        assert!(Instant::now() < deadline, "the pushes never queued");
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(held);
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

fn count(store: &SqliteStore, sql: &str, id: &str) -> i64 {
    store.lock().query_row(sql, [id], |r| r.get(0)).unwrap()
}

/// Whether `change` is committed: a pooled read-only connection sees only
/// what a COMMIT has made durable.
fn committed(store: &SqliteStore, change: &Change) -> bool {
    let reader = store.reader().unwrap();
    let n: i64 = reader
        .query_row(
            "SELECT COUNT(*) FROM records WHERE id = ?1",
            [change.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    n == 1
}

fn stored(store: &SqliteStore, change: &Change) -> bool {
    count(
        store,
        "SELECT COUNT(*) FROM records WHERE id = ?1",
        &change.id.to_string(),
    ) == 1
}

#[test]
fn concurrent_pushes_from_many_phones_all_land_under_one_commit() {
    let (store, _dir) = file_store();
    let pushes: Vec<_> = (0..12)
        .map(|n| {
            let phone = device(&*store, &format!("org{}", n % 3), n);
            let changes = (0..5).map(|_| drop_change(&phone.identity())).collect();
            (phone, changes)
        })
        .collect();
    let sent = pushes.clone();
    let before = store.group_commits();
    let results = in_one_group(&store, pushes);
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
            assert!(stored(&store, change));
        }
    }
}

#[test]
fn pushes_racing_freely_share_commits() {
    let (store, _dir) = file_store();
    let phones: Vec<_> = (0..16).map(|n| device(&*store, "org", n)).collect();
    let before = store.group_commits();
    let threads: Vec<_> = phones
        .into_iter()
        .map(|phone| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let changes: Vec<_> = (0..5).map(|_| drop_change(&phone.identity())).collect();
                    let acks = push(&*store, &phone, &changes).unwrap();
                    assert!(acks.iter().all(|a| a.status == AckStatus::Applied));
                    // Acked only once committed.
                    assert!(changes.iter().all(|c| committed(&store, c)));
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
            &store,
            "SELECT COUNT(*) FROM records WHERE kind = ?1",
            "supply_drop"
        ),
        800
    );
}

#[test]
fn with_grouping_off_every_push_commits_alone() {
    let (store, _dir) = file_store();
    store.set_group_limit(1);
    let pushes: Vec<_> = (0..4)
        .map(|n| {
            let phone = device(&*store, "org", n);
            let changes = vec![drop_change(&phone.identity())];
            (phone, changes)
        })
        .collect();
    let before = store.group_commits();
    for result in in_one_group(&store, pushes) {
        result.unwrap();
    }
    assert_eq!(store.group_commits() - before, 4);
}

#[test]
fn a_push_that_fails_mid_way_loses_only_its_own_writes() {
    let (store, _dir) = file_store();
    let pushes: Vec<_> = (0..4)
        .map(|n| {
            let phone = device(&*store, "org", n);
            let changes: Vec<_> = (0..3).map(|_| drop_change(&phone.identity())).collect();
            (phone, changes)
        })
        .collect();
    // A real SQLite error on the failing push's second record, after its
    // first is written: only the savepoint can take that one back.
    let failing = &pushes[2].1;
    store
        .lock()
        .execute_batch(&format!(
            "CREATE TEMP TRIGGER injected_fault BEFORE INSERT ON records
             WHEN NEW.id = '{}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
            failing[1].id
        ))
        .unwrap();
    let sent = pushes.clone();
    let before = store.group_commits();
    let results = in_one_group(&store, pushes);
    assert_eq!(store.group_commits() - before, 1);
    for (n, ((phone, changes), result)) in sent.iter().zip(results).enumerate() {
        if n == 2 {
            let error = result.unwrap_err();
            assert!(error.contains("injected fault"), "{error}");
            for change in changes {
                assert!(!stored(&store, change), "a failed push's record stayed");
                let applied = "SELECT COUNT(*) FROM applied_versions WHERE id = ?1";
                assert_eq!(count(&store, applied, &change.id.to_string()), 0);
            }
            let synced = "SELECT COUNT(*) FROM devices WHERE id = ?1 AND last_sync_at IS NOT NULL";
            assert_eq!(count(&store, synced, &phone.device.id.to_string()), 0);
        } else {
            assert_eq!(result.unwrap().len(), 3);
            assert!(changes.iter().all(|c| stored(&store, c)));
        }
    }
}

#[test]
fn the_same_version_twice_in_one_group_is_applied_once() {
    let (store, _dir) = file_store();
    let phone = device(&*store, "org", 0);
    let change = drop_change(&phone.identity());
    let before = store.group_commits();
    let results = in_one_group(
        &store,
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
    assert!(stored(&store, &change));
}

/// A pull's delivery writes (ADR 0019) join the writer's group with pushes
/// (ADR 0020): phones pulling at once share one COMMIT, and each pull's
/// deliveries are durable when its page comes back.
#[test]
fn pulls_and_pushes_at_once_share_one_commit() {
    use crate::store::PullQuery;
    let (store, _dir) = file_store();
    let author = device(&*store, "org", 0);
    let changes: Vec<_> = (0..5).map(|_| drop_change(&author.identity())).collect();
    push(&*store, &author, &changes).unwrap();
    let pullers: Vec<_> = (1..=6).map(|n| device(&*store, "org", n)).collect();
    let pusher = device(&*store, "org", 7);
    let pushed = vec![drop_change(&pusher.identity())];

    let held = store.lock();
    let before = store.group_commits();
    let mut threads = Vec::new();
    for phone in pullers.clone() {
        let store = Arc::clone(&store);
        threads.push(std::thread::spawn(move || {
            let query = PullQuery {
                cursor: 0,
                limit: 100,
                directory_revision: 0,
            };
            let page = store.pull(&phone, &query, now()).unwrap();
            // Durable before it is answered: a reader sees the delivery.
            let reader = store.reader().unwrap();
            let pages: i64 = reader
                .query_row(
                    "SELECT COUNT(*) FROM delivery_pages WHERE device_id = ?1",
                    [phone.device.id.to_string()],
                    |r| r.get(0),
                )
                .unwrap();
            (page.changes.len(), pages)
        }));
    }
    {
        let store = Arc::clone(&store);
        let phone = pusher.clone();
        let pushed = pushed.clone();
        threads.push(std::thread::spawn(move || {
            let acks = push(&*store, &phone, &pushed).unwrap();
            (acks.len(), 1)
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.writer.waiting() < 7 {
        assert!(Instant::now() < deadline, "the pulls never queued");
        std::thread::sleep(Duration::from_millis(2));
    }
    drop(held);
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(
        store.group_commits() - before,
        1,
        "six pulls and a push, one COMMIT"
    );
    for (sent, pages) in &results[..6] {
        assert!(*sent >= 5, "each puller got the author's five drops");
        assert_eq!(*pages, 1, "its delivery page is committed");
    }
    assert_eq!(results[6], (1, 1));
    assert!(committed(&store, &pushed[0]));
}

/// Big pushes run alone (`ALONE_FROM` records or more): they pay for their
/// own fsync already, and inside a group's savepoint every page they touch
/// is journaled first (ADR 0020). Small ones still share.
#[test]
fn big_pushes_commit_alone() {
    use super::group_commit::{ALONE_FROM, RECORDS_PER_COMMIT};
    let (store, _dir) = file_store();
    let big = RECORDS_PER_COMMIT / 2 + 1;
    assert!(big >= ALONE_FROM);
    let pushes: Vec<_> = (0..4)
        .map(|n| {
            let phone = device(&*store, "org", n);
            let changes = (0..big).map(|_| drop_change(&phone.identity())).collect();
            (phone, changes)
        })
        .collect();
    let before = store.group_commits();
    for result in in_one_group(&store, pushes) {
        assert_eq!(result.unwrap().len(), big);
    }
    assert_eq!(
        store.group_commits() - before,
        4,
        "four big pushes: each commits alone"
    );
}

/// Small pushes end a group at `RECORDS_PER_COMMIT` records.
#[test]
fn small_pushes_end_a_group_at_its_record_bound() {
    use super::group_commit::{ALONE_FROM, RECORDS_PER_COMMIT};
    let (store, _dir) = file_store();
    let small = ALONE_FROM - 1;
    let n = RECORDS_PER_COMMIT / small + 1; // the group ends at the n-th
    let pushes: Vec<_> = (0..2 * n)
        .map(|k| {
            let phone = device(&*store, "org", k);
            let changes = (0..small).map(|_| drop_change(&phone.identity())).collect();
            (phone, changes)
        })
        .collect();
    let before = store.group_commits();
    for result in in_one_group(&store, pushes) {
        assert_eq!(result.unwrap().len(), small);
    }
    assert_eq!(
        store.group_commits() - before,
        2,
        "{} pushes of {small}",
        2 * n
    );
}
