//! Two command-line devices against a real server started in-process over
//! HTTPS with its self-signed certificate pinned: enrol, record, sync, see
//! each other's team alert; a revoked device is erased; a stopped server is
//! "offline". (The full fault-injection suite is the e2e crate's.)

mod common;

use common::server::TestServer;
use common::{failure, Device};
use nightround_core::domain::Role;

#[test]
fn enrol_record_sync_and_revoke_against_a_real_server() {
    let ts = TestServer::start();
    let server = &ts.server;
    let url = ts.url.clone();
    assert!(url.starts_with("https://"));
    let cert = ts.cert_arg();

    let admin = server.admin();
    admin.create_organisation("Aspirations").unwrap();
    let sam = admin
        .create_worker("Aspirations", "Sam", Role::OutreachWorker, None)
        .unwrap();
    let priya = admin
        .create_worker("Aspirations", "Priya", Role::OutreachWorker, None)
        .unwrap();
    let sam_code = admin.create_enrolment_code(&sam.id).unwrap().code;
    let priya_code = admin.create_enrolment_code(&priya.id).unwrap().code;

    // Sam's device enrols with the certificate pinned.
    let a = Device::new();
    let enrolled = a.json(&[
        "enrol", "--server", &url, "--cert", cert, "--code", &sam_code, "--name", "test A",
    ]);
    assert_eq!(enrolled["identity"]["display_name"], "Sam");
    assert_eq!(enrolled["identity"]["role"], "outreach_worker");
    assert!(
        enrolled.get("token").is_none(),
        "the token is never printed"
    );
    let device_a = enrolled["device_id"].as_str().unwrap().to_owned();

    // A used code is refused, and nothing is made.
    let b = Device::new();
    let (code, err) = failure(&b.run(&[
        "enrol", "--server", &url, "--cert", cert, "--code", &sam_code,
    ]));
    assert_eq!(code, 5, "{err}");
    assert!(!b.vault_path().exists());

    // Sam records and syncs.
    a.json(&["add-person", "--alias", "Jade"]);
    a.json(&[
        "contact",
        "--area",
        "york_road",
        "--person",
        "Jade",
        "--supply",
        "condoms=5",
    ]);
    a.json(&[
        "concern",
        "--category",
        "dangerous_vehicle",
        "--description",
        "Silver car, grey beard",
        "--area",
        "ambleside_drive",
        "--severity",
        "high",
        "--alert-hours",
        "24",
    ]);
    let report = a.json(&["sync", "--attempts", "1"]);
    assert_eq!(report["pushed"], 3, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    let status = a.json(&["show", "status"]);
    assert_eq!(status["enrolled"], true);
    assert_eq!(status["pending"], 0);
    assert!(status["last_success"].is_string());
    assert!(status["lease_expires"].is_string());

    // Priya's device, same organisation, receives it all on its first sync.
    b.json(&[
        "enrol",
        "--server",
        &url,
        "--cert",
        cert,
        "--code",
        &priya_code,
    ]);
    let report = b.json(&["sync", "--attempts", "1"]);
    assert!(report["pulled"].as_u64().unwrap() >= 3, "{report}");
    let alerts = b.json(&["show", "alerts"]);
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["recorded_by"]["display_name"], "Sam");
    let jade = b.json(&["show", "person", "Jade"]);
    assert_eq!(jade["timeline"][0]["type"], "contact");

    // A police device sees Jade once she agrees to the police being told,
    // and holds nothing of her after she withdraws (protocol version 2).
    let pc = admin
        .create_worker("Aspirations", "PC Hart", Role::PoliceOfficer, None)
        .unwrap();
    let pc_code = admin.create_enrolment_code(&pc.id).unwrap().code;
    let police = Device::new();
    police.json(&[
        "enrol", "--server", &url, "--cert", cert, "--code", &pc_code,
    ]);
    let jade_id = jade["person"]["id"].as_str().unwrap().to_owned();
    a.json(&[
        "refer",
        "--person",
        "Jade",
        "--agency",
        "essex_police",
        "--urgency",
        "amber",
        "--needs",
        "report of a dangerous driver",
        "--covers",
        "contact_details,safety",
    ]);
    a.json(&["sync", "--attempts", "1"]);
    police.json(&["sync", "--attempts", "1"]);
    let held = police.json(&["holds", &jade_id]);
    assert_eq!(held["profile"], true, "{held}");
    assert_eq!(held["consents"], 1, "{held}");
    let withdrawn = a.json(&[
        "withdraw-consent",
        "--person",
        "Jade",
        "--agency",
        "essex_police",
    ]);
    assert_eq!(withdrawn["consent_ids"].as_array().unwrap().len(), 1);
    a.json(&["sync", "--attempts", "1"]);
    police.json(&["sync", "--attempts", "1"]);
    let held = police.json(&["holds", &jade_id]);
    assert_eq!(
        (
            &held["profile"],
            &held["contacts"],
            &held["consents"],
            &held["referrals"]
        ),
        (
            &serde_json::json!(false),
            &serde_json::json!(0),
            &serde_json::json!(0),
            &serde_json::json!(0)
        ),
        "{held}"
    );

    // Sam's device is revoked: its next sync erases it.
    admin.revoke_device(device_a.parse().unwrap()).unwrap();
    let (code, err) = failure(&a.run(&["sync", "--attempts", "1"]));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("withdrawn"), "{err}");
    assert!(!a.vault_path().exists());
    let keystore = a.dir.join("keystore");
    assert_eq!(
        std::fs::read_dir(keystore).unwrap().count(),
        0,
        "secret destroyed"
    );

    // With the server gone, Priya's sync is "offline" and keeps her changes.
    b.json(&["contact", "--area", "seafront"]);
    ts.shutdown();
    let (code, err) = failure(&b.run(&["sync", "--attempts", "1", "--timeout", "5"]));
    assert_eq!(code, 3, "{err}");
    assert_eq!(b.json(&["show", "status"])["pending"], 1);
}
