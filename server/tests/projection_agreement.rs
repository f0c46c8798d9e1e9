//! The partnership's agreement caps what a projection lets through (issue
//! 14): what she consented to, within what the stored agreement lets that
//! kind of organisation receive. Real server on loopback, real SQLite.

mod common;

use common::*;
use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::{ContactKind, RecordKind, Role};
use serde_json::{json, Value};

/// Pushes Jade, a contact with a note and wellbeing, and her consent to
/// the police covering notes; returns what the police officer receives
/// of the contact.
async fn police_view_of_a_noted_contact(t: &TestServer) -> Value {
    let oa = t
        .device("Aspirations", "oa", Role::OutreachWorker, None)
        .await;
    let p1 = t
        .device("Essex Police", "p1", Role::PoliceOfficer, None)
        .await;
    let now = t.now();
    let jade = person(&oa.identity, "Jade", now);
    let jade_id = id_of(&jade);
    let mut seen = contact(&oa.identity, Some(jade_id), ContactKind::Phone, now);
    seen["wellbeing"] = json!(["distressed"]);
    let contact_id = id_of(&seen);
    let mut to_police = consent(
        &oa.identity,
        jade_id,
        "essex_police",
        now + chrono::Duration::days(30),
        None,
        now,
    );
    to_police["covers"] = json!(["contact_history", "wellbeing", "free_text_note"]);
    let v = |d: &TestDevice| d.version_at(t.now());
    t.push_ok(
        &oa,
        vec![
            change(RecordKind::Person, &v(&oa), jade),
            change(RecordKind::Contact, &v(&oa), seen),
            change(RecordKind::Consent, &v(&oa), to_police),
        ],
    )
    .await;
    t.pull_all(&p1)
        .await
        .into_iter()
        .find(|c| c.change.id == contact_id)
        .and_then(|c| c.change.body)
        .expect("the police receive the contact her consent covers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn police_get_no_note_when_the_agreement_withholds_notes_from_police() {
    let t = TestServer::start().await;
    let agreement = SharingAgreement::southend_example();
    assert!(
        !agreement
            .may_receive(nightround_core::domain::agreement::OrganisationKind::Police)
            .contains(&nightround_core::domain::InfoCategory::FreeTextNote),
        "the example agreement withholds notes from the police"
    );
    nightround_server::partnership::save_agreement(t.admin(), agreement).unwrap();
    let got = police_view_of_a_noted_contact(&t).await;
    assert!(
        got.get("note").is_none(),
        "a note reached the police: {got}"
    );
    // What both her consent and the agreement allow still arrives.
    assert_eq!(got["wellbeing"], json!(["distressed"]));
}

/// With no agreement stored, her consent alone decides (the documented
/// fallback in `projection.rs`): the same consent lets the note through,
/// so the test above fails for the agreement's reason, not another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_stored_agreement_her_consent_alone_decides() {
    let t = TestServer::start().await;
    let got = police_view_of_a_noted_contact(&t).await;
    assert_eq!(got["note"], json!("Took a leaflet"));
    assert_eq!(got["wellbeing"], json!(["distressed"]));
}
