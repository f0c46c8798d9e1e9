//! Issue 10's duties run under the partnership's *stored* agreement (issue
//! 14): retention and subject access read what the partnership
//! administrator saved, and fall back to the server's configured agreement
//! only while none is stored.

mod common;

use chrono::Duration;
use common::*;
use nightround_core::domain::agreement::{RetentionPeriod, SharingAgreement};
use nightround_core::domain::{ContactKind, RecordKind, Role};

/// The example agreement, renamed, keeping people and contacts a year.
fn a_year_agreement() -> SharingAgreement {
    let mut a = SharingAgreement::southend_example();
    a.name = "Our own partnership".into();
    for rule in &mut a.retention.records {
        if matches!(rule.kind, RecordKind::Person | RecordKind::Contact) {
            if let RetentionPeriod::Months { from, .. } = rule.keep {
                rule.keep = RetentionPeriod::Months { months: 12, from };
            }
        }
    }
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_and_subject_access_follow_the_stored_agreement() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let t0 = s.now();
    let jade = person(&sam.identity, "Jade", t0);
    let visit = contact(
        &sam.identity,
        Some(id_of(&jade)),
        ContactKind::OutreachConversation,
        t0,
    );
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(t0), jade.clone()),
            change(RecordKind::Contact, &sam.version_at(t0), visit),
        ],
    )
    .await;
    s.clock.set(t0 + Duration::days(400));
    // None stored: the configured agreement (six years) keeps her.
    assert_eq!(s.admin().run_retention().unwrap().total(), 0);
    let before = s.admin().subject_access(id_of(&jade), "w-sup").unwrap();
    assert_ne!(before.agreement, "Our own partnership");

    nightround_server::partnership::save_agreement(s.admin(), a_year_agreement()).unwrap();
    let export = s.admin().subject_access(id_of(&jade), "w-sup").unwrap();
    assert_eq!(export.agreement, "Our own partnership");
    // Stored: a year, so her record and contact are due.
    let run = s.admin().run_retention().unwrap();
    assert_eq!(run.total(), 2, "{run:?}");
}
