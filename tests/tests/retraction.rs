//! Protocol version 2 end to end (ADR 0009), with a real server on loopback
//! and real vault files:
//!
//! - a consent withdrawn: after one sync the police phone holds none of her
//!   records, and a byte scan of its database, WAL and shared-memory files
//!   finds none of her record ids or sealed bodies;
//! - a team alert ended early disappears from every phone outside the
//!   author's organisation, and stays (ended) inside it;
//! - a pushing phone pulls none of its own records back;
//! - two phones editing different fields of one profile at once both keep
//!   their edit; the same field: the greater version wins, the other value
//!   is kept in the server's history.

use nightround_core::domain::*;
use nightround_core::vault::TimelineEntry;
use nightround_core::CoreError;
use nightround_e2e::byte_scan::{found_in, sealed_in, PHONE_VALUES};
use nightround_e2e::harness::{quick_sync, Device, TestServer};
use std::path::Path;
use uuid::Uuid;

fn rows_for(db: &Path, id: Uuid) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT (SELECT COUNT(*) FROM records WHERE id = ?1)
              + (SELECT COUNT(*) FROM record_history WHERE id = ?1)",
        [id.to_string()],
        |r| r.get(0),
    )
    .unwrap()
}

fn contact_about(person: Uuid, note: &str) -> ContactDraft {
    ContactDraft {
        person_id: Some(person),
        at: None,
        area_id: "york_road".into(),
        kind: ContactKind::OutreachConversation,
        wellbeing: vec![WellbeingFlag::Distressed],
        note: Some(note.into()),
        supplies: vec![],
        safeguarding_acknowledged: false,
    }
}

#[test]
fn a_withdrawn_consent_leaves_nothing_of_her_on_the_police_phone() {
    let server = TestServer::start(false);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let police = Device::new(&server, "PC Hart", Role::PoliceOfficer, None);

    let jade = sam
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            key_worker: Some("Priya".into()),
            ..Default::default()
        })
        .unwrap();
    let first = sam
        .vault
        .record_contact(contact_about(jade.id, "asked about the drop-in"))
        .unwrap();
    // Sam edits the profile once, so the police phone holds a history too.
    sam.vault
        .update_person(
            jade.id,
            PersonDraft {
                alias: "Jade".into(),
                key_worker: Some("Ann".into()),
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
    sam.vault.sync(&quick_sync()).unwrap();
    let second = sam
        .vault
        .record_contact(contact_about(jade.id, "housing worry"))
        .unwrap();
    sam.vault.sync(&quick_sync()).unwrap();

    police.vault.sync(&quick_sync()).unwrap();
    assert_eq!(police.vault.person(jade.id).unwrap().alias, "Jade");
    let contacts = |d: &Device| {
        d.vault
            .person_timeline(jade.id)
            .unwrap()
            .into_iter()
            .filter(|e| matches!(e, TimelineEntry::Contact { .. }))
            .count()
    };
    assert_eq!(contacts(&police), 2);
    assert_eq!(police.vault.consents(jade.id).unwrap().len(), 1);
    // Her canaries are on the police phone now (so the scan below can fail).
    let ids = [jade.id, first.id, second.id, consent.id];
    let db = police.vault_path();
    let bodies = sealed_in(&db, &ids, PHONE_VALUES);
    assert!(bodies.len() >= 4, "{} sealed bodies", bodies.len());
    assert!(!found_in(&db, &ids, &bodies).is_empty());

    // She withdraws her consent; Sam syncs it; the police phone syncs once.
    sam.vault.withdraw_consent(consent.id).unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    let report = police.vault.sync(&quick_sync()).unwrap();
    assert!(report.pulled >= 4, "{report:?}");

    assert_eq!(
        police.vault.person(jade.id),
        Err(CoreError::NotFound("person"))
    );
    assert!(police
        .vault
        .person_timeline(jade.id)
        .map_or_else(|e| e == CoreError::NotFound("person"), |t| t.is_empty()));
    assert!(police
        .vault
        .consents(jade.id)
        .map_or_else(|e| e == CoreError::NotFound("person"), |c| c.is_empty()));
    for id in ids {
        assert_eq!(rows_for(&db, id), 0, "{id} still has rows");
    }
    let left = found_in(&db, &ids, &bodies);
    assert!(left.is_empty(), "a byte scan still finds {left:?}");

    // Sam's own phone keeps everything.
    assert_eq!(sam.vault.person(jade.id).unwrap().alias, "Jade");
    assert_eq!(contacts(&sam), 2);
}

#[test]
fn an_alert_ended_early_disappears_from_every_phone_outside_its_organisation() {
    let server = TestServer::start(false);
    let vineyard = server
        .admin()
        .create_organisation("The Vineyard")
        .unwrap()
        .id;
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let robin = Device::new(&server, "Robin", Role::OutreachWorker, None);
    let priya = Device::new_in(&server, &vineyard, "Priya", Role::OutreachWorker, None);
    let police = Device::new(&server, "PC Hart", Role::PoliceOfficer, None);
    let alert = sam
        .vault
        .raise_concern(ConcernDraft {
            category: ConcernCategory::DangerousVehicle,
            description: "silver estate, followed women".into(),
            vehicle: None,
            area_id: "ambleside_drive".into(),
            at: None,
            severity: Severity::High,
            alert_until: Some(chrono::Utc::now() + chrono::Duration::days(2)),
            police_consent: true,
            reported_by: None,
        })
        .unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    for d in [&robin, &priya, &police] {
        d.vault.sync(&quick_sync()).unwrap();
        assert_eq!(d.vault.active_alerts().unwrap().len(), 1);
    }

    sam.vault.end_alert(alert.id).unwrap();
    assert!(sam.vault.active_alerts().unwrap().is_empty());
    sam.vault.sync(&quick_sync()).unwrap();
    for d in [&robin, &priya, &police] {
        d.vault.sync(&quick_sync()).unwrap();
        assert!(d.vault.active_alerts().unwrap().is_empty());
    }
    // Outside her organisation it is gone from the file; inside, the ended
    // concern stays on record.
    assert_eq!(rows_for(&priya.vault_path(), alert.id), 0);
    assert_eq!(rows_for(&police.vault_path(), alert.id), 0);
    assert!(rows_for(&robin.vault_path(), alert.id) > 0);
    assert!(found_in(&priya.vault_path(), &[alert.id], &[]).is_empty());
}

#[test]
fn a_phone_pulls_none_of_its_own_records_back() {
    let server = TestServer::start(false);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let robin = Device::new(&server, "Robin", Role::OutreachWorker, None);
    let jade = sam
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            ..Default::default()
        })
        .unwrap();
    for i in 0..20 {
        sam.vault
            .record_contact(contact_about(jade.id, &format!("visit {i}")))
            .unwrap();
    }
    let report = sam.vault.sync(&quick_sync()).unwrap();
    assert_eq!((report.pushed, report.pulled), (21, 0), "{report:?}");
    let report = robin.vault.sync(&quick_sync()).unwrap();
    assert_eq!(report.pulled, 21);
    // A second sync of the pushing phone pulls nothing either.
    assert_eq!(sam.vault.sync(&quick_sync()).unwrap().pulled, 0);
}

fn profile(alias: &str, key_worker: &str, description: Option<&str>) -> PersonDraft {
    PersonDraft {
        alias: alias.into(),
        key_worker: Some(key_worker.into()),
        description: description.map(str::to_owned),
        ..Default::default()
    }
}

#[test]
fn concurrent_edits_of_different_fields_both_survive() {
    let server = TestServer::start(false);
    let a = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let b = Device::new(&server, "Robin", Role::OutreachWorker, None);
    let jade = a.vault.add_person(profile("Jade", "Priya", None)).unwrap();
    a.vault.sync(&quick_sync()).unwrap();
    b.vault.sync(&quick_sync()).unwrap();

    // Offline, at the same time: B changes her key worker, then A (later)
    // her description. A's copy still carries the old key worker.
    b.vault
        .update_person(jade.id, profile("Jade", "Ann", None))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    a.vault
        .update_person(jade.id, profile("Jade", "Priya", Some("red coat")))
        .unwrap();
    b.vault.sync(&quick_sync()).unwrap();
    a.vault.sync(&quick_sync()).unwrap();
    b.vault.sync(&quick_sync()).unwrap();
    for d in [&a, &b] {
        let p = d.vault.person(jade.id).unwrap();
        assert_eq!(p.key_worker.as_deref(), Some("Ann"), "B's edit survives");
        assert_eq!(p.description.as_deref(), Some("red coat"), "A's survives");
    }

    // Both change the same field: the greater version wins everywhere.
    b.vault
        .update_person(jade.id, profile("Jade B", "Ann", Some("red coat")))
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    a.vault
        .update_person(jade.id, profile("Jade A", "Ann", Some("red coat")))
        .unwrap();
    b.vault.sync(&quick_sync()).unwrap();
    a.vault.sync(&quick_sync()).unwrap();
    b.vault.sync(&quick_sync()).unwrap();
    for d in [&a, &b] {
        assert_eq!(d.vault.person(jade.id).unwrap().alias, "Jade A");
    }
    // The loser is kept in the server's history, as one field value.
    let conn = rusqlite::Connection::open(server.database()).unwrap();
    let alias_losers: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM record_history WHERE id = ?1 AND field = 'alias'",
            [jade.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(alias_losers >= 1);
}

fn contact_of(d: &Device, person: Uuid) -> Contact {
    d.vault
        .person_timeline(person)
        .unwrap()
        .into_iter()
        .find_map(|e| match e {
            TimelineEntry::Contact { contact } => Some(contact),
            _ => None,
        })
        .expect("a contact")
}

#[test]
fn the_police_receive_only_the_categories_she_agreed_and_lose_those_she_takes_back() {
    let server = TestServer::start(false);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let police = Device::new(&server, "PC Hart", Role::PoliceOfficer, None);
    let jade = sam
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            ..Default::default()
        })
        .unwrap();
    sam.vault
        .record_contact(contact_about(jade.id, "a note for her workers only"))
        .unwrap();
    let consent = |covers: Vec<InfoCategory>| ConsentDraft {
        person_id: jade.id,
        agency_ids: vec!["essex_police".into()],
        method: ConsentMethod::Written,
        covers,
        review_at: None,
    };
    sam.vault
        .record_consent(consent(vec![
            InfoCategory::ContactDetails,
            InfoCategory::ContactHistory,
        ]))
        .unwrap();
    let wellbeing = sam
        .vault
        .record_consent(consent(vec![InfoCategory::Wellbeing]))
        .unwrap()
        .remove(0);
    sam.vault.sync(&quick_sync()).unwrap();
    police.vault.sync(&quick_sync()).unwrap();
    assert_eq!(police.vault.person(jade.id).unwrap().alias, "Jade");
    let seen = contact_of(&police, jade.id);
    assert_eq!(seen.note, None, "no consent covers free-text notes");
    assert_eq!(seen.wellbeing, vec![WellbeingFlag::Distressed]);
    // Sam's phone keeps everything.
    assert!(contact_of(&sam, jade.id).note.is_some());

    // She takes back what she said about her wellbeing: that field leaves
    // the police phone; the rest stays.
    sam.vault.withdraw_consent(wellbeing.id).unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    police.vault.sync(&quick_sync()).unwrap();
    let seen = contact_of(&police, jade.id);
    assert!(seen.wellbeing.is_empty(), "{:?}", seen.wellbeing);
    assert_eq!(police.vault.person(jade.id).unwrap().alias, "Jade");
}

/// An app from before protocol version 2 is told, in words, to update; the
/// server stores nothing of its request, and the same change sent by an
/// updated app is applied (the phone kept it: an unacknowledged change never
/// leaves the outbox).
#[test]
fn an_old_app_is_told_to_update_and_nothing_is_lost() {
    use nightround_core::sync::protocol::{
        AckStatus, Change, ErrorCode, PushRequest, PROTOCOL_VERSION,
    };
    use nightround_core::sync::transport::{HttpTransport, TransportError};
    let server = TestServer::start(false);
    let worker = server
        .admin()
        .create_worker(&server.org, "Sam", Role::OutreachWorker, None)
        .unwrap();
    let code = server.admin().create_enrolment_code(&worker.id).unwrap();
    let (enrolment, identity) =
        nightround_core::sync::enrol(&server.url(), None, &code.code, "old phone").unwrap();
    let t = HttpTransport::new(&server.url(), None, std::time::Duration::from_secs(5)).unwrap();
    let drop = SupplyDrop {
        id: Uuid::now_v7(),
        at: chrono::Utc::now(),
        area_id: "york_road".into(),
        purpose: SupplyPurpose::HandedOut,
        lines: vec![SupplyLine {
            item_id: "condoms".into(),
            quantity: 5,
        }],
        recorded_by: identity,
    };
    let version = format!(
        "{:013}-00000-0a0b0c0d",
        chrono::Utc::now().timestamp_millis()
    );
    let change = Change::new(
        RecordKind::SupplyDrop,
        drop.id,
        version,
        false,
        Some(serde_json::to_value(&drop).unwrap()),
    );
    let old = PushRequest {
        protocol: 1,
        batch_id: Uuid::now_v7(),
        changes: vec![change.clone()],
    };
    match t.push(&enrolment.token, &old) {
        Err(TransportError::Server {
            status: 400,
            code: Some(ErrorCode::UnsupportedProtocol),
            message,
            ..
        }) => assert!(message.contains("update the app"), "{message}"),
        other => panic!("an old push must be refused: {other:?}"),
    }
    let stored = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(stored(&server.database()), 0, "nothing of it was stored");
    let updated = PushRequest {
        protocol: PROTOCOL_VERSION,
        ..old
    };
    let resp = t.push(&enrolment.token, &updated).unwrap();
    assert_eq!(resp.acks[0].status, AckStatus::Applied);
    assert_eq!(stored(&server.database()), 1);
}
