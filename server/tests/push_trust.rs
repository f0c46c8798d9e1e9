//! Issue 9, the push half: the server trusts no phone. Each test is one item
//! of the reproduction, done through the real API: the change is
//! refused with a typed code, nothing is stored, and nobody's pull widens.

mod common;

use chrono::TimeZone;
use common::*;
use nightround_core::domain::{ContactKind, RecordKind, ReferralStatus, Role, StatusChange};
use nightround_core::sync::protocol::{Ack, AckStatus, RejectCode};
use serde_json::{json, Value};
use uuid::Uuid;

fn refused(acks: &[Ack], code: RejectCode) {
    for a in acks {
        assert_eq!(a.status, AckStatus::Rejected, "{acks:?}");
        assert_eq!(a.code, Some(code), "{acks:?}");
        let reason = a.reason.as_deref().unwrap_or("");
        assert!(!reason.is_empty(), "{acks:?}");
    }
}

/// Ids of what `dev` pulls.
async fn pulled_ids(t: &TestServer, dev: &TestDevice) -> Vec<(RecordKind, Uuid)> {
    let mut ids: Vec<_> = t
        .pull_all(dev)
        .await
        .into_iter()
        .map(|p| (p.change.kind, p.change.id))
        .collect();
    ids.sort();
    ids
}

/// Aspirations holds Jade, with two contacts (one noting who hurts her).
async fn jade_at_aspirations(t: &TestServer, sam: &TestDevice) -> Uuid {
    let now = t.now();
    let jade = person(&sam.identity, "Jade", now);
    let mut note = contact(
        &sam.identity,
        Some(id_of(&jade)),
        ContactKind::OutreachConversation,
        now,
    );
    note["note"] = json!("says partner hits her; STARS only");
    t.push_ok(
        sam,
        vec![
            change(RecordKind::Person, &sam.version_at(now), jade.clone()),
            change(RecordKind::Contact, &sam.version_at(now), note),
        ],
    )
    .await;
    id_of(&jade)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organisation_cannot_consent_or_refer_for_a_woman_it_does_not_hold() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let kim = t
        .device("Other Outreach", "Kim", Role::OutreachWorker, None)
        .await;
    let boss = t
        .device("Other Outreach", "Bea", Role::Supervisor, None)
        .await;
    let pc = t
        .device("Essex Police", "PC Reid", Role::PoliceOfficer, None)
        .await;
    let harp = t
        .device("HARP", "Hal", Role::ReceivingAgency, Some("harp"))
        .await;
    let jade = jade_at_aspirations(&t, &sam).await;
    let now = t.now();
    let before = t.dump(true);
    let police_before = pulled_ids(&t, &pc).await;
    let harp_before = pulled_ids(&t, &harp).await;
    assert!(police_before.is_empty() && harp_before.is_empty());

    let review = now + chrono::Duration::days(90);
    for dev in [&kim, &boss] {
        let c_police = consent(&dev.identity, jade, "essex_police", review, None, now);
        let c_harp = consent(&dev.identity, jade, "harp", review, None, now);
        let r_harp = referral(
            &dev.identity,
            jade,
            "harp",
            id_of(&c_harp),
            ReferralStatus::Sent,
            now,
        );
        let acks = t
            .push(
                dev,
                vec![
                    change(RecordKind::Consent, &dev.version_at(now), c_police),
                    change(RecordKind::Consent, &dev.version_at(now), c_harp),
                    change(RecordKind::Referral, &dev.version_at(now), r_harp),
                ],
            )
            .await;
        refused(&acks, RejectCode::NotHoldingOrganisation);
        // A contact naming her, from an organisation that may not see her.
        let c = contact(
            &dev.identity,
            Some(jade),
            ContactKind::OutreachConversation,
            now,
        );
        let acks = t
            .push(
                dev,
                vec![change(RecordKind::Contact, &dev.version_at(now), c)],
            )
            .await;
        refused(&acks, RejectCode::NotHoldingOrganisation);
    }
    // A consent for a woman nobody holds.
    let ghost = consent(&kim.identity, Uuid::now_v7(), "harp", review, None, now);
    let acks = t
        .push(
            &kim,
            vec![change(RecordKind::Consent, &kim.version_at(now), ghost)],
        )
        .await;
    refused(&acks, RejectCode::NotHoldingOrganisation);

    assert_eq!(t.dump(true), before, "nothing stored");
    assert_eq!(pulled_ids(&t, &pc).await, police_before);
    assert_eq!(pulled_ids(&t, &harp).await, harp_before);

    // Her own organisation may: the police then see her.
    let own = consent(&sam.identity, jade, "essex_police", review, None, now);
    t.push_ok(
        &sam,
        vec![change(RecordKind::Consent, &sam.version_at(now), own)],
    )
    .await;
    assert!(pulled_ids(&t, &pc)
        .await
        .contains(&(RecordKind::Person, jade)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_cannot_move_a_consent_to_a_woman_of_another_organisation() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let kim = t
        .device("Other Outreach", "Kim", Role::OutreachWorker, None)
        .await;
    let jade = jade_at_aspirations(&t, &sam).await;
    let now = t.now();
    let amy = person(&kim.identity, "Amy", now);
    t.push_ok(
        &kim,
        vec![change(
            RecordKind::Person,
            &kim.version_at(now),
            amy.clone(),
        )],
    )
    .await;
    let review = now + chrono::Duration::days(90);
    let mut c = consent(
        &kim.identity,
        id_of(&amy),
        "essex_police",
        review,
        None,
        now,
    );
    t.push_ok(
        &kim,
        vec![change(RecordKind::Consent, &kim.version_at(now), c.clone())],
    )
    .await;
    let before = t.dump(true);
    c["person_id"] = json!(jade);
    let acks = t
        .push(
            &kim,
            vec![change(
                RecordKind::Consent,
                &kim.version_at(now + chrono::Duration::seconds(1)),
                c,
            )],
        )
        .await;
    refused(&acks, RejectCode::NotHoldingOrganisation);
    assert_eq!(t.dump(true), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_far_ahead_of_the_server_clock_are_refused_as_a_wrong_clock() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    let before = t.dump(true);
    for (version, code) in [
        ("9999999999999-99999-zz", RejectCode::ClockAhead),
        ("9223372036854775807-99999-zz", RejectCode::Malformed),
    ] {
        let p = person(&sam.identity, "Jade", now);
        let acks = t
            .push(&sam, vec![change(RecordKind::Person, version, p)])
            .await;
        refused(&acks, code);
    }
    // Six minutes ahead: the phone's clock is wrong.
    let p = person(&sam.identity, "Jade", now);
    let acks = t
        .push(
            &sam,
            vec![change(
                RecordKind::Person,
                &sam.version_at(now + chrono::Duration::minutes(6)),
                p,
            )],
        )
        .await;
    refused(&acks, RejectCode::ClockAhead);
    assert!(acks[0].reason.as_deref().unwrap().contains("clock"));
    assert_eq!(t.dump(true), before);
    // Four minutes ahead is drift, and accepted.
    let p = person(&sam.identity, "Jade", now);
    t.push_ok(
        &sam,
        vec![change(
            RecordKind::Person,
            &sam.version_at(now + chrono::Duration::minutes(4)),
            p,
        )],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_fields_must_be_the_devices_own() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let jo = t
        .device("Aspirations", "Jo", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    let before = t.dump(true);
    let mut forged = sam.identity.clone();
    forged.display_name = "PC Reed".into();
    forged.organisation = "Essex Police".into();
    forged.role = Role::PoliceOfficer;
    let c = contact(&forged, None, ContactKind::PoliceWelfareCheck, now);
    let acks = t
        .push(
            &sam,
            vec![change(RecordKind::Contact, &sam.version_at(now), c)],
        )
        .await;
    refused(&acks, RejectCode::IdentityMismatch);
    let mut renamed = sam.identity.clone();
    renamed.display_name = "Someone else".into();
    let p = person(&renamed, "Jade", now);
    let acks = t
        .push(
            &sam,
            vec![change(RecordKind::Person, &sam.version_at(now), p)],
        )
        .await;
    refused(&acks, RejectCode::IdentityMismatch);
    assert_eq!(t.dump(true), before);

    // A colleague's edit keeps the profile's author; rewriting it is refused.
    let p = person(&sam.identity, "Jade", now);
    t.push_ok(
        &sam,
        vec![change(RecordKind::Person, &sam.version_at(now), p.clone())],
    )
    .await;
    let mut edit = p.clone();
    edit["key_worker"] = json!("Jo");
    t.push_ok(
        &jo,
        vec![change(
            RecordKind::Person,
            &jo.version_at(now + chrono::Duration::seconds(1)),
            edit.clone(),
        )],
    )
    .await;
    edit["recorded_by"] = serde_json::to_value(&jo.identity).unwrap();
    let acks = t
        .push(
            &jo,
            vec![change(
                RecordKind::Person,
                &jo.version_at(now + chrono::Duration::seconds(2)),
                edit,
            )],
        )
        .await;
    refused(&acks, RejectCode::IdentityMismatch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiving_agency_appends_one_server_stamped_status_step() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let harp = t
        .device("HARP", "Hal", Role::ReceivingAgency, Some("harp"))
        .await;
    let jade = jade_at_aspirations(&t, &sam).await;
    let now = t.now();
    let c = consent(
        &sam.identity,
        jade,
        "harp",
        now + chrono::Duration::days(90),
        None,
        now,
    );
    let r = referral(
        &sam.identity,
        jade,
        "harp",
        id_of(&c),
        ReferralStatus::Sent,
        now,
    );
    t.push_ok(
        &sam,
        vec![
            change(RecordKind::Consent, &sam.version_at(now), c),
            change(RecordKind::Referral, &sam.version_at(now), r.clone()),
        ],
    )
    .await;
    t.clock.advance(chrono::Duration::minutes(30));
    let later = t.now();

    // A forged, back-dated history replacing the whole record's.
    let mut forged = r.clone();
    forged["status"] = json!("declined");
    forged["history"] = serde_json::to_value(vec![
        StatusChange {
            status: ReferralStatus::Sent,
            at: chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            by: "Someone".into(),
        },
        StatusChange {
            status: ReferralStatus::Declined,
            at: chrono::Utc.with_ymd_and_hms(2025, 1, 2, 0, 0, 0).unwrap(),
            by: "Sam".into(),
        },
    ])
    .unwrap();
    let acks = t
        .push(
            &harp,
            vec![change(
                RecordKind::Referral,
                &harp.version_at(later),
                forged,
            )],
        )
        .await;
    refused(&acks, RejectCode::HistoryNotAppendOnly);
    // The real move, its step signed by someone else and back-dated: the
    // server writes who and when (the device's name, the server's time).
    let mut moved = r.clone();
    moved["status"] = json!("accepted");
    moved["history"] = serde_json::to_value(vec![StatusChange {
        status: ReferralStatus::Accepted,
        at: now - chrono::Duration::days(3),
        by: "Sam".into(),
    }])
    .unwrap();
    let acks = t
        .push(
            &harp,
            vec![change(
                RecordKind::Referral,
                &harp.version_at(later),
                moved.clone(),
            )],
        )
        .await;
    assert_eq!(acks[0].status, AckStatus::Merged, "{acks:?}");
    let stored_referral = || async {
        t.pull_all(&sam)
            .await
            .into_iter()
            .rfind(|p| p.change.id == id_of(&r))
            .and_then(|p| p.change.body)
            .unwrap()
    };
    let stored = stored_referral().await;
    let history: Vec<StatusChange> = serde_json::from_value(stored["history"].clone()).unwrap();
    let accepted = StatusChange {
        status: ReferralStatus::Accepted,
        at: later,
        by: harp.identity.display_name.clone(),
    };
    assert_eq!(history, vec![accepted.clone()]);
    assert_eq!(stored["status"], "accepted");

    // Later, closing it while rewriting the accepted step is refused.
    t.clock.advance(chrono::Duration::minutes(5));
    let before = t.dump(true);
    let mut close = stored.clone();
    close["status"] = json!("closed");
    close["history"] = serde_json::to_value(vec![
        StatusChange {
            at: later - chrono::Duration::days(1),
            ..accepted.clone()
        },
        StatusChange {
            status: ReferralStatus::Closed,
            at: t.now(),
            by: harp.identity.display_name.clone(),
        },
    ])
    .unwrap();
    let acks = t
        .push(
            &harp,
            vec![change(
                RecordKind::Referral,
                &harp.version_at(t.now()),
                close,
            )],
        )
        .await;
    refused(&acks, RejectCode::HistoryNotAppendOnly);
    assert_eq!(t.dump(true), before);
    // Nor may Aspirations, which holds her record, rewrite it.
    let mut rewrite = stored.clone();
    rewrite["history"] = json!([]);
    rewrite["needs"] = json!("A bed");
    let acks = t
        .push(
            &sam,
            vec![change(
                RecordKind::Referral,
                &sam.version_at(t.now()),
                rewrite,
            )],
        )
        .await;
    // An older copy (fewer steps) loses none: merged, the step kept.
    assert_ne!(acks[0].status, AckStatus::Rejected, "{acks:?}");
    let stored = stored_referral().await;
    assert_eq!(stored["needs"], "A bed");
    assert_eq!(
        serde_json::from_value::<Vec<StatusChange>>(stored["history"].clone()).unwrap(),
        vec![accepted.clone()]
    );
    let mut forged = stored.clone();
    forged["history"] = serde_json::to_value(vec![StatusChange {
        by: "Someone".into(),
        ..accepted
    }])
    .unwrap();
    let acks = t
        .push(
            &sam,
            vec![change(
                RecordKind::Referral,
                &sam.version_at(t.now()),
                forged,
            )],
        )
        .await;
    refused(&acks, RejectCode::HistoryNotAppendOnly);
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_phone_would_refuse_the_server_refuses() {
    let t = TestServer::start().await;
    let sam = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    let far = json!("9999-12-31T00:00:00Z");
    let big = json!("x".repeat(60 * 1024));
    let r = serde_json::to_value(round(
        &sam.identity,
        None,
        now,
        30,
        now + chrono::Duration::hours(2),
    ))
    .unwrap();
    let mut help = serde_json::to_value(check_in(&sam.identity, None, true, now)).unwrap();
    help["made_at"] = json!("2999-01-01T00:00:00Z");
    help["alert_until"] = Value::Null;
    let cases: Vec<(&str, RecordKind, Value)> = vec![
        (
            "alert until 9999-12-31",
            RecordKind::Concern,
            concern(&sam.identity, None, now),
        ),
        (
            "an unknown area",
            RecordKind::Contact,
            with(
                contact(&sam.identity, None, ContactKind::OutreachConversation, now),
                "area_id",
                json!("mars"),
            ),
        ),
        (
            "a 60 KB description",
            RecordKind::Concern,
            with(
                concern(&sam.identity, None, now),
                "description",
                big.clone(),
            ),
        ),
        (
            "an empty alias",
            RecordKind::Person,
            with(person(&sam.identity, "Jade", now), "alias", json!("")),
        ),
        (
            "a 60 KB alias",
            RecordKind::Person,
            with(person(&sam.identity, "Jade", now), "alias", big),
        ),
        (
            "birth year -999999",
            RecordKind::Person,
            with(
                person(&sam.identity, "Jade", now),
                "birth_year",
                json!(-999_999),
            ),
        ),
        (
            "check_in_minutes 0",
            RecordKind::Round,
            with(r, "check_in_minutes", json!(0)),
        ),
        ("a help call made in 2999", RecordKind::CheckIn, help),
    ];
    let mut cases = cases;
    cases[0].2["alert_until"] = far;
    let before = t.dump(true);
    for (what, kind, body) in cases {
        let acks = t
            .push(&sam, vec![change(kind, &sam.version_at(now), body)])
            .await;
        assert_eq!(acks[0].status, AckStatus::Rejected, "{what}: {acks:?}");
        assert_eq!(acks[0].code, Some(RejectCode::Invalid), "{what}: {acks:?}");
    }
    assert_eq!(t.dump(true), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_reason_is_in_the_protocol_document() {
    let doc = include_str!("../../docs/sync-protocol.md");
    let section = doc
        .split("### Refusal reasons")
        .nth(1)
        .expect("a 'Refusal reasons' section");
    for code in RejectCode::ALL {
        assert!(
            section.contains(&format!("`{}`", code.as_str())),
            "{code:?} is not documented"
        );
        assert_eq!(
            serde_json::to_value(code).unwrap(),
            json!(code.as_str()),
            "the wire name is the documented one"
        );
    }
    // The code is additive: absent from other acks, and an older server's
    // ack (no code) still reads.
    let applied = Ack {
        id: Uuid::nil(),
        version: "1772485200000-00000-ab".into(),
        status: AckStatus::Applied,
        reason: None,
        code: None,
    };
    let wire = serde_json::to_value(&applied).unwrap();
    assert!(wire.get("code").is_none(), "{wire}");
    let old: Ack = serde_json::from_value(
        json!({"id": Uuid::nil(), "version": "1772485200000-00000-ab", "status": "rejected", "reason": "x"}),
    )
    .unwrap();
    assert_eq!(old.code, None);
}
