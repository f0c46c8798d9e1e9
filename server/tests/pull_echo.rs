//! A pull does not send a phone back what it pushed itself (protocol
//! version 2, ADR 0009), while a version the server made from it (a merge)
//! does go back; and every row sent is remembered (ADR 0019). One test
//! body on whichever backend the test server runs (SQLite, or PostgreSQL
//! under scripts/pg.sh).

mod common;

use common::*;
use nightround_core::domain::{RecordKind, Role};
use nightround_core::sync::protocol::AckStatus;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_is_not_sent_its_own_push_but_is_sent_the_servers_merge() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let robin = t.colleague(&sam).await;
    let now = t.now();
    let jade = person(&sam.identity, "Jade", now);
    let id = id_of(&jade);
    let v1 = sam.version_at(now);
    t.push_ok(&sam, vec![change(RecordKind::Person, &v1, jade.clone())])
        .await;

    // The store names the device that pushed this exact version.
    assert_eq!(
        t.sql(&format!("SELECT device_id FROM records WHERE id = '{id}'")),
        vec![vec![sam.device_id.to_string()]]
    );
    // Sam's phone holds it already: nothing comes back, and the cursor
    // passes it so the next pull does not look at it again.
    let (own, cursor) = t.pull_from(&sam, 0).await;
    assert!(own.is_empty(), "{own:?}");
    assert!(cursor > 0);
    // Robin's does receive it, and the server remembers that it did.
    let theirs = t.pull_all(&robin).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].change.version, v1);
    // (Through her organisation: one row for the page, ADR 0019, which
    // subject access expands.)
    assert_eq!(
        t.sql(&format!(
            "SELECT device_id, length(own_runs) FROM delivery_pages WHERE device_id = '{}'",
            robin.device_id
        )),
        vec![vec![robin.device_id.to_string(), "0".to_owned()]]
    );
    let shared = t.admin().subject_access(id, "w-sup").unwrap().shared_with;
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(shared[0].why, "own_organisation");

    // Both edit offline: Sam the alias (older version), Robin the key
    // worker (newer). Robin's arrives first; Sam's, late, is merged into a
    // version the server makes, which goes back to Sam too (his phone does
    // not hold it).
    let mut sams = jade.clone();
    sams["alias"] = json!("Jay");
    let v2 = sam.version_at(now + chrono::Duration::minutes(1));
    let mut robins = jade.clone();
    robins["key_worker"] = json!("Robin");
    let v3 = robin.version_at(now + chrono::Duration::minutes(2));
    assert!(v2 < v3);
    t.push_ok(&robin, vec![change(RecordKind::Person, &v3, robins)])
        .await;
    let acks = t
        .push(&sam, vec![change(RecordKind::Person, &v2, sams)])
        .await;
    assert_eq!(acks[0].status, AckStatus::Merged, "{acks:?}");
    assert_eq!(
        t.sql(&format!(
            "SELECT COUNT(*) FROM records WHERE id = '{id}' AND device_id IS NULL"
        )),
        vec![vec!["1".to_owned()]],
        "a merge is the server's version, no device's"
    );
    let back = t.pull_from(&sam, cursor).await.0;
    assert_eq!(back.len(), 1, "the merge goes back to Sam: {back:?}");
    let merged = &back[0].change;
    assert!(merged.version.as_str() > v3.as_str(), "{}", merged.version);
    let body = merged.body.as_ref().unwrap();
    assert_eq!(body["alias"], "Jay");
    assert_eq!(body["key_worker"], "Robin");
}
