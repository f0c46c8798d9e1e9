//! The rules the core enforces on what the screens submit.

mod common;
use common::*;
use nightround_core::domain::*;
use nightround_core::CoreError;

fn referral_form(person: &Person, agencies: &[&str]) -> ReferralForm {
    ReferralForm {
        person_id: person.id,
        agency_ids: agencies.iter().map(|a| a.to_string()).collect(),
        urgency: Urgency::Red,
        needs: "A bed tonight and a script review".into(),
        consent_method: ConsentMethod::Verbal,
        consent_covers: vec![InfoCategory::ContactDetails, InfoCategory::Housing],
        consent_review_at: None,
    }
}

#[test]
fn referral_needs_consent_for_its_agency() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let draft = ReferralDraft {
        person_id: jade.id,
        agency_id: "harp".into(),
        urgency: Urgency::Amber,
        needs: "housing".into(),
    };
    assert_eq!(
        f.vault.make_referral(draft.clone()),
        Err(ValidationError::NoConsentForAgency.into())
    );
    f.vault
        .record_consent(ConsentDraft {
            person_id: jade.id,
            agency_ids: vec!["stars".into()],
            method: ConsentMethod::Written,
            covers: vec![InfoCategory::SubstanceUse],
            review_at: None,
        })
        .unwrap();
    assert_eq!(
        f.vault.make_referral(draft.clone()),
        Err(ValidationError::NoConsentForAgency.into()),
        "consent to STARS is not consent to HARP"
    );
    let consents = f
        .vault
        .record_consent(ConsentDraft {
            person_id: jade.id,
            agency_ids: vec!["harp".into()],
            method: ConsentMethod::Verbal,
            covers: vec![InfoCategory::Housing],
            review_at: None,
        })
        .unwrap();
    let r = f.vault.make_referral(draft.clone()).unwrap();
    assert_eq!(r.consent_id, consents[0].id);
    assert_eq!(r.due_at - r.created_at, chrono::Duration::hours(72));

    f.vault.withdraw_consent(consents[0].id).unwrap();
    assert_eq!(
        f.vault.make_referral(draft.clone()),
        Err(ValidationError::ConsentWithdrawn.into())
    );
    assert_eq!(
        f.vault.withdraw_consent(consents[0].id),
        Err(ValidationError::ConsentAlreadyWithdrawn.into())
    );
}

#[test]
fn expired_consent_blocks_a_referral() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    f.vault
        .record_consent(ConsentDraft {
            person_id: jade.id,
            agency_ids: vec!["tht".into()],
            method: ConsentMethod::Verbal,
            covers: vec![InfoCategory::Health],
            review_at: Some(evening() + chrono::Duration::days(1)),
        })
        .unwrap();
    f.clock.advance(chrono::Duration::days(2));
    f.vault.unlock(PIN).ok();
    let draft = ReferralDraft {
        person_id: jade.id,
        agency_id: "tht".into(),
        urgency: Urgency::Green,
        needs: "testing".into(),
    };
    assert_eq!(
        f.vault.make_referral(draft),
        Err(ValidationError::ConsentExpired.into())
    );
}

#[test]
fn the_referral_form_is_all_or_nothing() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let bad = referral_form(&jade, &["stars", "no_such_agency"]);
    assert_eq!(
        f.vault.submit_referral_form(bad),
        Err(ValidationError::UnknownAgency.into())
    );
    assert!(f.vault.consents(jade.id).unwrap().is_empty());
    assert!(f.vault.open_referrals().unwrap().is_empty());
    let pending_before = f.vault.pending_changes().unwrap();
    let made = f
        .vault
        .submit_referral_form(referral_form(&jade, &["stars", "harp"]))
        .unwrap();
    assert_eq!(made.len(), 2);
    assert_eq!(f.vault.consents(jade.id).unwrap().len(), 2);
    assert_eq!(f.vault.pending_changes().unwrap(), pending_before + 4);
}

#[test]
fn contacts_validate_supplies_notes_and_safeguarding() {
    let f = Fixture::new();
    let base = ContactDraft {
        person_id: None,
        at: None,
        area_id: "ambleside_drive".into(),
        kind: ContactKind::OutreachConversation,
        wellbeing: vec![],
        note: None,
        supplies: vec![],
        safeguarding_acknowledged: false,
    };
    let zero = ContactDraft {
        supplies: vec![SupplyLine {
            item_id: "condoms".into(),
            quantity: 0,
        }],
        ..base.clone()
    };
    assert_eq!(
        f.vault.record_contact(zero),
        Err(ValidationError::ZeroQuantity.into())
    );
    let long = ContactDraft {
        note: Some("x".repeat(501)),
        ..base.clone()
    };
    assert_eq!(
        f.vault.record_contact(long),
        Err(ValidationError::TextTooLong(TextField::Note).into())
    );
    let young = ContactDraft {
        wellbeing: vec![WellbeingFlag::AppearsUnder18],
        ..base.clone()
    };
    assert_eq!(
        f.vault.record_contact(young.clone()),
        Err(ValidationError::SafeguardingNotAcknowledged.into())
    );
    let ack = f
        .vault
        .record_contact(ContactDraft {
            safeguarding_acknowledged: true,
            ..young
        })
        .unwrap();
    assert_eq!(ack.safeguarding.unwrap().acknowledged_by, "Sam");
    let stranger = ContactDraft {
        person_id: Some(uuid::Uuid::now_v7()),
        ..base.clone()
    };
    assert_eq!(
        f.vault.record_contact(stranger),
        Err(ValidationError::UnknownPerson.into())
    );
    assert!(matches!(
        f.vault.add_person(PersonDraft::default()),
        Err(CoreError::Validation(ValidationError::EmptyAlias))
    ));
    let nothing_written = f.vault.contacts_since(evening()).unwrap();
    assert_eq!(nothing_written.len(), 1, "only the valid contact was saved");
}

#[test]
fn police_record_welfare_checks_only() {
    let f = Fixture::with_identity(WorkerIdentity {
        worker_id: "pc-1".into(),
        display_name: "PC Hart".into(),
        role: Role::PoliceOfficer,
        organisation: "Essex Police".into(),
    });
    let draft = ContactDraft {
        person_id: None,
        at: None,
        area_id: "ambleside_drive".into(),
        kind: ContactKind::OutreachConversation,
        wellbeing: vec![],
        note: None,
        supplies: vec![],
        safeguarding_acknowledged: false,
    };
    assert_eq!(
        f.vault.record_contact(draft.clone()),
        Err(ValidationError::ContactKindNotAllowed.into())
    );
    let c = f
        .vault
        .record_contact(ContactDraft {
            kind: ContactKind::PoliceWelfareCheck,
            ..draft
        })
        .unwrap();
    assert_eq!(c.recorded_by.role, Role::PoliceOfficer);
}

#[test]
fn referral_status_moves_forward_only() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let r = f
        .vault
        .submit_referral_form(referral_form(&jade, &["stars"]))
        .unwrap()
        .remove(0);
    assert_eq!(r.status, ReferralStatus::Queued);
    let r = f
        .vault
        .set_referral_status(r.id, ReferralStatus::Sent)
        .unwrap();
    let r = f
        .vault
        .set_referral_status(r.id, ReferralStatus::Acknowledged)
        .unwrap();
    assert_eq!(
        f.vault.set_referral_status(r.id, ReferralStatus::Queued),
        Err(ValidationError::InvalidStatusChange {
            from: ReferralStatus::Acknowledged,
            to: ReferralStatus::Queued
        }
        .into())
    );
    let r = f
        .vault
        .set_referral_status(r.id, ReferralStatus::Closed)
        .unwrap();
    assert_eq!(r.history.len(), 4);
    assert!(f.vault.open_referrals().unwrap().is_empty());
}
