//! The screens issue 13 (item 8) found without a call: tonight's display
//! rows, every concern, supply drops, a contact or referral by id, the
//! referral read-back, the category words; each paged where it is a list,
//! each leaving a damaged row out and naming it.

mod common;
use common::*;
use nightround_core::domain::*;
use nightround_core::vault::hours_words;
use nightround_core::CoreError;

fn flip_byte(f: &Fixture, kind: &str, id: uuid::Uuid) {
    let raw = f.raw();
    let mut body: Vec<u8> = raw
        .query_row(
            "SELECT body FROM records WHERE kind = ?1 AND id = ?2",
            (kind, id.to_string()),
            |r| r.get(0),
        )
        .unwrap();
    let mid = body.len() / 2;
    body[mid] ^= 1;
    raw.execute(
        "UPDATE records SET body = ?1 WHERE kind = ?2 AND id = ?3",
        (body, kind, id.to_string()),
    )
    .unwrap();
}

fn concern(reported_by: Option<uuid::Uuid>, alert_hours: Option<i64>) -> ConcernDraft {
    ConcernDraft {
        category: ConcernCategory::Threats,
        description: "Man shouting threats from a van".into(),
        vehicle: None,
        area_id: "ambleside_drive".into(),
        at: None,
        severity: Severity::Medium,
        alert_until: alert_hours.map(|h| evening() + chrono::Duration::hours(h)),
        police_consent: false,
        reported_by,
    }
}

#[test]
fn tonight_joins_aliases_and_names_and_reads_only_tonight() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let ruby = f.add("Ruby");
    // Last week's contact is not tonight's.
    f.clock.set(evening() - chrono::Duration::days(7));
    f.contact(Some(&jade), "last week");
    f.clock.set(evening() + chrono::Duration::minutes(5));
    f.contact(Some(&jade), "first tonight");
    f.clock.advance(chrono::Duration::minutes(5));
    f.contact(None, "anonymous");
    f.clock.advance(chrono::Duration::minutes(5));
    let ruby_contact = f.contact(Some(&ruby), "ruby");
    let since = evening();
    let screen = f.vault.tonight(since, 0, 2).unwrap();
    assert_eq!(screen.summary, f.vault.round_summary(since).unwrap());
    assert_eq!((screen.total, screen.summary.contacts), (3, 3));
    let who: Vec<&str> = screen.rows.iter().map(|r| r.who.as_str()).collect();
    assert_eq!(who, ["Ruby", "Anonymous"], "newest first, one page");
    let first = &screen.rows[0];
    assert_eq!(first.area_name, "York Road");
    assert_eq!(first.items_handed_out, 11);
    assert_eq!(first.supplies.len(), 2);
    assert!(first.has_note && !first.safeguarding);
    let rest = f.vault.tonight(since, 2, 10).unwrap();
    assert_eq!(rest.rows.len(), 1);
    assert_eq!(rest.rows[0].alias.as_deref(), Some("Jade"));

    // A damaged profile and a damaged contact: left out, named, counted.
    flip_byte(&f, "person", ruby.id);
    let screen = f.vault.tonight(since, 0, 10).unwrap();
    assert_eq!(screen.rows[0].who, "A profile that could not be read");
    assert_eq!(screen.rows[0].alias, None);
    assert_eq!(screen.unreadable, vec![ruby.id]);
    flip_byte(&f, "contact", ruby_contact.id);
    let screen = f.vault.tonight(since, 0, 10).unwrap();
    assert_eq!(screen.total, 2);
    assert_eq!(screen.unreadable, vec![ruby_contact.id]);
    assert_eq!(
        screen.notice.as_deref(),
        Some("1 record could not be read; it is left out.")
    );
}

#[test]
fn tonight_is_read_through_the_time_index() {
    let f = Fixture::new();
    f.contact(None, "x");
    let raw = f.raw();
    for kind in ["contact", "supply_drop"] {
        let plan: Vec<String> = raw
            .prepare(
                "EXPLAIN QUERY PLAN SELECT id, version, body FROM records
                 WHERE kind = ?1 AND occurred_at >= ?2 AND occurred_at < ?3 AND deleted = 0
                 ORDER BY occurred_at DESC, id DESC",
            )
            .unwrap()
            .query_map((kind, 0, i64::MAX), |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("; ");
        assert!(
            plan.contains(
                "USING INDEX records_by_time (kind=? AND occurred_at>? AND occurred_at<?)"
            ),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "no sort: {plan}");
    }
}

#[test]
fn every_concern_is_listed_anonymous_and_alertless_too() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let quiet = f.vault.raise_concern(concern(None, None)).unwrap();
    f.clock.advance(chrono::Duration::minutes(1));
    let alert = f
        .vault
        .raise_concern(concern(Some(jade.id), Some(24)))
        .unwrap();
    f.clock.advance(chrono::Duration::minutes(1));
    let old_alert = f.vault.raise_concern(concern(None, Some(1))).unwrap();
    f.clock.advance(chrono::Duration::hours(2));
    // Only the live alert is on the alerts screen; the list has all three.
    assert_eq!(f.vault.active_alerts().unwrap().len(), 1);
    let page = f.vault.concerns_page(0, 10).unwrap();
    assert_eq!(page.total, 3);
    let ids: Vec<_> = page.concerns.iter().map(|c| c.concern.id).collect();
    assert_eq!(ids, [old_alert.id, alert.id, quiet.id], "newest first");
    let v = &page.concerns[2];
    assert!(v.anonymous && !v.alert_active);
    assert_eq!(v.reported_by, "Anonymous");
    assert_eq!(v.area_name, "Ambleside Drive");
    assert!(page.concerns[1].alert_active && !page.concerns[0].alert_active);
    assert_eq!(page.concerns[1].reported_by, "Jade");
    let second = f.vault.concerns_page(1, 1).unwrap();
    assert_eq!(second.concerns[0].concern.id, alert.id);
    assert_eq!(second.total, 3);

    flip_byte(&f, "concern", quiet.id);
    let page = f.vault.concerns_page(0, 10).unwrap();
    assert_eq!(page.concerns.len(), 2);
    assert_eq!(page.unreadable, vec![quiet.id]);
    assert!(page.notice.is_some());
}

#[test]
fn supply_drops_are_listed_by_name() {
    let f = Fixture::new();
    for n in [40, 20] {
        f.vault
            .record_supplies(SupplyDropDraft {
                at: None,
                area_id: "york_road".into(),
                purpose: SupplyPurpose::RestockDropPoint,
                lines: vec![SupplyLine {
                    item_id: "condoms".into(),
                    quantity: n,
                }],
            })
            .unwrap();
        f.clock.advance(chrono::Duration::minutes(1));
    }
    let page = f.vault.supply_drops_page(0, 1).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.drops.len(), 1);
    assert_eq!(page.drops[0].drop.lines[0].quantity, 20, "newest first");
    assert_eq!(page.drops[0].area_name, "York Road");
    assert_eq!(page.drops[0].items[0].quantity, 20);
    assert_ne!(
        page.drops[0].items[0].name, "condoms",
        "named from the catalogue"
    );
}

#[test]
fn a_contact_and_a_referral_by_id() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let c = f.contact(Some(&jade), "note");
    let view = f.vault.contact(c.id).unwrap();
    assert_eq!(view.contact, c);
    assert_eq!(view.row.who, "Jade");
    assert_eq!(
        f.vault.contact(uuid::Uuid::now_v7()),
        Err(CoreError::NotFound("contact"))
    );
    let referrals = f
        .vault
        .submit_referral_form(ReferralForm {
            person_id: jade.id,
            agency_ids: vec!["harp".into()],
            urgency: Urgency::Amber,
            needs: "somewhere to stay".into(),
            consent_method: ConsentMethod::Verbal,
            consent_covers: vec![InfoCategory::ContactDetails],
            consent_review_at: None,
        })
        .unwrap();
    let r = f.vault.referral(referrals[0].id).unwrap();
    assert_eq!(r.referral, referrals[0]);
    assert_eq!(r.agency_name, "HARP");
    assert_eq!(r.person_alias.as_deref(), Some("Jade"));
    assert!(!r.overdue);
    f.clock.advance(chrono::Duration::hours(73));
    assert!(f.vault.referral(referrals[0].id).unwrap().overdue);
    assert_eq!(f.vault.referral(c.id), Err(CoreError::NotFound("referral")));
}

#[test]
fn the_referral_read_back_is_refused_as_saving_would_be_and_writes_nothing() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let form = ReferralForm {
        person_id: jade.id,
        agency_ids: vec!["harp".into(), "essex_police".into()],
        urgency: Urgency::Red,
        needs: "  somewhere safe tonight ".into(),
        consent_method: ConsentMethod::Verbal,
        consent_covers: vec![InfoCategory::Health, InfoCategory::ContactDetails],
        consent_review_at: None,
    };
    let pending = f.vault.pending_changes().unwrap();
    let rb = f.vault.preview_referral_form(&form).unwrap();
    assert_eq!(
        f.vault.pending_changes().unwrap(),
        pending,
        "writes nothing"
    );
    assert_eq!(rb.person_alias, "Jade");
    assert_eq!(rb.needs, "somewhere safe tonight");
    assert_eq!(rb.agencies[1].response_hours, 4);
    assert_eq!(
        rb.agencies[1].due_at,
        evening() + chrono::Duration::hours(4)
    );
    let labels: Vec<&str> = rb.covers.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Contact details", "Health"],
        "in the screens' order"
    );
    assert_eq!(
        rb.lines,
        [
            "You are agreeing that we refer you to HARP and Essex Police.",
            &format!("HARP have said they will respond within {}.", hours_words(rb.agencies[0].response_hours)),
            "Essex Police have said they will respond within 4 hours.",
            "Each of them may be told: how to reach you and who your key worker is; your health. Nothing else.",
            "What you've asked for: somewhere safe tonight",
            "This is red: as soon as possible.",
            "The police are on this list because you chose them. You can take them off.",
            &format!(
                "You can change your mind about any of them at any time. We'll check with you again by {}.",
                rb.review_at.format("%-d %B %Y")
            ),
            "Do you agree?",
        ],
        "read to her in the second person, police named as her choice, asked last"
    );
    let written = f
        .vault
        .preview_referral_form(&ReferralForm {
            agency_ids: vec!["harp".into()],
            consent_method: ConsentMethod::Written,
            ..form.clone()
        })
        .unwrap();
    assert_eq!(
        written.lines.last().map(String::as_str),
        Some("Please sign to say you agree.")
    );
    assert!(
        !written.lines.iter().any(|l| l.contains("police")),
        "no police sentence when she did not choose them: {:?}",
        written.lines
    );
    // Saving sets exactly the due times read back.
    let saved = f.vault.submit_referral_form(form.clone()).unwrap();
    assert_eq!(saved[1].due_at, rb.agencies[1].due_at);
    for (bad, why) in [
        (
            ReferralForm {
                agency_ids: vec![],
                ..form.clone()
            },
            ValidationError::NoAgencies,
        ),
        (
            ReferralForm {
                needs: " ".into(),
                ..form.clone()
            },
            ValidationError::Required(TextField::Needs),
        ),
        (
            ReferralForm {
                person_id: uuid::Uuid::now_v7(),
                ..form.clone()
            },
            ValidationError::UnknownPerson,
        ),
    ] {
        assert_eq!(
            f.vault.preview_referral_form(&bad),
            Err(CoreError::Validation(why))
        );
    }
}

#[test]
fn her_screen_has_her_consents_with_their_state_and_her_referrals_only() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let ruby = f.add("Ruby");
    let form = |person: uuid::Uuid, agency: &str| ReferralForm {
        person_id: person,
        agency_ids: vec![agency.into()],
        urgency: Urgency::Green,
        needs: "a GP appointment".into(),
        consent_method: ConsentMethod::Written,
        consent_covers: vec![InfoCategory::Health],
        consent_review_at: None,
    };
    let harp = f.vault.submit_referral_form(form(jade.id, "harp")).unwrap();
    f.clock.advance(chrono::Duration::minutes(1));
    let police = f
        .vault
        .submit_referral_form(form(jade.id, "essex_police"))
        .unwrap();
    f.vault.submit_referral_form(form(ruby.id, "harp")).unwrap();
    let screen = f.vault.person_screen(jade.id).unwrap();
    assert_eq!(screen.person.alias, "Jade");
    let agencies: Vec<&str> = screen
        .consents
        .iter()
        .map(|c| c.agency_name.as_str())
        .collect();
    assert_eq!(agencies, ["Essex Police", "HARP"], "newest first");
    assert!(screen
        .consents
        .iter()
        .all(|c| c.state == ConsentState::Valid));
    assert_eq!(screen.open_referrals.len(), 2, "hers only");
    assert!(screen
        .open_referrals
        .iter()
        .all(|r| r.person_alias.as_deref() == Some("Jade")));

    // Half a year on: due for review; a withdrawn one says so.
    f.vault
        .withdraw_consent(screen.consents[0].consent.id)
        .unwrap();
    f.clock.advance(chrono::Duration::days(183));
    f.vault.unlock(PIN).unwrap(); // idle past the fixture's 30 days
    let screen = f.vault.person_screen(jade.id).unwrap();
    let states: Vec<ConsentState> = screen.consents.iter().map(|c| c.state).collect();
    assert_eq!(
        states,
        [ConsentState::Withdrawn, ConsentState::DueForReview]
    );
    assert!(screen.open_referrals.iter().all(|r| r.overdue));

    flip_byte(&f, "referral", police[0].id);
    let screen = f.vault.person_screen(jade.id).unwrap();
    let open: Vec<_> = screen
        .open_referrals
        .iter()
        .map(|r| r.referral.id)
        .collect();
    assert_eq!(open, [harp[0].id]);
    assert_eq!(screen.unreadable, vec![police[0].id]);
    assert_eq!(
        f.vault.person_screen(uuid::Uuid::now_v7()),
        Err(CoreError::NotFound("person"))
    );
}
