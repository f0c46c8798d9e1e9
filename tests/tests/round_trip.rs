//! A round recorded on one phone reaches the server and the phones that may
//! see it, and no phone sees what it may not. Real server, real vault files.

use nightround_core::domain::*;
use nightround_core::CoreError;
use nightround_e2e::harness::{quick_sync, Device, TestServer};

fn jade_round(a: &Device) -> (Person, Contact, Concern, Vec<Referral>) {
    let jade = a
        .vault
        .add_person(PersonDraft {
            alias: "Jade".into(),
            prefers_female_worker: true,
            ..Default::default()
        })
        .unwrap();
    let contact = a
        .vault
        .record_contact(ContactDraft {
            person_id: Some(jade.id),
            at: None,
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![WellbeingFlag::Distressed],
            note: Some("asked about the drop-in".into()),
            supplies: vec![SupplyLine {
                item_id: "condoms".into(),
                quantity: 10,
            }],
            safeguarding_acknowledged: false,
        })
        .unwrap();
    let concern = a
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
    let referrals = a
        .vault
        .submit_referral_form(ReferralForm {
            person_id: jade.id,
            agency_ids: vec!["stars".into(), "harp".into()],
            urgency: Urgency::Red,
            needs: "somewhere safe tonight".into(),
            consent_method: ConsentMethod::Verbal,
            consent_covers: vec![InfoCategory::ContactDetails, InfoCategory::Housing],
            consent_review_at: None,
        })
        .unwrap();
    (jade, contact, concern, referrals)
}

#[test]
fn a_round_reaches_the_team_and_the_police_see_only_what_they_may() {
    let server = TestServer::start(false);
    let a = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let b = Device::new(&server, "Priya", Role::OutreachWorker, None);
    let police = Device::new(&server, "PC Hart", Role::PoliceOfficer, None);
    let stars = Device::new(
        &server,
        "STARS duty worker",
        Role::ReceivingAgency,
        Some("stars"),
    );

    let (jade, contact, concern, referrals) = jade_round(&a);
    let report = a.vault.sync(&quick_sync()).unwrap();
    assert_eq!(
        report.pushed, 7,
        "person, contact, concern, 2 consents, 2 referrals"
    );
    assert_eq!(a.vault.sync_status().unwrap().pending, 0);

    // Another outreach worker of the organisation sees the whole round.
    b.vault.sync(&quick_sync()).unwrap();
    assert_eq!(b.vault.person(jade.id).unwrap().alias, "Jade");
    let timeline = b.vault.person_timeline(jade.id).unwrap();
    assert!(timeline.iter().any(|e| matches!(e, nightround_core::vault::TimelineEntry::Contact { contact: c } if c.id == contact.id)));
    assert_eq!(b.vault.active_alerts().unwrap()[0].concern.id, concern.id);
    assert_eq!(b.vault.open_referrals().unwrap().len(), 2);

    // The police officer gets the team alert, and nothing about Jade.
    police.vault.sync(&quick_sync()).unwrap();
    assert_eq!(police.vault.active_alerts().unwrap().len(), 1);
    assert!(police.vault.find_people("").unwrap().is_empty());
    assert!(police
        .vault
        .person_timeline(jade.id)
        .map_or_else(|e| e == CoreError::NotFound("person"), |t| t.is_empty()));
    assert!(police.vault.open_referrals().unwrap().is_empty());

    // The receiving agency sees the referral addressed to it, not HARP's.
    stars.vault.sync(&quick_sync()).unwrap();
    let at_stars = stars.vault.open_referrals().unwrap();
    assert_eq!(at_stars.len(), 1);
    assert_eq!(at_stars[0].referral.agency_id, "stars");
    assert!(stars.vault.active_alerts().unwrap().is_empty());

    // STARS acknowledges; the status flows back to the worker who referred.
    let stars_referral = referrals.iter().find(|r| r.agency_id == "stars").unwrap();
    stars
        .vault
        .set_referral_status(stars_referral.id, ReferralStatus::Acknowledged)
        .unwrap();
    stars.vault.sync(&quick_sync()).unwrap();
    a.vault.sync(&quick_sync()).unwrap();
    let back = a
        .vault
        .open_referrals()
        .unwrap()
        .into_iter()
        .find(|v| v.referral.id == stars_referral.id)
        .unwrap();
    assert_eq!(back.referral.status, ReferralStatus::Acknowledged);
}

#[test]
fn consent_to_the_police_opens_her_records_to_the_police() {
    let server = TestServer::start(false);
    let a = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let police = Device::new(&server, "PC Hart", Role::PoliceOfficer, None);
    let (jade, _, _, _) = jade_round(&a);
    a.vault.sync(&quick_sync()).unwrap();
    police.vault.sync(&quick_sync()).unwrap();
    assert!(police.vault.find_people("").unwrap().is_empty());

    a.vault
        .record_consent(ConsentDraft {
            person_id: jade.id,
            agency_ids: vec!["essex_police".into()],
            method: ConsentMethod::Written,
            covers: vec![InfoCategory::Safety, InfoCategory::ContactHistory],
            review_at: None,
        })
        .unwrap();
    a.vault.sync(&quick_sync()).unwrap();
    police.vault.sync(&quick_sync()).unwrap();
    // Projected to what she agreed (protocol version 2): safety and contact
    // history, not her contact details, so her alias is not shared.
    assert_eq!(police.vault.person(jade.id).unwrap().alias, "");
    assert!(!police.vault.person_timeline(jade.id).unwrap().is_empty());
}

#[test]
fn over_tls_with_the_certificate_pinned() {
    let server = TestServer::start(true);
    assert!(server.url().starts_with("https://"));
    let a = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let b = Device::new(&server, "Priya", Role::OutreachWorker, None);
    let (jade, ..) = jade_round(&a);
    a.vault.sync(&quick_sync()).unwrap();
    b.vault.sync(&quick_sync()).unwrap();
    assert_eq!(b.vault.person(jade.id).unwrap().alias, "Jade");
    // A phone pinned to another certificate refuses the server.
    let other = TestServer::start(true);
    let err = nightround_core::sync::enrol(
        &server.url(),
        other.cert_pem().as_deref(),
        "AAAAA-AAAAA",
        "x",
    );
    assert!(matches!(err, Err(CoreError::Offline(_))), "{err:?}");
    // ...and says so in its own words: a refused certificate, not a network
    // failure worth retrying.
    let t = nightround_core::sync::transport::HttpTransport::new(
        &server.url(),
        other.cert_pem().as_deref(),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let refused = t.pull("token", 0, 10, 0);
    assert!(
        matches!(
            refused,
            Err(nightround_core::sync::transport::TransportError::Certificate)
        ),
        "{refused:?}"
    );
}

#[test]
fn a_revoked_device_shreds_its_vault_on_its_next_sync() {
    let server = TestServer::start(false);
    let a = Device::new(&server, "Sam", Role::OutreachWorker, None);
    jade_round(&a);
    let device_id = a.vault.sync_status().unwrap().device_id.unwrap();
    server.admin().revoke_device(device_id).unwrap();
    assert_eq!(a.vault.sync(&quick_sync()), Err(CoreError::Revoked));
    assert!(!a.vault_path().exists(), "the vault file is gone");
    assert!(a.keystore.is_empty(), "the keystore secret is gone");
    assert_eq!(a.vault.find_people(""), Err(CoreError::Shredded));
}

#[test]
fn an_expired_lease_locks_the_phone_until_it_syncs() {
    let server = TestServer::start(false);
    let clock = std::sync::Arc::new(nightround_core::clock::ManualClock::new(chrono::Utc::now()));
    let a = Device::enrol(
        &server,
        &server.url(),
        "Sam",
        Role::OutreachWorker,
        None,
        clock.clone(),
    );
    a.vault.sync(&quick_sync()).unwrap();
    clock.advance(chrono::Duration::days(15));
    assert_eq!(a.vault.find_people(""), Err(CoreError::LeaseExpired));
    assert!(matches!(
        a.vault.add_person(PersonDraft {
            alias: "Jade".into(),
            ..Default::default()
        }),
        Err(CoreError::LeaseExpired)
    ));
    a.vault.sync(&quick_sync()).unwrap();
    assert!(a.vault.find_people("").is_ok(), "a sync renews the lease");
}

#[test]
fn a_locked_phone_still_sends_its_round_in_the_background() {
    let server = TestServer::start(false);
    let a = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let b = Device::new(&server, "Priya", Role::OutreachWorker, None);
    let (jade, ..) = jade_round(&a);
    // The app went to the background: the vault locked, the keys are gone.
    a.vault.lock();
    let report = a.vault.sync(&quick_sync()).unwrap();
    assert_eq!(report.pushed, 7);
    assert_eq!(report.pending, 0);
    assert!(a.vault.is_locked(), "still locked: nothing was opened");
    b.vault.sync(&quick_sync()).unwrap();
    assert_eq!(b.vault.person(jade.id).unwrap().alias, "Jade");
    // Unlocked later, the phone has nothing left to send and pulls as usual.
    a.vault.unlock(nightround_e2e::harness::PIN).unwrap();
    let report = a.vault.sync(&quick_sync()).unwrap();
    assert_eq!((report.pushed, report.pending), (0, 0));
    assert_eq!(a.vault.person(jade.id).unwrap().alias, "Jade");
}
