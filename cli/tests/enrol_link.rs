//! `nightround enrol --link`: the command-line device enrols from the text of
//! the dashboard's QR code as the apps do (issue 13): the certificate the code
//! names is pinned by its fingerprint, records then sync over it; a code that
//! names another certificate, or text that is not an enrolment code, enrols
//! nothing, makes no vault and leaves the one-time code unspent.

mod common;

use common::server::TestServer;
use common::{failure, Device};
use nightround_core::domain::Role;
use nightround_server::dashboard::pages::devices::enrolment_uri;

#[test]
fn a_device_enrols_from_the_qr_code_text_and_syncs_over_the_pinned_certificate() {
    let ts = TestServer::start();
    let server = &ts.server;
    let url = ts.url.clone();
    let fingerprint = ts.fingerprint.clone();
    let admin = server.admin();
    admin.create_organisation("Aspirations").unwrap();
    let sam = admin
        .create_worker("Aspirations", "Sam", Role::OutreachWorker, None)
        .unwrap();
    let code = admin.create_enrolment_code(&sam.id).unwrap().code;

    // A code naming another certificate: nothing enrolled, nothing made,
    // and the one-time code is still good.
    let other = "AB:".repeat(31) + "AB";
    let d = Device::new();
    let (exit, err) =
        failure(&d.run(&["enrol", "--link", &enrolment_uri(&url, &code, Some(&other))]));
    assert_ne!(exit, 0);
    assert!(!err.is_empty());
    assert!(
        !d.vault_path().exists(),
        "no vault after a refused certificate"
    );

    // Text that is not an enrolment code is refused as such.
    let (exit, err) = failure(&d.run(&["enrol", "--link", "https://example.org/?code=X"]));
    assert_ne!(exit, 0);
    assert!(err.to_lowercase().contains("enrol"), "{err}");
    assert!(!d.vault_path().exists());

    // --link with --server is a usage error, before anything is spent.
    let (exit, _) = failure(&d.run(&[
        "enrol",
        "--link",
        &enrolment_uri(&url, &code, Some(&fingerprint)),
        "--server",
        &url,
    ]));
    assert_ne!(exit, 0);

    // The real code: enrolled with the server's certificate pinned.
    let enrolled = d.json(&[
        "enrol",
        "--link",
        &enrolment_uri(&url, &code, Some(&fingerprint)),
        "--name",
        "from the QR code",
    ]);
    assert_eq!(enrolled["identity"]["display_name"], "Sam");
    d.json(&["add-person", "--alias", "Jade"]);
    let report = d.json(&["sync", "--attempts", "1"]);
    assert_eq!(report["pushed"], 1, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
}
