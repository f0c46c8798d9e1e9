//! The duress PIN end to end: the real vault is shredded, the fresh one's
//! first sync delivers the unsent changes (sealed, unreadable on the phone)
//! and quietly reports duress; the rest of the team receives the changes.

use nightround_core::domain::*;
use nightround_e2e::harness::{quick_sync, Device, TestServer};

#[test]
fn the_duress_path_delivers_the_unsent_round_and_tells_the_supervisor() {
    let server = TestServer::start(false);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let priya = Device::new(&server, "Priya", Role::OutreachWorker, None);
    assert!(sam.vault.sync_status().unwrap().enrolled);

    // A round recorded offline, never synced.
    let jade = sam
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            ..Default::default()
        })
        .unwrap();
    sam.vault
        .record_contact(ContactDraft {
            person_id: Some(jade.id),
            at: None,
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![],
            note: Some("made before the phone was taken".into()),
            supplies: vec![],
            safeguarding_acknowledged: false,
        })
        .unwrap();
    sam.vault.set_duress_pin("999111").unwrap();
    sam.vault.lock();

    // Made to unlock: the duress PIN opens an empty app.
    sam.vault.unlock("999111").unwrap();
    assert!(sam.vault.find_people("").unwrap().is_empty());
    assert_eq!(sam.vault.sync_status().unwrap().pending, 2);
    let device = sam.vault.sync_status().unwrap().device_id.unwrap();
    assert!(server
        .admin()
        .devices()
        .unwrap()
        .iter()
        .all(|d| d.duress_reported_at.is_none()));

    // Its next sync delivers the sealed copies and reports duress quietly.
    let report = sam.vault.sync(&quick_sync()).unwrap();
    assert_eq!(report.pushed, 2);
    assert_eq!(sam.vault.sync_status().unwrap().pending, 0);
    let info = server
        .admin()
        .devices()
        .unwrap()
        .into_iter()
        .find(|d| d.device_id == device)
        .unwrap();
    assert!(info.duress_reported_at.is_some(), "the supervisor is told");
    // The decoy receives nothing from the server: whoever holds it sees an
    // empty app however often it syncs.
    assert!(sam.vault.find_people("").unwrap().is_empty());
    assert!(sam.vault.active_alerts().unwrap().is_empty());

    // The team gets what she recorded before the phone was taken.
    priya.vault.sync(&quick_sync()).unwrap();
    assert_eq!(priya.vault.person(jade.id).unwrap().alias, "Jade");
    assert_eq!(priya.vault.person_timeline(jade.id).unwrap().len(), 1);

    // A second sync reports nothing more.
    sam.vault.sync(&quick_sync()).unwrap();
    let reports = server
        .admin()
        .devices()
        .unwrap()
        .into_iter()
        .filter(|d| d.duress_reported_at.is_some())
        .count();
    assert_eq!(reports, 1);
    assert!(sam.vault.find_people("").unwrap().is_empty());
}

#[test]
fn ten_wrong_pins_shred_the_vault_but_not_the_unsent_round() {
    let server = TestServer::start(false);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let priya = Device::new(&server, "Priya", Role::OutreachWorker, None);
    let jade = sam
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            ..Default::default()
        })
        .unwrap();
    sam.vault.lock();
    for i in 0..9 {
        assert!(matches!(
            sam.vault.unlock(&format!("00000{i}")),
            Err(nightround_core::CoreError::WrongPin { .. })
        ));
    }
    assert_eq!(
        sam.vault.unlock("000009"),
        Err(nightround_core::CoreError::Shredded)
    );
    assert!(!sam.vault_path().exists(), "the vault is gone");
    assert!(sam.keystore.is_empty(), "every keystore secret is gone");
    let left = nightround_core::vault::undelivered_path(&sam.vault_path());
    assert!(left.exists(), "the sealed copies wait beside it");
    let bytes = std::fs::read(&left).unwrap();
    assert!(
        !bytes.windows(4).any(|w| w == b"Jade"),
        "unreadable on the phone"
    );

    // On the next start the app delivers them; the server closes the device.
    assert_eq!(
        nightround_core::sync::deliver_undelivered(&sam.vault_path()),
        Ok(1)
    );
    assert!(!left.exists());
    priya.vault.sync(&quick_sync()).unwrap();
    assert_eq!(priya.vault.person(jade.id).unwrap().alias, "Jade");
    let device = server
        .admin()
        .devices()
        .unwrap()
        .into_iter()
        .find(|d| d.worker_name == "Sam")
        .unwrap();
    assert!(device.revoked, "the shredded phone's token is spent");
    assert_eq!(
        nightround_core::sync::deliver_undelivered(&sam.vault_path()),
        Ok(0)
    );
}
