//! Erasure end to end (issue 10), with a real server on loopback and real
//! vault files: a supervisor erases a woman; after one sync each, none of
//! the three phones that held her records (her worker's, a colleague's, a
//! police officer's she consented to) holds anything of her — a byte scan of
//! each phone's database, WAL and shared-memory files finds none of her
//! record ids or sealed bodies — and the server's store holds none of her
//! sealed bodies or history either.

use nightround_core::domain::*;
use nightround_e2e::byte_scan::{found_in, sealed_in, PHONE_VALUES, SERVER_VALUES};
use nightround_e2e::harness::{quick_sync, Device, TestServer};

#[test]
fn an_erasure_reaches_three_phones_and_leaves_nothing_readable_anywhere() {
    let server = TestServer::start(false);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let robin = Device::new(&server, "Robin", Role::OutreachWorker, None);
    let police = Device::new(&server, "PC Hart", Role::PoliceOfficer, None);

    let jade = sam
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            key_worker: Some("Priya".into()),
            ..Default::default()
        })
        .unwrap();
    let contact = sam
        .vault
        .record_contact(ContactDraft {
            person_id: Some(jade.id),
            at: None,
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![WellbeingFlag::Distressed],
            note: Some("asked about the drop-in".into()),
            supplies: vec![],
            safeguarding_acknowledged: false,
        })
        .unwrap();
    sam.vault
        .update_person(
            jade.id,
            PersonDraft {
                alias: "Jade".into(),
                description: Some("red coat".into()),
                key_worker: Some("Priya".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let consent = sam
        .vault
        .record_consent(ConsentDraft {
            person_id: jade.id,
            agency_ids: vec!["essex_police".into()],
            method: ConsentMethod::Written,
            covers: vec![
                InfoCategory::ContactDetails,
                InfoCategory::Safety,
                InfoCategory::ContactHistory,
            ],
            review_at: None,
        })
        .unwrap()
        .remove(0);
    let kim = sam
        .vault
        .add_person(PersonDraft {
            alias: "Kim".into(),
            ..Default::default()
        })
        .unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    robin.vault.sync(&quick_sync()).unwrap();
    police.vault.sync(&quick_sync()).unwrap();

    let ids = [jade.id, contact.id, consent.id];
    let phones = [&sam, &robin, &police];
    let mut held = Vec::new();
    for phone in phones {
        assert_eq!(phone.vault.person(jade.id).unwrap().alias, "Jade");
        let db = phone.vault_path();
        let sealed = sealed_in(&db, &ids, PHONE_VALUES);
        assert!(sealed.len() >= 3, "{} sealed values", sealed.len());
        assert!(
            !found_in(&db, &ids, &sealed).is_empty(),
            "the scan can fail"
        );
        held.push(sealed);
    }
    let server_db = server.database();
    let server_sealed = sealed_in(&server_db, &ids, SERVER_VALUES);
    assert!(server_sealed.len() >= 4, "{}", server_sealed.len());

    let answer = server
        .admin()
        .erase_person(jade.id, "w-supervisor")
        .unwrap();
    assert_eq!(answer.deleted.len(), 3, "{answer:?}");
    assert!(answer.kept.is_empty());

    for (phone, sealed) in phones.iter().zip(&held) {
        phone.vault.sync(&quick_sync()).unwrap();
        assert_eq!(
            phone.vault.person(jade.id),
            Err(nightround_core::CoreError::NotFound("person"))
        );
        let left = found_in(&phone.vault_path(), &ids, sealed);
        assert!(
            left.is_empty(),
            "a byte scan of a phone still finds {left:?}"
        );
    }
    // Kim is untouched on her worker's phone.
    assert_eq!(sam.vault.person(kim.id).unwrap().alias, "Kim");
    // Nothing readable of her on the server: bodies and history gone (the
    // tombstones keep the ids, so that late phones delete them too).
    assert!(sealed_in(&server_db, &ids, SERVER_VALUES).is_empty());
    let left = found_in(&server_db, &[], &server_sealed);
    assert!(
        left.is_empty(),
        "a byte scan of the server still finds {left:?}"
    );
}
