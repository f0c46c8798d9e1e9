//! A pull remembers what it sent compactly (ADR 0019): the rows a device
//! receives through its organisation or its worker's authorship are one
//! `delivery_pages` row per page, not a `deliveries` row per record, and a
//! subject access request still lists who received each of her records,
//! first and last. Conditional deliveries (a consent) stay one row each
//! and are still retracted. One test body on whichever backend the test
//! server runs (SQLite, or PostgreSQL under scripts/pg.sh).

mod common;

use chrono::Duration;
use common::*;
use nightround_core::domain::{ContactKind, RecordKind, Role};

fn count(t: &TestServer, sql: &str) -> u64 {
    t.sql(sql)[0][0].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_own_organisation_rows_is_one_delivery_row_and_subject_access_still_lists_them() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let robin = t.colleague(&sam).await;
    let now = t.now();
    // 40 women and a contact with each: 80 rows Robin receives through
    // her organisation.
    let people: Vec<_> = (0..40)
        .map(|i| person(&sam.identity, &format!("Woman {i}"), now))
        .collect();
    let mut changes = Vec::new();
    for p in &people {
        changes.push(change(RecordKind::Person, &sam.version_at(now), p.clone()));
        changes.push(change(
            RecordKind::Contact,
            &sam.version_at(now),
            contact(
                &sam.identity,
                Some(id_of(p)),
                ContactKind::OutreachConversation,
                now,
            ),
        ));
    }
    t.push_ok(&sam, changes).await;

    let got = t.pull_all(&robin).await;
    assert_eq!(got.len(), 80);
    let robins = |table: &str| {
        count(
            &t,
            &format!(
                "SELECT COUNT(*) FROM {table} WHERE device_id = '{}'",
                robin.device_id
            ),
        )
    };
    assert_eq!(robins("deliveries"), 0, "no row per record");
    assert_eq!(robins("delivery_pages"), 1, "one row for the page");

    // Later, Sam edits the first woman's profile; Robin pulls it.
    let jade = &people[0];
    let jade_id = id_of(jade);
    t.clock.advance(Duration::hours(2));
    let later = t.now();
    let mut edit = jade.clone();
    edit["key_worker"] = serde_json::Value::from("Sam");
    t.push_ok(
        &sam,
        vec![change(RecordKind::Person, &sam.version_at(later), edit)],
    )
    .await;
    let again = t.pull_all(&robin).await;
    assert!(again.iter().any(|c| c.change.id == jade_id), "{again:?}");
    assert_eq!(robins("deliveries"), 0);

    // Subject access: Robin's phone received her profile (first at the
    // first pull, last after the edit) and her contact, through the
    // organisation; Sam's phone received nothing back.
    let export = t.admin().subject_access(jade_id, "w-sup").unwrap();
    // Robin's phone is the only one that pulled: every entry is hers.
    let to_robin: Vec<_> = export.shared_with.iter().collect();
    let profile = to_robin
        .iter()
        .find(|d| d.record_id == jade_id)
        .unwrap_or_else(|| panic!("her profile to Robin: {:?}", export.shared_with));
    assert_eq!(profile.why, "own_organisation");
    assert_eq!(profile.categories, None);
    assert_eq!(profile.first_at, now);
    assert_eq!(profile.last_at, later);
    assert_eq!(profile.retracted_at, None);
    assert!(
        to_robin.iter().any(|d| d.kind == RecordKind::Contact),
        "her contact to Robin: {:?}",
        export.shared_with
    );
    assert_eq!(
        export.shared_with.len(),
        2,
        "only Robin's phone, her two records: {:?}",
        export.shared_with
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consented_delivery_stays_one_row_and_is_still_retracted() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let police = t
        .device("Essex Police", "PC Hart", Role::PoliceOfficer, None)
        .await;
    let now = t.now();
    let jade = person(&sam.identity, "Jade", now);
    let jade_id = id_of(&jade);
    let agreed = consent(
        &sam.identity,
        jade_id,
        "essex_police",
        now + Duration::days(3),
        None,
        now,
    );
    t.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(now), jade),
            change(RecordKind::Consent, &sam.version_at(now), agreed),
        ],
    )
    .await;
    let (got, cursor) = t.pull_from(&police, 0).await;
    assert!(got.iter().any(|c| c.change.id == jade_id), "{got:?}");
    let rows = count(
        &t,
        &format!(
            "SELECT COUNT(*) FROM deliveries WHERE device_id = '{}' AND conditional",
            police.device_id
        ),
    );
    assert!(rows >= 1, "the consented delivery is a row of its own");
    // Her consent runs out: the police phone is told to drop her profile.
    t.clock.advance(Duration::days(4));
    let page = t.pull_page(&police, cursor, 500, u32::MAX).await;
    assert!(
        page.retract
            .iter()
            .any(|r| r.id == jade_id && r.fields.is_none()),
        "{:?}",
        page.retract
    );
    let export = t.admin().subject_access(jade_id, "w-sup").unwrap();
    assert!(
        export
            .shared_with
            .iter()
            .any(|d| d.record_id == jade_id && d.why == "consent" && d.retracted_at.is_some()),
        "{:?}",
        export.shared_with
    );
}
