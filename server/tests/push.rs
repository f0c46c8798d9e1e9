//! Push and pull as `docs/sync-protocol.md` says: idempotent by (id,
//! version), per-change acks, per-field merge with history, corrections of
//! immutable records, tombstones, and refused requests that change nothing.

mod common;

use common::*;
use nightround_core::domain::{ContactKind, RecordKind, Role};
use nightround_core::sync::protocol::{
    AckStatus, Change, ErrorCode, PushRequest, MAX_BODY_BYTES, PROTOCOL_VERSION,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

fn push_req(changes: Vec<Change>) -> PushRequest {
    PushRequest {
        protocol: PROTOCOL_VERSION,
        batch_id: Uuid::now_v7(),
        changes,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_batch_is_acknowledged_as_duplicate_and_changes_nothing() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Sam's phone is not sent its own pushes back: a colleague's pull shows them.
    let robin = t.colleague(&sam).await;
    let now = t.now();
    let jade = person(&sam.identity, "Jade", now);
    let changes = vec![
        change(RecordKind::Person, &sam.version_at(now), jade.clone()),
        change(
            RecordKind::Contact,
            &sam.version_at(now),
            contact(
                &sam.identity,
                Some(id_of(&jade)),
                ContactKind::OutreachConversation,
                now,
            ),
        ),
        change(
            RecordKind::SupplyDrop,
            &sam.version_at(now),
            supply_drop(&sam.identity, now),
        ),
    ];
    let req = push_req(changes.clone());
    let (status, body) = t.push_request(&sam, &req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let acks: Vec<AckStatus> = body["acks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| serde_json::from_value(a["status"].clone()).unwrap())
        .collect();
    assert_eq!(acks, vec![AckStatus::Applied; 3]);
    let pulled = t.pull_all(&robin).await;
    assert_eq!(pulled.len(), 3);
    // (After the pull: a pull records what it delivered.)
    let after_first = t.dump(true);

    // A week offline later, the same batch again: duplicates, nothing moves.
    t.clock.advance(chrono::Duration::days(7));
    for _ in 0..2 {
        let (status, body) = t.push_request(&sam, &req).await;
        assert_eq!(status, StatusCode::OK);
        for (ack, sent) in body["acks"].as_array().unwrap().iter().zip(&changes) {
            assert_eq!(ack["status"], "duplicate");
            assert_eq!(ack["id"], json!(sent.id));
            assert_eq!(ack["version"], json!(sent.version));
        }
        assert_eq!(t.dump(true), after_first);
    }
    // The same (id, version) inside one batch is applied once.
    let twice = change(
        RecordKind::SupplyDrop,
        &sam.version_at(now),
        supply_drop(&sam.identity, now),
    );
    let acks = t.push(&sam, vec![twice.clone(), twice]).await;
    assert_eq!(acks[0].status, AckStatus::Applied);
    assert_eq!(acks[1].status, AckStatus::Duplicate);
    // Pull order is oldest first, and a page applied twice is the same page.
    let (all, cursor) = t.pull_from(&robin, 0).await;
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(all.len(), 4);
    assert!(t.pull_from(&robin, cursor).await.0.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_profile_edits_merge_per_field_with_history() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Sam's phone is not sent its own pushes back: a colleague's pull shows them.
    let robin = t.colleague(&sam).await;
    let priya = t
        .device("Aspirations", "Priya", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    let base = person(&sam.identity, "Jade", now);
    let id = id_of(&base);
    let v1 = sam.version_at(now);
    t.push_ok(&sam, vec![change(RecordKind::Person, &v1, base.clone())])
        .await;

    // Both edit offline: Sam the alias (v2), Priya the key worker (v3).
    let mut sams = base.clone();
    sams["alias"] = json!("Jay");
    let v2 = sam.version_at(now + chrono::Duration::minutes(1));
    let mut priyas = base.clone();
    priyas["key_worker"] = json!("Priya");
    let v3 = priya.version_at(now + chrono::Duration::minutes(2));
    assert!(v2 < v3);

    // Priya's newer edit arrives first and is stored as sent.
    let acks = t
        .push(
            &priya,
            vec![change(RecordKind::Person, &v3, priyas.clone())],
        )
        .await;
    assert_eq!(acks[0].status, AckStatus::Applied);
    assert_eq!(t.history_len(id), 1, "the old key worker is kept");
    // Sam's older edit arrives late: merged, both edits kept.
    let acks = t
        .push(&sam, vec![change(RecordKind::Person, &v2, sams.clone())])
        .await;
    assert_eq!(acks[0].status, AckStatus::Merged, "{acks:?}");
    // Kept: the alias Sam's edit replaced, and the (empty) key worker his
    // copy still carried, which lost to Priya's.
    assert_eq!(t.history_len(id), 3);

    let pulled = t.pull_all(&priya).await;
    assert_eq!(pulled.len(), 1);
    let merged = &pulled[0].change;
    let body = merged.body.as_ref().unwrap();
    assert_eq!(body["alias"], "Jay");
    assert_eq!(body["key_worker"], "Priya");
    assert!(
        merged.version.as_str() > v3.as_str() && merged.version.ends_with("-server"),
        "a merged result carries a new server version so both phones take it: {}",
        merged.version
    );

    // Replaying either edit changes nothing.
    let before = t.dump(true);
    let acks = t
        .push(
            &sam,
            vec![
                change(RecordKind::Person, &v2, sams),
                change(RecordKind::Person, &v3, priyas),
            ],
        )
        .await;
    assert!(acks.iter().all(|a| a.status == AckStatus::Duplicate));
    assert_eq!(t.dump(true), before);

    // An edit made after seeing the merge simply applies.
    let mut later = body.clone();
    later["description"] = json!("Red coat");
    // Ten minutes later (a version ten minutes ahead of the server's clock
    // would be refused as a wrong clock).
    t.clock.advance(chrono::Duration::minutes(10));
    let v4 = sam.version_at(now + chrono::Duration::minutes(10));
    let v4 = if v4.as_str() > merged.version.as_str() {
        v4
    } else {
        panic!("clock")
    };
    let acks = t
        .push(&sam, vec![change(RecordKind::Person, &v4, later.clone())])
        .await;
    assert_eq!(acks[0].status, AckStatus::Applied);
    let pulled = t.pull_all(&robin).await;
    assert_eq!(pulled[0].change.body.as_ref(), Some(&later));
    assert_eq!(pulled[0].change.version, v4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn immutable_records_are_corrected_by_their_author_only() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Sam's phone is not sent its own pushes back: a colleague's pull shows them.
    let robin = t.colleague(&sam).await;
    let priya = t
        .device("Aspirations", "Priya", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    let first = contact(&sam.identity, None, ContactKind::OutreachConversation, now);
    let id = id_of(&first);
    let v1 = sam.version_at(now);
    t.push_ok(&sam, vec![change(RecordKind::Contact, &v1, first.clone())])
        .await;

    let mut fixed = first.clone();
    fixed["note"] = json!("Took two leaflets");
    let v2 = sam.version_at(now + chrono::Duration::minutes(1));
    t.push_ok(&sam, vec![change(RecordKind::Contact, &v2, fixed.clone())])
        .await;
    assert_eq!(t.history_len(id), 1, "the first version is kept");

    // Priya may not correct Sam's contact, even claiming to be Sam.
    let mut hers = fixed.clone();
    hers["note"] = json!("Something else");
    let v3 = priya.version_at(now + chrono::Duration::minutes(2));
    let acks = t
        .push(&priya, vec![change(RecordKind::Contact, &v3, hers.clone())])
        .await;
    assert_eq!(acks[0].status, AckStatus::Rejected);
    assert!(acks[0].reason.as_deref().unwrap().contains("author"));
    hers["recorded_by"] = serde_json::to_value(&priya.identity).unwrap();
    let acks = t
        .push(&priya, vec![change(RecordKind::Contact, &v3, hers)])
        .await;
    assert_eq!(acks[0].status, AckStatus::Rejected);
    assert!(acks[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("another worker"));

    // An older version arriving late goes to the history.
    let mut stale = first.clone();
    stale["note"] = json!("An early draft");
    let v0 = format!("{:013}-00000-aaaaaaaa", now.timestamp_millis() - 1000);
    let acks = t
        .push(&sam, vec![change(RecordKind::Contact, &v0, stale)])
        .await;
    assert_eq!(acks[0].status, AckStatus::Merged);
    assert_eq!(t.history_len(id), 2);
    let pulled = t.pull_all(&robin).await;
    assert_eq!(pulled[0].change.body.as_ref(), Some(&fixed));
    assert_eq!(pulled[0].change.version, v2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_changes_are_rejected_and_the_rest_of_the_batch_applied() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Sam's phone is not sent its own pushes back: a colleague's pull shows them.
    let robin = t.colleague(&sam).await;
    let priya = t
        .device("Aspirations", "Priya", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    let v = || sam.version_at(now);
    let good = contact(&sam.identity, None, ContactKind::OutreachConversation, now);
    let not_sams = contact(
        &priya.identity,
        None,
        ContactKind::OutreachConversation,
        now,
    );
    let mut not_a_contact = contact(&sam.identity, None, ContactKind::OutreachConversation, now);
    not_a_contact["wellbeing"] = json!("cheerful");
    let mut huge = contact(&sam.identity, None, ContactKind::OutreachConversation, now);
    huge["note"] = json!("x".repeat(MAX_BODY_BYTES));
    let welfare = contact(&sam.identity, None, ContactKind::PoliceWelfareCheck, now);
    let other_id = Change {
        id: Uuid::now_v7(),
        ..change(
            RecordKind::Contact,
            &v(),
            contact(&sam.identity, None, ContactKind::Phone, now),
        )
    };
    let as_person = change(RecordKind::Person, &v(), supply_drop(&sam.identity, now));
    let bad_version = change(
        RecordKind::SupplyDrop,
        "yesterday",
        supply_drop(&sam.identity, now),
    );
    let tombstone_with_body = Change {
        tombstone: true,
        ..change(
            RecordKind::SupplyDrop,
            &v(),
            supply_drop(&sam.identity, now),
        )
    };
    let good2 = supply_drop(&sam.identity, now);
    let batch = vec![
        change(RecordKind::Contact, &v(), good.clone()),
        change(RecordKind::Contact, &v(), not_sams),
        change(RecordKind::Contact, &v(), not_a_contact),
        change(RecordKind::Contact, &v(), huge),
        change(RecordKind::Contact, &v(), welfare),
        other_id,
        as_person,
        bad_version,
        tombstone_with_body,
        change(RecordKind::SupplyDrop, &v(), good2.clone()),
    ];
    let acks = t.push(&sam, batch).await;
    let got: Vec<(AckStatus, String)> = acks
        .iter()
        .map(|a| (a.status, a.reason.clone().unwrap_or_default()))
        .collect();
    let expect = [
        (AckStatus::Applied, ""),
        (AckStatus::Rejected, "author"),
        (AckStatus::Rejected, "not a valid contact"),
        (AckStatus::Rejected, "64 KiB"),
        (AckStatus::Rejected, "kind of contact"),
        (AckStatus::Rejected, "id"),
        (AckStatus::Rejected, "not a valid person"),
        (AckStatus::Rejected, "version"),
        (AckStatus::Rejected, "tombstone"),
        (AckStatus::Applied, ""),
    ];
    for (i, ((status, reason), (want, words))) in got.iter().zip(expect).enumerate() {
        assert_eq!(*status, want, "change {i}: {reason}");
        assert!(
            reason.contains(words),
            "change {i}: {reason:?} should mention {words:?}"
        );
        assert!(
            !reason.contains("cheerful") && !reason.contains("xxxx"),
            "no values in reasons"
        );
    }
    let ids: Vec<Uuid> = t
        .pull_all(&robin)
        .await
        .iter()
        .map(|c| c.change.id)
        .collect();
    assert_eq!(ids, vec![id_of(&good), id_of(&good2)]);
    // A rejected change is not remembered: once fixed, the same id applies.
    let fixed = change(
        RecordKind::Contact,
        &v(),
        contact(&sam.identity, None, ContactKind::OutreachConversation, now),
    );
    t.push_ok(&sam, vec![fixed]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversized_and_wrong_protocol_requests_change_nothing() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    t.push_ok(
        &sam,
        vec![change(
            RecordKind::Person,
            &sam.version_at(now),
            person(&sam.identity, "Jade", now),
        )],
    )
    .await;
    let before = t.dump(false);
    let one = |v: &str| change(RecordKind::SupplyDrop, v, supply_drop(&sam.identity, now));

    let r = t.push_bytes(&sam.token, b"{not json".to_vec()).await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::Malformed);
    let r = t
        .push_bytes(
            &sam.token,
            br#"{"protocol": 2, "changes": "none"}"#.to_vec(),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::Malformed);
    let mut extra = serde_json::to_value(push_req(vec![one(&sam.version_at(now))])).unwrap();
    extra["surprise"] = json!(true);
    let r = t
        .push_bytes(&sam.token, serde_json::to_vec(&extra).unwrap())
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::Malformed);

    // An app from before protocol version 2 is told to update.
    let mut v1 = serde_json::to_value(push_req(vec![one(&sam.version_at(now))])).unwrap();
    v1["protocol"] = json!(1);
    let r = t
        .push_bytes(&sam.token, serde_json::to_vec(&v1).unwrap())
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::UnsupportedProtocol);
    assert!(r.1["message"].as_str().unwrap().contains("update the app"));
    // Its pull is refused the same way, before anything is read.
    let r = t.pull_raw(&sam.token, "?cursor=0").await;
    assert_eq!(r.0, StatusCode::OK);
    let r = t.pull_raw(&sam.token, "?cursor=0&protocol=1").await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::UnsupportedProtocol);
    let old = t
        .http
        .get(t.url("/v1/pull?cursor=0"))
        .bearer_auth(&sam.token)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::BAD_REQUEST);

    let too_many: Vec<Change> = (0..201).map(|_| one(&sam.version_at(now))).collect();
    let r = t.push_request(&sam, &push_req(too_many)).await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge);

    // Just over 4 MiB of otherwise valid changes.
    let mut padded = Vec::new();
    let mut size = 0;
    while size <= 4 * 1024 * 1024 {
        let mut body = supply_drop(&sam.identity, now);
        body["padding"] = json!("p".repeat(60 * 1024));
        size += 61 * 1024;
        padded.push(change(RecordKind::SupplyDrop, &sam.version_at(now), body));
    }
    assert!(padded.len() <= 200);
    let r = t.push_request(&sam, &push_req(padded)).await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge);

    // Unauthenticated garbage is turned away before it is read.
    let r = t.push_bytes("nope", b"{}".to_vec()).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized);
    // A malformed pull query.
    let r = t.pull_raw(&sam.token, "?cursor=abc").await;
    assert_error(&r, StatusCode::BAD_REQUEST, ErrorCode::Malformed);

    assert_eq!(
        t.dump(false),
        before,
        "nothing changed, not even the last sync"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_erase_the_body_and_its_history_and_stay() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Sam's phone is not sent its own pushes back: a colleague's pull shows them.
    let robin = t.colleague(&sam).await;
    let now = t.now();
    let jade = person(&sam.identity, "Jade", now);
    let id = id_of(&jade);
    t.push_ok(
        &sam,
        vec![change(
            RecordKind::Person,
            &sam.version_at(now),
            jade.clone(),
        )],
    )
    .await;
    let mut edited = jade.clone();
    edited["alias"] = json!("Jay");
    t.push_ok(
        &sam,
        vec![change(
            RecordKind::Person,
            &sam.version_at(now),
            edited.clone(),
        )],
    )
    .await;
    assert_eq!(t.history_len(id), 1);

    let vt = sam.version_at(now);
    t.push_ok(&sam, vec![tombstone(RecordKind::Person, id, &vt)])
        .await;
    assert_eq!(t.history_len(id), 0, "erased means erased");
    let pulled = t.pull_all(&robin).await;
    assert_eq!(pulled.len(), 1);
    assert!(pulled[0].change.tombstone);
    assert_eq!(pulled[0].change.body, None);
    assert_eq!(pulled[0].change.version, vt);

    // A late edit does not bring her back.
    let mut late = edited.clone();
    late["alias"] = json!("Jade again");
    let acks = t
        .push(
            &sam,
            vec![change(RecordKind::Person, &sam.version_at(now), late)],
        )
        .await;
    assert_eq!(acks[0].status, AckStatus::Merged);
    assert!(acks[0].reason.as_deref().unwrap().contains("deleted"));
    let pulled = t.pull_all(&robin).await;
    assert!(pulled[0].change.tombstone);

    // Nobody else may delete an author's contact.
    let priya = t
        .device("Aspirations", "Priya", Role::OutreachWorker, None)
        .await;
    let c = contact(&sam.identity, None, ContactKind::OutreachConversation, now);
    t.push_ok(
        &sam,
        vec![change(RecordKind::Contact, &sam.version_at(now), c.clone())],
    )
    .await;
    let acks = t
        .push(
            &priya,
            vec![tombstone(
                RecordKind::Contact,
                id_of(&c),
                &priya.version_at(now),
            )],
        )
        .await;
    assert_eq!(acks[0].status, AckStatus::Rejected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_pages_and_the_directory() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Sam's phone is not sent its own pushes back: a colleague's pull shows them.
    let robin = t.colleague(&sam).await;
    let now = t.now();
    let changes: Vec<Change> = (0..23)
        .map(|_| {
            change(
                RecordKind::SupplyDrop,
                &sam.version_at(now),
                supply_drop(&sam.identity, now),
            )
        })
        .collect();
    let sent: Vec<Uuid> = changes.iter().map(|c| c.id).collect();
    t.push_ok(&sam, changes).await;

    let mut cursor = 0;
    let mut got = Vec::new();
    let mut pages = 0;
    loop {
        let page = t.pull_page(&robin, cursor, 7, 0).await;
        pages += 1;
        assert!(page.changes.len() <= 7);
        assert_eq!(
            page.directory.is_some(),
            pages == 1 || page.directory.is_some()
        );
        got.extend(page.changes.iter().map(|c| c.change.id));
        assert!(page.next_cursor >= cursor);
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(got, sent, "oldest first, each once");

    // The directory comes when the phone's is older, and not otherwise.
    let rev = t.admin().directory().unwrap().revision;
    assert!(t.pull_page(&robin, 0, 1, 0).await.directory.is_some());
    assert!(t.pull_page(&robin, 0, 1, rev).await.directory.is_none());
    let mut dir = t.admin().directory().unwrap();
    dir.revision = rev + 1;
    t.admin().set_directory(&dir).unwrap();
    assert_eq!(
        t.pull_page(&robin, cursor, 1, rev).await.directory,
        Some(dir)
    );

    // A limit over 500 is served as 500; no parameters at all is fine.
    let (status, body) = t.pull_raw(&robin.token, "?limit=100000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["changes"].as_array().unwrap().len(), 23);
    let (status, body) = t.pull_raw(&sam.token, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["more"], Value::Bool(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_sealed_at_rest() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    // Sam's phone is not sent its own pushes back: a colleague's pull shows them.
    let robin = t.colleague(&sam).await;
    let now = t.now();
    let canary = "Xanthippe-canary-7731";
    let jade = person(&sam.identity, canary, now);
    let mut c = contact(
        &sam.identity,
        Some(id_of(&jade)),
        ContactKind::OutreachConversation,
        now,
    );
    c["note"] = json!(format!("{canary} said the van came back"));
    t.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(now), jade.clone()),
            change(RecordKind::Contact, &sam.version_at(now), c),
        ],
    )
    .await;
    let mut edited = jade.clone();
    edited["alias"] = json!("Jay");
    t.push_ok(
        &sam,
        vec![change(RecordKind::Person, &sam.version_at(now), edited)],
    )
    .await;
    assert_eq!(
        t.history_len(id_of(&jade)),
        1,
        "the canary is in the history now"
    );
    for entry in std::fs::read_dir(t.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
                "plaintext in {}",
                path.display()
            );
        }
    }
    // And it still reads back.
    let pulled = t.pull_all(&robin).await;
    assert!(pulled
        .iter()
        .any(|p| p.change.body.as_ref().unwrap()["note"]
            .as_str()
            .is_some_and(|n| n.contains(canary))));
}
