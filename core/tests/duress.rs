//! The duress PIN opens an empty, working vault for the same worker, erases
//! the real one, and keeps the unsent changes only as copies sealed to the
//! server — readable by the server, by nobody on the phone.

mod common;
use base64::Engine;
use common::*;
use nightround_core::crypto::sealed_box::{change_aad, open_sealed, ServerSealingKey};
use nightround_core::domain::*;
use nightround_core::sync::protocol::Change;
use nightround_core::vault::Enrolment;
use nightround_core::CoreError;

const DURESS: &str = "999111";

fn enrolled(f: &Fixture, server: &ServerSealingKey) {
    f.vault
        .set_enrolment(Enrolment {
            server_url: "http://127.0.0.1:9/".into(),
            pinned_cert_pem: None,
            device_id: uuid::Uuid::now_v7(),
            token: "device-token".into(),
            lease_days: 14,
            server_sealing_key: Some(
                base64::engine::general_purpose::STANDARD.encode(server.public()),
            ),
        })
        .unwrap();
}

#[test]
fn the_duress_pin_opens_an_empty_working_vault_and_keeps_sealed_copies() {
    let mut f = Fixture::new();
    let server = ServerSealingKey::generate();
    enrolled(&f, &server);
    let jade = f.add("Jade");
    f.contact(Some(&jade), "met on York Road");
    f.vault.set_duress_pin(DURESS).unwrap();
    assert!(f.vault.has_duress_pin().unwrap());
    f.reopen();

    // Made to unlock: she enters the duress PIN.
    f.vault.unlock(DURESS).unwrap();
    assert!(!f.vault.is_locked());
    // The fresh vault keeps the lock policy, after a restart too (`reopen`
    // asserts the file's policy is the one in force).
    f.reopen();
    f.vault.unlock(DURESS).unwrap();
    assert!(
        f.vault.find_people("").unwrap().is_empty(),
        "nothing to see"
    );
    assert!(f.vault.contacts_since(evening()).unwrap().is_empty());
    assert_eq!(
        f.vault.identity().unwrap(),
        outreach_worker(),
        "the same worker"
    );
    let status = f.vault.sync_status().unwrap();
    assert!(
        status.enrolled,
        "still enrolled, so the next sync reports it"
    );
    assert_eq!(status.pending, 2, "the two unsent changes wait, sealed");
    // It works as an app.
    f.add("Amber");
    assert_eq!(f.vault.find_people("").unwrap().len(), 1);

    // The real vault is gone: its PIN opens nothing, its secrets are deleted.
    f.vault.lock();
    assert!(matches!(
        f.vault.unlock(PIN),
        Err(CoreError::WrongPin { .. })
    ));
    f.vault.unlock(DURESS).unwrap();

    // On disk, the sealed copies open only with the server's key.
    let raw = f.raw();
    let mut st = raw
        .prepare("SELECT kind, id, version, sealed FROM sealed_outbox ORDER BY seq")
        .unwrap();
    let rows: Vec<(String, String, String, Vec<u8>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    for (_, bytes) in f.raw_files() {
        assert!(!contains(&bytes, b"Jade"), "no plaintext of the real vault");
        assert!(!contains(&bytes, b"York Road"));
    }
    let (kind, id, version, sealed) = &rows[0];
    let plain = open_sealed(&server, &change_aad(kind, id, version), sealed).unwrap();
    let change: Change = serde_json::from_slice(&plain).unwrap();
    assert_eq!(change.kind, RecordKind::Person);
    assert_eq!(change.body.unwrap()["alias"], "Jade");
    let wrong = ServerSealingKey::generate();
    assert!(open_sealed(&wrong, &change_aad(kind, id, version), sealed).is_err());
}

#[test]
fn the_duress_pin_cannot_be_her_pin_and_wrong_pins_still_count() {
    let mut f = Fixture::new();
    assert!(matches!(
        f.vault.set_duress_pin(PIN),
        Err(CoreError::Validation(ValidationError::DuressPinIsPin))
    ));
    f.vault.set_duress_pin(DURESS).unwrap();
    f.reopen();
    assert!(matches!(
        f.vault.unlock("123123"),
        Err(CoreError::WrongPin { attempts_left: 9 })
    ));
    f.vault.unlock(PIN).unwrap();
    f.vault.clear_duress_pin().unwrap();
    assert!(!f.vault.has_duress_pin().unwrap());
    f.reopen();
    assert!(matches!(
        f.vault.unlock(DURESS),
        Err(CoreError::WrongPin { .. })
    ));
}

#[test]
fn a_wipe_removes_the_duress_secret_too() {
    let f = Fixture::new();
    f.vault.set_duress_pin(DURESS).unwrap();
    assert!(!f.keystore.is_empty());
    f.vault.wipe().unwrap();
    assert!(
        f.keystore.is_empty(),
        "no keystore entry outlives the vault"
    );
}
