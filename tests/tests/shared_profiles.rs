//! Shared profiles with consent (issue 14), end to end with a real server on
//! loopback and real vault files:
//!
//! - a woman Aspirations knows consents to share with The Storehouse: its
//!   worker's phone finds her by alias and holds her profile and history
//!   projected to what her consent covers within what the agreement lets a
//!   community-support organisation receive (no note, no supplies);
//! - she withdraws: after one sync that phone holds none of it, and a byte
//!   scan of its vault files finds none of her ids or sealed bodies;
//! - two profiles of the same woman, linked by a supervisor of the second
//!   organisation (who sees both only once she consented), count once in the
//!   partnership's total; the link is audited, merges nothing, shows only to
//!   a supervisor who sees both profiles, and can be undone (the row kept).

use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::*;
use nightround_core::vault::TimelineEntry;
use nightround_core::{CoreError, Timestamp};
use nightround_e2e::byte_scan::{found_in, sealed_in, PHONE_VALUES};
use nightround_e2e::harness::{quick_sync, Device, TestServer};
use nightround_server::policy::Viewer;
use nightround_server::store::links::LinkError;
use uuid::Uuid;

/// The canaries of `ids` found in the vault's database, WAL and shm files:
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
    let bodies = sealed_in(&db, &ids, PHONE_VALUES);
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
    // Her timeline is gone with her profile (an unknown person is NotFound).
    assert!(!matches!(kim.vault.person_timeline(jade.id), Ok(t) if !t.is_empty()));
    let left = found_in(&db, &ids, &bodies);
    assert!(left.is_empty(), "a byte scan still finds {left:?}");
    assert_eq!(sam.vault.person(jade.id).unwrap().alias, "Jade");
}

fn profile(d: &Device, alias: &str) -> Person {
    d.vault
        .add_person(PersonDraft {
            alias: alias.into(),
            ..Default::default()
        })
        .unwrap()
}

fn viewer<'a>(d: &'a Device, role: Role, org: &'a str) -> Viewer<'a> {
    Viewer {
        role,
        worker_id: &d.worker_id,
        organisation_id: org,
        agency_id: None,
    }
}

/// The audit log's (action, subject) rows, read from the server's file.
fn audited(server: &TestServer, action: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(server.database()).unwrap();
    let mut st = conn
        .prepare("SELECT subject FROM audit_log WHERE action = ?1 ORDER BY seq")
        .unwrap();
    st.query_map([action], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn two_profiles_of_one_woman_linked_count_once_across_the_partnership() {
    let server = TestServer::start(false);
    let store = server.admin().store();
    let storehouse = server.admin().create_organisation("Storehouse").unwrap().id;
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let ann = Device::new(&server, "Ann", Role::Supervisor, None);
    let kim = Device::new_in(&server, &storehouse, "Kim", Role::OutreachWorker, None);
    let lee = Device::new_in(&server, &storehouse, "Lee", Role::Supervisor, None);

    // Each organisation has its own profile of Jade, made before she shared.
    let jade_a = profile(&sam, "Jade");
    let mia = profile(&sam, "Mia");
    let jade_s = profile(&kim, "Jade S");
    for (d, p) in [
        (&sam, jade_a.id),
        (&sam, jade_a.id),
        (&sam, mia.id),
        (&kim, jade_s.id),
    ] {
        d.vault.record_contact(contact_about(p, "hello")).unwrap();
    }
    for d in [&sam, &kim] {
        d.vault.sync(&quick_sync()).unwrap();
    }
    let all_time = |_t: Timestamp| true;
    let before = store.partnership_women(&all_time).unwrap();
    assert_eq!((before.profiles, before.women), (3, 3));

    let ann_v = viewer(&ann, Role::Supervisor, &server.org);
    let lee_v = viewer(&lee, Role::Supervisor, &storehouse);

    // Lee cannot link a profile she cannot see.
    assert!(matches!(
        store.link_profiles(Some(&lee_v), jade_a.id, jade_s.id, chrono::Utc::now()),
        Err(LinkError::NotVisible)
    ));
    let consent = sam
        .vault
        .record_consent(ConsentDraft {
            person_id: jade_a.id,
            agency_ids: vec![storehouse.clone()],
            method: ConsentMethod::Verbal,
            covers: vec![InfoCategory::ContactDetails],
            review_at: None,
        })
        .unwrap()
        .remove(0);
    sam.vault.sync(&quick_sync()).unwrap();
    kim.vault.sync(&quick_sync()).unwrap();
    let found: Vec<Uuid> = kim
        .vault
        .find_people("jade")
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(found.len(), 2, "Kim finds both profiles: {found:?}");

    // A worker may not link; Lee (supervisor, sees both now) may.
    let kim_v = viewer(&kim, Role::OutreachWorker, &storehouse);
    assert!(matches!(
        store.link_profiles(Some(&kim_v), jade_a.id, jade_s.id, chrono::Utc::now()),
        Err(LinkError::NotSupervisor)
    ));
    assert!(matches!(
        store.link_profiles(Some(&lee_v), jade_s.id, jade_s.id, chrono::Utc::now()),
        Err(LinkError::SameProfile)
    ));
    let link = store
        .link_profiles(Some(&lee_v), jade_s.id, jade_a.id, chrono::Utc::now())
        .unwrap();
    assert!(matches!(
        store.link_profiles(Some(&lee_v), jade_a.id, jade_s.id, chrono::Utc::now()),
        Err(LinkError::AlreadyLinked)
    ));
    assert_eq!(audited(&server, "link_profiles"), vec![link.id.to_string()]);

    // The partnership counts her once.
    let after = store.partnership_women(&all_time).unwrap();
    assert_eq!((after.profiles, after.women), (3, 2));
    // Nothing merged: both profiles and their histories are still there.
    assert_eq!(sam.vault.person(jade_a.id).unwrap().alias, "Jade");
    assert_eq!(kim.vault.person(jade_s.id).unwrap().alias, "Jade S");
    assert_eq!(contacts(&sam, jade_a.id).len(), 2);

    // Lee sees the link (she sees both); Ann does not (she sees only hers).
    let now = chrono::Utc::now();
    assert_eq!(
        store
            .profile_links(Some(&lee_v), jade_s.id, now)
            .unwrap()
            .len(),
        1
    );
    assert!(store
        .profile_links(Some(&ann_v), jade_a.id, now)
        .unwrap()
        .is_empty());
    assert_eq!(
        server.admin().profile_links(jade_a.id).unwrap()[0].other(jade_a.id),
        jade_s.id
    );

    // Withdrawn: Lee no longer sees both, the link stays for the count.
    sam.vault.withdraw_consent(consent.id).unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    let now = chrono::Utc::now();
    assert!(store
        .profile_links(Some(&lee_v), jade_s.id, now)
        .unwrap()
        .is_empty());
    assert!(matches!(
        store.unlink_profiles(Some(&lee_v), link.id, now),
        Err(LinkError::NotVisible)
    ));
    assert_eq!(store.partnership_women(&all_time).unwrap().women, 2);

    // Unlinked by the administrator: counted twice again, the row kept.
    server.admin().unlink_profiles(link.id).unwrap();
    assert!(server.admin().unlink_profiles(link.id).is_err());
    assert_eq!(store.partnership_women(&all_time).unwrap().women, 3);
    assert_eq!(
        audited(&server, "unlink_profiles"),
        vec![link.id.to_string()]
    );
    let conn = rusqlite::Connection::open(server.database()).unwrap();
    let kept: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM profile_links WHERE unlinked_by = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1);
}
