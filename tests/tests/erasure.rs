//! Erasure end to end (issue 10), with a real server on loopback and real
//! vault files: a supervisor erases a woman; after one sync each, none of
//! the three phones that held her records (her worker's, a colleague's, a
//! police officer's she consented to) holds anything of her — a byte scan of
//! each phone's database, WAL and shared-memory files finds none of her
//! record ids or sealed bodies — and the server's store holds none of her
//! sealed bodies or history either.

use nightround_core::domain::*;
use nightround_e2e::harness::{quick_sync, Device, TestServer};
use std::path::Path;
use uuid::Uuid;

fn files(db: &Path) -> Vec<Vec<u8>> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::read(format!("{}{suffix}", db.display())).ok())
        .collect()
}

/// What a byte scan finds of `ids` (as text) and of `sealed` (a 24-byte
/// slice from the middle of each value).
fn found_in(db: &Path, ids: &[Uuid], sealed: &[Vec<u8>]) -> Vec<String> {
    let files = files(db);
    let has = |n: &[u8]| files.iter().any(|f| f.windows(n.len()).any(|w| w == n));
    let mut found = Vec::new();
    for id in ids {
        if has(id.to_string().as_bytes()) {
            found.push(format!("id {id}"));
        }
    }
    for (i, b) in sealed.iter().enumerate() {
        let mid = b.len() / 2;
        if b.len() >= 48 && has(&b[mid - 12..mid + 12]) {
            found.push(format!("sealed value #{i}"));
        }
    }
    found
}

/// The sealed values a file holds for `ids` (`queries` name the tables).
fn sealed_in(db: &Path, ids: &[Uuid], queries: &[&str]) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for id in ids {
        for q in queries {
            let mut st = conn.prepare(q).unwrap();
            out.extend(
                st.query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))
                    .unwrap()
                    .map(Result::unwrap),
            );
        }
    }
    out
}

const PHONE_VALUES: &[&str] = &[
    "SELECT body FROM records WHERE id = ?1 AND body IS NOT NULL",
    "SELECT body FROM record_history WHERE id = ?1 AND body IS NOT NULL",
];
const SERVER_VALUES: &[&str] = &[
    "SELECT body FROM records WHERE id = ?1 AND body IS NOT NULL",
    "SELECT value FROM record_history WHERE id = ?1",
];

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
