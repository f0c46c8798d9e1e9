//! Shared profiles with consent (issue 14), end to end with a real server on
//! loopback and real vault files:
//!
//! - a woman Aspirations knows consents to share with The Storehouse: its
//!   worker's phone finds her by alias and holds her profile and history
//!   projected to what her consent covers within what the agreement lets a
//!   community-support organisation receive (no note, no supplies);
//! - she withdraws: after one sync that phone holds none of it, and a byte
//!   scan of its vault files finds none of her ids or sealed bodies;
//! - two profiles of the same woman, linked by a supervisor, count once in
//!   the partnership's total, while each organisation's own count is
//!   unchanged.

use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::*;
use nightround_core::vault::TimelineEntry;
use nightround_core::CoreError;
use nightround_e2e::harness::{quick_sync, Device, TestServer};
use std::path::Path;
use uuid::Uuid;

/// The canaries of `ids` found in the vault's database, WAL and shm files:
/// each id as text, and a 24-byte slice from the middle of each sealed body.
fn found_in(db: &Path, ids: &[Uuid], bodies: &[Vec<u8>]) -> Vec<String> {
    let files: Vec<Vec<u8>> = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::read(format!("{}{s}", db.display())).ok())
        .collect();
    let contains = |needle: &[u8]| {
        files
            .iter()
            .any(|f| f.windows(needle.len()).any(|w| w == needle))
    };
    let mut found = Vec::new();
    for id in ids {
        if contains(id.to_string().as_bytes()) {
            found.push(format!("id {id}"));
        }
    }
    for (i, b) in bodies.iter().enumerate() {
        let mid = b.len() / 2;
        if b.len() >= 48 && contains(&b[mid - 12..mid + 12]) {
            found.push(format!("sealed body #{i}"));
        }
    }
    found
}

/// The sealed bodies (current and history) the vault file holds for `ids`.
fn sealed_bodies(db: &Path, ids: &[Uuid]) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for id in ids {
        for table in ["records", "record_history"] {
            let mut st = conn
                .prepare(&format!(
                    "SELECT body FROM {table} WHERE id = ?1 AND body IS NOT NULL"
                ))
                .unwrap();
            let rows = st
                .query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
    }
    out
}

fn contact_about(person: Uuid, note: &str) -> ContactDraft {
    ContactDraft {
        person_id: Some(person),
        at: None,
        area_id: "york_road".into(),
        kind: ContactKind::OutreachConversation,
        wellbeing: vec![WellbeingFlag::Distressed],
        note: Some(note.into()),
        supplies: vec![SupplyLine {
            item_id: "condoms".into(),
            quantity: 3,
        }],
        safeguarding_acknowledged: false,
    }
}

fn contacts(d: &Device, person: Uuid) -> Vec<Contact> {
    d.vault
        .person_timeline(person)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Contact { contact } => Some(contact),
            _ => None,
        })
        .collect()
}

#[test]
fn a_consent_to_another_organisation_shares_her_profile_and_withdrawal_retracts_it() {
    let server = TestServer::start(false);
    server
        .admin()
        .store()
        .set_agreement(&SharingAgreement::southend_example())
        .unwrap();
    let storehouse = server.admin().create_organisation("Storehouse").unwrap().id;
    assert_eq!(storehouse, "storehouse", "the org id is its agency id");
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let kim = Device::new_in(&server, &storehouse, "Kim", Role::OutreachWorker, None);

    let jade = sam
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            description: Some("red coat".into()),
            ..Default::default()
        })
        .unwrap();
    let visit = sam
        .vault
        .record_contact(contact_about(jade.id, "talked about her sister"))
        .unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    kim.vault.sync(&quick_sync()).unwrap();
    assert!(
        kim.vault.find_people("ja").unwrap().is_empty(),
        "no consent yet"
    );

    // Her consent to The Storehouse covers contact details, contact history
    // and health; a community-support organisation may not receive health
    // under the agreement, and she did not consent to notes or wellbeing.
    let consent = sam
        .vault
        .record_consent(ConsentDraft {
            person_id: jade.id,
            agency_ids: vec![storehouse.clone()],
            method: ConsentMethod::Verbal,
            covers: vec![
                InfoCategory::ContactDetails,
                InfoCategory::ContactHistory,
                InfoCategory::Health,
            ],
            review_at: None,
        })
        .unwrap()
        .remove(0);
    sam.vault.sync(&quick_sync()).unwrap();
    kim.vault.sync(&quick_sync()).unwrap();

    let found = kim.vault.find_people("ja").unwrap();
    assert_eq!(found.len(), 1, "Kim's type-ahead finds her by alias");
    assert_eq!(found[0].id, jade.id, "one profile, not a second one");
    assert_eq!(found[0].description.as_deref(), Some("red coat"));
    let seen = contacts(&kim, jade.id);
    assert_eq!(seen.len(), 1, "her history comes with her");
    assert_eq!(seen[0].area_id, "york_road");
    assert_eq!(seen[0].note, None, "no note: not consented");
    assert!(seen[0].wellbeing.is_empty(), "no wellbeing: not consented");
    assert!(
        seen[0].supplies.is_empty(),
        "no supplies: health is outside the agreement for community support"
    );
    // Sam's own phone holds all of it.
    assert_eq!(
        contacts(&sam, jade.id)[0].note.as_deref(),
        Some("talked about her sister")
    );

    let ids = [jade.id, visit.id];
    let db = kim.vault_path();
    let bodies = sealed_bodies(&db, &ids);
    assert!(bodies.len() >= 2, "{} sealed bodies", bodies.len());
    assert!(!found_in(&db, &ids, &bodies).is_empty());

    sam.vault.withdraw_consent(consent.id).unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    kim.vault.sync(&quick_sync()).unwrap();

    assert_eq!(
        kim.vault.person(jade.id),
        Err(CoreError::NotFound("person"))
    );
    assert!(kim.vault.find_people("ja").unwrap().is_empty());
    assert!(kim.vault.person_timeline(jade.id).unwrap().is_empty());
    let left = found_in(&db, &ids, &bodies);
    assert!(left.is_empty(), "a byte scan still finds {left:?}");
    assert_eq!(sam.vault.person(jade.id).unwrap().alias, "Jade");
}
