//! What the screens show: tonight's round, a person's timeline, alerts,
//! referrals due and overdue, supplies totals, type-ahead.

mod common;
use common::*;
use nightround_core::domain::*;
use nightround_core::vault::TimelineEntry;

fn concern(hours: i64, severity: Severity) -> ConcernDraft {
    ConcernDraft {
        category: ConcernCategory::DangerousVehicle,
        description: "Man in a silver estate, followed women".into(),
        vehicle: None,
        area_id: "ambleside_drive".into(),
        at: None,
        severity,
        alert_until: Some(evening() + chrono::Duration::hours(hours)),
        police_consent: true,
        reported_by: None,
    }
}

#[test]
fn tonight_and_supplies_totals() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    f.contact(Some(&jade), "first");
    f.clock.advance(chrono::Duration::minutes(20));
    f.contact(None, "anonymous");
    f.vault
        .record_supplies(SupplyDropDraft {
            at: None,
            area_id: "york_road".into(),
            purpose: SupplyPurpose::RestockDropPoint,
            lines: vec![SupplyLine {
                item_id: "condoms".into(),
                quantity: 40,
            }],
        })
        .unwrap();
    let tonight = f.vault.contacts_since(evening()).unwrap();
    assert_eq!(tonight.len(), 2);
    assert_eq!(
        tonight[0].note.as_deref(),
        Some("anonymous"),
        "newest first"
    );
    let summary = f.vault.round_summary(evening()).unwrap();
    assert_eq!(
        (
            summary.contacts,
            summary.people_seen,
            summary.anonymous_contacts
        ),
        (2, 1, 1)
    );
    let condoms = summary
        .supplies
        .iter()
        .find(|t| t.item_id == "condoms")
        .unwrap();
    assert_eq!(condoms.quantity, 60);
    let packs = summary
        .supplies
        .iter()
        .find(|t| t.item_id == "hygiene_pack")
        .unwrap();
    assert_eq!(packs.quantity, 2);
    // A window that excludes the round.
    let before = f
        .vault
        .supplies_totals(evening() - chrono::Duration::days(1), evening())
        .unwrap();
    assert!(before.is_empty());
    assert_eq!(f.vault.last_area().unwrap().as_deref(), Some("york_road"));
}

#[test]
fn a_persons_timeline_is_hers_alone_and_newest_first() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let amy = f.add("Amy");
    f.contact(Some(&jade), "one");
    f.clock.advance(chrono::Duration::minutes(5));
    f.contact(Some(&amy), "amy's");
    f.clock.advance(chrono::Duration::minutes(5));
    f.vault
        .submit_referral_form(ReferralForm {
            person_id: jade.id,
            agency_ids: vec!["stars".into()],
            urgency: Urgency::Amber,
            needs: "women-only session".into(),
            consent_method: ConsentMethod::Written,
            consent_covers: vec![InfoCategory::SubstanceUse],
            consent_review_at: None,
        })
        .unwrap();
    f.clock.advance(chrono::Duration::minutes(5));
    f.contact(Some(&jade), "two");
    let timeline = f.vault.person_timeline(jade.id).unwrap();
    assert_eq!(timeline.len(), 4);
    assert!(
        matches!(&timeline[0], TimelineEntry::Contact { contact } if contact.note.as_deref() == Some("two"))
    );
    assert!(timeline.iter().all(|e| match e {
        TimelineEntry::Contact { contact } => contact.person_id == Some(jade.id),
        TimelineEntry::Referral { referral } => referral.person_id == jade.id,
        TimelineEntry::Consent { consent } => consent.person_id == jade.id,
        TimelineEntry::Concern { .. } => false,
    }));
    assert_eq!(f.vault.person_timeline(amy.id).unwrap().len(), 1);
}

#[test]
fn alerts_expire_and_sort_by_severity() {
    let f = Fixture::new();
    f.vault.raise_concern(concern(2, Severity::Medium)).unwrap();
    f.vault.raise_concern(concern(48, Severity::High)).unwrap();
    let mut no_alert = concern(1, Severity::High);
    no_alert.alert_until = None;
    f.vault.raise_concern(no_alert).unwrap();
    let alerts = f.vault.active_alerts().unwrap();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].concern.severity, Severity::High);
    assert_eq!(alerts[0].area_name, "Ambleside Drive");
    f.clock.advance(chrono::Duration::hours(3));
    f.vault.unlock(PIN).ok();
    assert_eq!(f.vault.active_alerts().unwrap().len(), 1);
}

#[test]
fn overdue_is_computed_when_asked() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let form = |urgency, agency: &str| ReferralForm {
        person_id: jade.id,
        agency_ids: vec![agency.into()],
        urgency,
        needs: "support".into(),
        consent_method: ConsentMethod::Verbal,
        consent_covers: vec![InfoCategory::ContactDetails],
        consent_review_at: None,
    };
    f.vault
        .submit_referral_form(form(Urgency::Green, "harp"))
        .unwrap();
    let red = f
        .vault
        .submit_referral_form(form(Urgency::Red, "stars"))
        .unwrap()
        .remove(0);
    let views = f.vault.open_referrals().unwrap();
    assert!(views.iter().all(|v| !v.overdue));
    assert_eq!(views[0].referral.urgency, Urgency::Red, "soonest due first");
    assert_eq!(views[0].person_alias.as_deref(), Some("Jade"));
    f.clock.advance(chrono::Duration::hours(25));
    f.vault.unlock(PIN).ok();
    let views = f.vault.open_referrals().unwrap();
    assert!(views[0].overdue && views[0].referral.id == red.id);
    assert!(!views[1].overdue);
    // An acknowledgement stops the clock.
    f.vault
        .set_referral_status(red.id, ReferralStatus::Acknowledged)
        .unwrap();
    assert!(f.vault.open_referrals().unwrap().iter().all(|v| !v.overdue));
}

#[test]
fn type_ahead_and_profile_history() {
    let f = Fixture::new();
    for a in ["Jade", "jasmine", "Amy", "Jo"] {
        f.add(a);
    }
    let ja: Vec<String> = f
        .vault
        .find_people("ja")
        .unwrap()
        .into_iter()
        .map(|p| p.alias)
        .collect();
    assert_eq!(ja, ["Jade", "jasmine"]);
    assert_eq!(f.vault.find_people("").unwrap().len(), 4);
    let jo = f.vault.find_people("Jo").unwrap().remove(0);
    f.vault
        .update_person(
            jo.id,
            PersonDraft {
                alias: "Joanne".into(),
                key_worker: Some("Priya".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(f.vault.person(jo.id).unwrap().alias, "Joanne");
    let history = f.vault.person_history(jo.id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].alias, "Jo", "the earlier value is kept");
}

#[test]
fn deletion_leaves_a_tombstone_for_sync() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let c = f.contact(Some(&jade), "made in error");
    let pending = f.vault.pending_changes().unwrap();
    f.vault.delete_record(RecordKind::Contact, c.id).unwrap();
    assert!(f.vault.contacts_since(evening()).unwrap().is_empty());
    assert_eq!(f.vault.pending_changes().unwrap(), pending + 1);
    let (deleted, body): (i64, Option<Vec<u8>>) = f
        .raw()
        .query_row(
            "SELECT deleted, body FROM records WHERE id = ?1",
            [c.id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((deleted, body), (1, None));
    assert!(f.vault.delete_record(RecordKind::Contact, c.id).is_err());
}
