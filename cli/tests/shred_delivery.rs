//! Issue 13, item 6: on an enrolled device, a shred for wrong PINs keeps the
//! unsent records' sealed copies in `vault.db.undelivered`; the command-line
//! device hands them to the server on its next sync, or before enrolling
//! again, and a colleague then sees them.

mod common;

use common::server::TestServer;
use common::{failure, Device};
use nightround_core::domain::Role;

fn shred_with_wrong_pins(d: &Device) {
    for _ in 0..9 {
        let (code, _) = failure(&d.run_with_pin("111111", &["show", "alerts"]));
        assert_eq!(code, 6);
    }
    let (code, err) = failure(&d.run_with_pin("111111", &["show", "alerts"]));
    assert_eq!(code, 7, "{err}");
    assert!(!d.vault_path().exists());
}

fn undelivered(d: &Device) -> std::path::PathBuf {
    d.dir.join("vault.db.undelivered")
}

#[test]
fn a_shred_on_an_enrolled_device_still_delivers_its_unsent_contacts() {
    let ts = TestServer::start();
    let server = &ts.server;
    let url = ts.url.clone();
    let cert = ts.cert_arg();
    let admin = server.admin();
    admin.create_organisation("Aspirations").unwrap();
    let sam = admin
        .create_worker("Aspirations", "Sam", Role::OutreachWorker, None)
        .unwrap();
    let priya = admin
        .create_worker("Aspirations", "Priya", Role::OutreachWorker, None)
        .unwrap();
    let code = |id| admin.create_enrolment_code(id).unwrap().code;

    // Sam's phone: five contacts with Jade, never synced, then ten wrong PINs.
    let a = Device::new();
    a.json(&[
        "enrol",
        "--server",
        &url,
        "--cert",
        cert,
        "--code",
        &code(&sam.id),
    ]);
    a.json(&["add-person", "--alias", "Jade"]);
    for _ in 0..5 {
        a.json(&["contact", "--area", "york_road", "--person", "Jade"]);
    }
    shred_with_wrong_pins(&a);
    assert!(undelivered(&a).exists(), "the sealed copies were kept");

    // Its next sync delivers them, with no vault left to unlock.
    let report = a.json(&["sync", "--attempts", "1"]);
    assert_eq!(report["delivered"], 6, "{report}");
    assert!(!undelivered(&a).exists());

    // Priya sees all five.
    let b = Device::new();
    b.json(&[
        "enrol",
        "--server",
        &url,
        "--cert",
        cert,
        "--code",
        &code(&priya.id),
    ]);
    b.json(&["sync", "--attempts", "1"]);
    let jade = b.json(&["show", "person", "Jade"]);
    let timeline = jade["timeline"].as_array().unwrap();
    assert_eq!(
        timeline.iter().filter(|e| e["type"] == "contact").count(),
        5,
        "{jade}"
    );

    // Re-enrolling delivers what a shred left before making the new vault.
    let c = Device::new();
    c.json(&[
        "enrol",
        "--server",
        &url,
        "--cert",
        cert,
        "--code",
        &code(&sam.id),
    ]);
    c.json(&["add-person", "--alias", "Amber"]);
    c.json(&["contact", "--area", "seafront", "--person", "Amber"]);
    shred_with_wrong_pins(&c);
    assert!(undelivered(&c).exists());
    c.json(&[
        "enrol",
        "--server",
        &url,
        "--cert",
        cert,
        "--code",
        &code(&sam.id),
    ]);
    assert!(!undelivered(&c).exists(), "the leftover file was delivered");
    assert!(c.vault_path().exists());
    b.json(&["sync", "--attempts", "1"]);
    let amber = b.json(&["show", "person", "Amber"]);
    assert_eq!(amber["timeline"][0]["type"], "contact", "{amber}");
    ts.shutdown();
}
