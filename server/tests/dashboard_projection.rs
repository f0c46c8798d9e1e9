//! The dashboard reads through the same projection as a pull (issue 14): a
//! police officer's page of a woman shows only what her consent to the
//! police covers — no note — while her own organisation sees it all.

mod common;
#[path = "support/web.rs"]
mod web;

use common::*;
use nightround_core::domain::{ContactKind, RecordKind, Role};
use nightround_server::dashboard::accounts;
use serde_json::json;
use web::Web;

const PASSWORD: &str = "a long enough password";

fn account(s: &TestServer, org: &str, name: &str, role: Role, username: &str) {
    let admin = s.admin();
    let org = admin
        .find_organisation(org)
        .or_else(|_| admin.create_organisation(org))
        .unwrap();
    let w = admin.create_worker(&org.id, name, role, None).unwrap();
    let config = common::config(s.dir.path(), &s.clock);
    accounts::create_in_data_dir(&config, &w.id, username, Some(PASSWORD)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_police_officers_person_page_shows_no_note_her_consent_does_not_cover() {
    let s = TestServer::start().await;
    let oa = s
        .device("Aspirations", "oa", Role::OutreachWorker, None)
        .await;
    account(&s, "Essex Police", "PC Hart", Role::PoliceOfficer, "hart");
    account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    let now = s.now();
    let jade = person(&oa.identity, "Jade", now);
    let jade_id = id_of(&jade);
    let mut seen = contact(&oa.identity, Some(jade_id), ContactKind::Phone, now);
    seen["note"] = json!("Canary-note-7731");
    let mut to_police = consent(
        &oa.identity,
        jade_id,
        "essex_police",
        now + chrono::Duration::days(30),
        None,
        now,
    );
    to_police["covers"] = json!(["contact_details", "contact_history", "wellbeing"]);
    let v = || oa.version_at(now);
    s.push_ok(
        &oa,
        vec![
            change(RecordKind::Person, &v(), jade),
            change(RecordKind::Contact, &v(), seen),
            change(RecordKind::Consent, &v(), to_police),
        ],
    )
    .await;
    let path = format!("/people/{jade_id}");

    let mut dee = Web::new(&s.url(""));
    dee.sign_in("dee", PASSWORD).await;
    let page = dee.get(&path).await;
    assert!(page.body.contains("Canary-note-7731"), "{}", page.body);

    let mut hart = Web::new(&s.url(""));
    hart.sign_in("hart", PASSWORD).await;
    let page = hart.get(&path).await;
    assert!(page.body.contains("Jade"), "{}", page.body);
    assert!(!page.body.contains("Canary-note-7731"), "{}", page.body);
}

/// A concern reaches a police officer's dashboard only where she agreed to
/// the police being told, exactly as it reaches a police phone (issue 14):
/// the page reads through the pull's own shaping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_police_officers_alerts_page_leaves_out_a_concern_she_did_not_agree_to_share() {
    let s = TestServer::start().await;
    let oa = s
        .device("Aspirations", "oa", Role::OutreachWorker, None)
        .await;
    account(&s, "Essex Police", "PC Hart", Role::PoliceOfficer, "hart");
    account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    let now = s.now();
    let until = Some(now + chrono::Duration::hours(6));
    let mut private = concern(&oa.identity, until, now);
    private["police_consent"] = json!(false);
    private["description"] = json!("Canary-not-for-police-4410");
    let mut shared = concern(&oa.identity, until, now);
    shared["description"] = json!("Canary-police-may-know-5521");
    let v = || oa.version_at(now);
    s.push_ok(
        &oa,
        vec![
            change(RecordKind::Concern, &v(), private),
            change(RecordKind::Concern, &v(), shared),
        ],
    )
    .await;

    let mut dee = Web::new(&s.url(""));
    dee.sign_in("dee", PASSWORD).await;
    let page = dee.get("/alerts").await;
    assert!(
        page.body.contains("Canary-not-for-police-4410"),
        "{}",
        page.body
    );

    let mut hart = Web::new(&s.url(""));
    hart.sign_in("hart", PASSWORD).await;
    let page = hart.get("/alerts").await;
    assert!(
        page.body.contains("Canary-police-may-know-5521"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Canary-not-for-police-4410"),
        "{}",
        page.body
    );
}
