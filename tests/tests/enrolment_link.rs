//! Enrolling from the dashboard's QR code (issue 13, item 10): the text the
//! devices page puts in the code, read by the core as the apps' scanners hand
//! it over, enrols a phone with the server's self-signed certificate pinned by
//! its fingerprint; a code naming another certificate enrols nothing and
//! spends nothing. Real server over TLS on loopback, real vault.

use nightround_core::clock::SystemClock;
use nightround_core::domain::{Directory, PersonDraft, Role};
use nightround_core::keystore::MemoryKeyStore;
use nightround_core::sync::{enrol_with_link, parse_enrolment_link};
use nightround_core::{CoreError, Vault};
use nightround_e2e::harness::{quick_sync, TestServer, PIN};
use nightround_server::dashboard::pages::devices::enrolment_uri;
use std::sync::Arc;

#[test]
fn a_scanned_code_enrols_with_the_certificate_it_names_pinned() {
    let server = TestServer::start(true);
    let fingerprint = server
        .tls_fingerprint()
        .expect("a TLS server has a fingerprint");
    let worker = server
        .admin()
        .create_worker(&server.org, "Sam", Role::OutreachWorker, None)
        .unwrap();
    let code = server.admin().create_enrolment_code(&worker.id).unwrap();
    let text = enrolment_uri(&server.url(), &code.code, Some(&fingerprint));

    let link = parse_enrolment_link(&text).unwrap();
    assert_eq!(link.server_url, server.url());
    let (enrolment, identity) = enrol_with_link(&link, "Sam's phone").unwrap();
    assert_eq!(identity.display_name, "Sam");
    let pinned = enrolment
        .pinned_cert_pem
        .clone()
        .expect("the certificate is pinned");
    let strip = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(
        strip(&pinned),
        strip(&server.cert_pem().unwrap()),
        "the certificate pinned is the server's own"
    );

    // The phone works with it: a record reaches the server over the pin.
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::create(
        dir.path().join("vault.db"),
        Arc::new(MemoryKeyStore::new()),
        Arc::new(SystemClock),
        PIN,
        identity,
        Directory::southend_defaults(),
    )
    .unwrap();
    vault.set_enrolment(enrolment).unwrap();
    vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            ..Default::default()
        })
        .unwrap();
    let report = vault.sync(&quick_sync()).unwrap();
    assert_eq!(vault.pending_changes().unwrap(), 0, "{report:?}");
}

#[test]
fn a_code_naming_another_certificate_enrols_nothing_and_spends_nothing() {
    let server = TestServer::start(true);
    let other = TestServer::start(true);
    let worker = server
        .admin()
        .create_worker(&server.org, "Priya", Role::OutreachWorker, None)
        .unwrap();
    let code = server.admin().create_enrolment_code(&worker.id).unwrap();

    // A QR code whose fingerprint is not the server's (someone in the
    // middle, or a code printed for another server).
    let wrong = enrolment_uri(
        &server.url(),
        &code.code,
        other.tls_fingerprint().as_deref(),
    );
    let err = enrol_with_link(&parse_enrolment_link(&wrong).unwrap(), "Priya's phone");
    match err {
        Err(CoreError::Offline(words)) => assert!(
            words.contains("not the one in the enrolment code"),
            "{words}"
        ),
        other => panic!("expected the certificate refused, got {other:?}"),
    }

    // Nothing reached the server: the same code still enrols with the
    // right fingerprint.
    let right = enrolment_uri(
        &server.url(),
        &code.code,
        server.tls_fingerprint().as_deref(),
    );
    let (_, identity) =
        enrol_with_link(&parse_enrolment_link(&right).unwrap(), "Priya's phone").unwrap();
    assert_eq!(identity.display_name, "Priya");
}
