//! The data dictionary against the records themselves: every field a record
//! serialises is in the table, the projection keeps exactly what is allowed,
//! and a projected body still reads back as its record.

use chrono::TimeZone;
use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::categories::{self, FieldClass, FIELDS};
use nightround_core::domain::*;
use nightround_core::Timestamp;
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

fn at(day: u32) -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 11, day, 21, 0, 0)
        .single()
        .expect("a time")
}

fn worker() -> WorkerIdentity {
    WorkerIdentity {
        worker_id: "w-sam".into(),
        display_name: "Sam".into(),
        role: Role::OutreachWorker,
        organisation: "aspirations".into(),
    }
}

/// A record of `kind` with every optional field filled, serialised.
fn full_example(kind: RecordKind) -> Map<String, Value> {
    let id = Uuid::from_u128(1);
    let her = Uuid::from_u128(2);
    let value = match kind {
        RecordKind::Person => serde_json::to_value(Person {
            id,
            alias: "Jade".into(),
            description: Some("Red coat".into()),
            birth_year: Some(1990),
            registered_with_outreach: true,
            prefers_female_worker: true,
            key_worker: Some("Sam".into()),
            created_at: at(1),
            updated_at: at(2),
            recorded_by: worker(),
        }),
        RecordKind::Contact => serde_json::to_value(Contact {
            id,
            person_id: Some(her),
            at: at(3),
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![WellbeingFlag::Distressed],
            note: Some("Talked about the hostel".into()),
            supplies: vec![SupplyLine {
                item_id: "condoms".into(),
                quantity: 10,
            }],
            safeguarding: Some(Safeguarding {
                acknowledged_by: "Sam".into(),
                acknowledged_at: at(3),
            }),
            recorded_by: worker(),
        }),
        RecordKind::SupplyDrop => serde_json::to_value(SupplyDrop {
            id,
            at: at(3),
            area_id: "seafront".into(),
            purpose: SupplyPurpose::RestockDropPoint,
            lines: vec![SupplyLine {
                item_id: "condoms".into(),
                quantity: 40,
            }],
            recorded_by: worker(),
        }),
        RecordKind::Concern => serde_json::to_value(Concern {
            id,
            category: ConcernCategory::DangerousVehicle,
            description: "Tall, grey hoodie".into(),
            vehicle: Some(Vehicle {
                make: Some("Ford".into()),
                colour: Some("silver".into()),
                partial_registration: Some("AB12".into()),
            }),
            area_id: "ambleside_drive".into(),
            at: at(4),
            severity: Severity::High,
            alert_until: Some(at(10)),
            police_consent: true,
            reported_by: Some(her),
            recorded_by: worker(),
        }),
        RecordKind::Consent => serde_json::to_value(Consent {
            id,
            person_id: her,
            agency_id: "stars".into(),
            method: ConsentMethod::Written,
            taken_by: worker(),
            given_at: at(1),
            covers: vec![InfoCategory::Health],
            review_at: at(28),
            withdrawn_at: Some(at(20)),
        }),
        RecordKind::Referral => serde_json::to_value(Referral {
            id,
            person_id: her,
            agency_id: "stars".into(),
            needs: "Detox".into(),
            urgency: Urgency::Amber,
            consent_id: Uuid::from_u128(3),
            created_at: at(2),
            due_at: at(5),
            status: ReferralStatus::Sent,
            history: vec![StatusChange {
                status: ReferralStatus::Sent,
                at: at(2),
                by: "Sam".into(),
            }],
            recorded_by: worker(),
        }),
        RecordKind::Round => serde_json::to_value(Round {
            id,
            started_at: at(5),
            expected_end: at(6),
            check_in_minutes: 30,
            buddy: Some(TeamMember {
                worker_id: "w-ali".into(),
                display_name: "Ali".into(),
                role: Role::OutreachWorker,
            }),
            area_id: Some("york_road".into()),
            ended_at: Some(at(6)),
            recorded_by: worker(),
            watch: Some(RoundWatch {
                state: WatchState::Resolved,
                reason: MissedReason::CheckInOverdue,
                raised_at: at(5),
                last_heard_at: at(5),
                acknowledged_by: Some("Kim".into()),
                acknowledged_at: Some(at(5)),
                changed_at: at(6),
            }),
        }),
        RecordKind::CheckIn => serde_json::to_value(CheckIn {
            id,
            round_id: Some(Uuid::from_u128(4)),
            kind: CheckInKind::NeedHelp,
            made_at: at(5),
            area_id: Some("york_road".into()),
            alert_until: Some(at(6)),
            recorded_by: worker(),
        }),
    };
    match value.expect("a record serialises") {
        Value::Object(m) => m,
        other => panic!("{} serialised as {other}", kind.as_str()),
    }
}

/// Reads a body back as the kind's record type.
fn parses(kind: RecordKind, body: &Map<String, Value>) -> Result<(), serde_json::Error> {
    let v = Value::Object(body.clone());
    match kind {
        RecordKind::Person => serde_json::from_value::<Person>(v).map(drop),
        RecordKind::Contact => serde_json::from_value::<Contact>(v).map(drop),
        RecordKind::SupplyDrop => serde_json::from_value::<SupplyDrop>(v).map(drop),
        RecordKind::Concern => serde_json::from_value::<Concern>(v).map(drop),
        RecordKind::Consent => serde_json::from_value::<Consent>(v).map(drop),
        RecordKind::Referral => serde_json::from_value::<Referral>(v).map(drop),
        RecordKind::Round => serde_json::from_value::<Round>(v).map(drop),
        RecordKind::CheckIn => serde_json::from_value::<CheckIn>(v).map(drop),
    }
}

#[test]
fn every_serialised_field_of_every_kind_is_in_the_dictionary_and_nothing_else() {
    for kind in RecordKind::ALL {
        let serialised: BTreeSet<String> = full_example(kind).keys().cloned().collect();
        let listed: BTreeSet<String> = categories::fields_of(kind)
            .map(|e| e.field.to_owned())
            .collect();
        let missing: Vec<_> = serialised.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&serialised).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "{}: fields not in the dictionary {missing:?}; listed but not serialised {stale:?}",
            kind.as_str()
        );
    }
    assert_eq!(
        FIELDS.len(),
        RecordKind::ALL
            .iter()
            .map(|k| full_example(*k).len())
            .sum::<usize>()
    );
}

#[test]
fn every_kind_projected_to_nothing_or_to_one_category_still_reads_back() {
    let scopes: Vec<Vec<InfoCategory>> = std::iter::once(vec![])
        .chain(InfoCategory::ALL.iter().map(|c| vec![*c]))
        .collect();
    for kind in RecordKind::ALL {
        for allowed in &scopes {
            let mut body = full_example(kind);
            let removed = categories::project(kind, &mut body, allowed);
            if let Err(e) = parses(kind, &body) {
                panic!(
                    "{} projected to {allowed:?} (removed {removed:?}) does not read back: {e}",
                    kind.as_str()
                );
            }
        }
    }
    // Projected to nothing, her own information is gone from each record of hers.
    let mut contact = full_example(RecordKind::Contact);
    let removed = categories::project(RecordKind::Contact, &mut contact, &[]);
    assert_eq!(
        removed,
        [
            "area_id",
            "kind",
            "note",
            "safeguarding",
            "supplies",
            "wellbeing"
        ]
    );
    let mut person = full_example(RecordKind::Person);
    categories::project(RecordKind::Person, &mut person, &[]);
    let p: Person = serde_json::from_value(Value::Object(person)).unwrap();
    assert_eq!(
        (p.alias.as_str(), p.key_worker, p.birth_year),
        ("", None, None)
    );
}

#[test]
fn a_police_scope_of_safety_keeps_the_concern_and_drops_the_note() {
    let allowed = [InfoCategory::Safety];
    let mut concern = full_example(RecordKind::Concern);
    assert!(categories::project(RecordKind::Concern, &mut concern, &allowed).is_empty());
    let mut contact = full_example(RecordKind::Contact);
    let removed = categories::project(RecordKind::Contact, &mut contact, &allowed);
    assert!(removed.contains(&"note".to_owned()));
    assert!(contact.contains_key("safeguarding") && !contact.contains_key("note"));
}

fn any_kind() -> impl Strategy<Value = RecordKind> {
    (0..RecordKind::ALL.len()).prop_map(|i| RecordKind::ALL[i])
}

fn any_scope() -> impl Strategy<Value = Vec<InfoCategory>> {
    proptest::collection::vec(0..InfoCategory::ALL.len(), 0..12)
        .prop_map(|ix| ix.into_iter().map(|i| InfoCategory::ALL[i]).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random bodies (fields dropped, strangers added, values replaced) and
    /// random scopes: what is kept is allowed, and what is allowed is kept.
    #[test]
    fn projection_keeps_exactly_what_is_allowed(
        kind in any_kind(),
        drop_mask in any::<u32>(),
        drop_only_her_information in any::<bool>(),
        strangers in proptest::collection::vec("[a-z_]{1,14}", 0..4),
        replace_with in proptest::option::of("[ -~]{0,20}"),
        allowed in any_scope(),
    ) {
        let mut input = full_example(kind);
        let keys: Vec<String> = input.keys().cloned().collect();
        for (i, k) in keys.iter().enumerate() {
            let hers = matches!(categories::category_of(kind, k), Some(FieldClass::Category(_)));
            if drop_mask & (1 << (i % 32)) != 0 && (hers || !drop_only_her_information) {
                input.remove(k);
            } else if let Some(text) = &replace_with {
                if i % 3 == 0 {
                    input.insert(k.clone(), Value::String(text.clone()));
                }
            }
        }
        for s in &strangers {
            input.insert(s.clone(), Value::Bool(true));
        }
        let mut body = input.clone();
        let removed = categories::project(kind, &mut body, &allowed);

        for (k, v) in &body {
            let class = categories::category_of(kind, k);
            prop_assert!(class.is_some(), "kept a field the dictionary does not know: {}", k);
            if let Some(FieldClass::Category(c)) = class {
                prop_assert!(allowed.contains(&c), "kept {} of {:?} outside {:?}", k, c, allowed);
            }
            prop_assert_eq!(Some(v), input.get(k));
        }
        for (k, v) in &input {
            let allowed_here = categories::category_of(kind, k).is_some_and(|c| c.is_allowed(&allowed));
            if allowed_here {
                prop_assert_eq!(body.get(k), Some(v), "lost the allowed field {}", k);
            }
        }
        let mut expected: Vec<String> = input.keys().filter(|k| !body.contains_key(*k)).cloned().collect();
        expected.sort_unstable();
        prop_assert_eq!(&removed, &expected);
        prop_assert!(removed.windows(2).all(|w| w[0] < w[1]));

        // A record missing any of her information still reads back after projection.
        let frame_whole = categories::fields_of(kind)
            .filter(|e| !matches!(e.class, FieldClass::Category(_)))
            .all(|e| input.contains_key(e.field));
        if replace_with.is_none() && frame_whole {
            prop_assert!(parses(kind, &body).is_ok());
        }
    }
}

/// The kinds of organisation that may receive `c` with her consent, in words.
fn receivers(a: &SharingAgreement, c: InfoCategory) -> String {
    let (yes, no): (Vec<_>, Vec<_>) = OrganisationKind::ALL
        .into_iter()
        .partition(|k| a.may_receive(*k).contains(&c));
    let names =
        |ks: &[OrganisationKind]| ks.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ");
    if yes.is_empty() {
        "no other organisation".into()
    } else if no.is_empty() {
        "every kind of organisation".into()
    } else if no.len() < yes.len() {
        format!("every kind but {}", names(&no))
    } else {
        names(&yes)
    }
}

fn retention_of(a: &SharingAgreement, kind: RecordKind) -> String {
    let r = &a.retention;
    let plain = r.for_record(kind, false).expect("a validated schedule");
    let guarded = r.for_record(kind, true).expect("a validated schedule");
    match kind {
        RecordKind::Concern => format!("{} (a safeguarding record)", guarded.describe()),
        RecordKind::Contact if guarded != plain => format!(
            "{}; {} if it raised the under-18 flag",
            plain.describe(),
            guarded.describe()
        ),
        _ => plain.describe(),
    }
}

/// The text of docs/data-dictionary.md.
fn data_dictionary() -> String {
    use std::fmt::Write;
    let a = SharingAgreement::southend_example();
    let mut o = String::new();
    let w = &mut o;
    let _ = writeln!(w, "# Data dictionary\n");
    let _ = writeln!(
        w,
        "<!-- Generated by `NR_REGENERATE=1 cargo test -p nightround-core --test categories` \
         from core/src/domain/categories.rs and the example agreement \
         (core/src/domain/agreement.rs). Do not edit by hand: the test fails when \
         this file and the code disagree. -->\n"
    );
    let _ = writeln!(
        w,
        "Every field of every record Nightround keeps, the information category it \
         belongs to, who may receive it, and how long it is kept. Her consent is given \
         category by category, agency by agency; a viewer receives each record projected \
         to the categories her consents in force allow, and a field outside them is \
         **absent** (\"not shared with you\"), never blank.\n\n\
         \"Who may receive it\" and \"retention\" come from the **example** agreement \
         for Southend (`SharingAgreement::southend_example()`); a deployment's own \
         agreement replaces them. What one organisation may receive is always her \
         consent's scope *within* the agreement's: the agreement is the most, her \
         consent decides.\n"
    );
    let _ = writeln!(w, "## Classes\n");
    let _ = writeln!(
        w,
        "- **Structural**: keeps a record a record (its id, the link to her, its author, \
         its time, the terms a receiver needs). Never removed by the projection; whether \
         the record reaches a viewer at all is the policy table's decision \
         (`server/src/policy.rs`).\n\
         - **Operational**: about the service's own work, not about any woman (rounds, \
         check-ins, supplies left at a drop point). Outside her consent; kept within the \
         team by the policy table.\n\
         - **An information category**: about her; shared only as far as her consent and \
         the agreement allow.\n"
    );
    let _ = writeln!(w, "## Information categories\n");
    let _ = writeln!(
        w,
        "| category | wire name | meaning | may receive it with her consent | fields |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|");
    for c in InfoCategory::ALL {
        let fields: Vec<String> = FIELDS
            .iter()
            .filter(|e| e.class == FieldClass::Category(c))
            .map(|e| format!("`{}.{}`", e.kind.as_str(), e.field))
            .collect();
        let fields = if fields.is_empty() {
            "none yet (see below)".to_owned()
        } else {
            fields.join(", ")
        };
        let _ = writeln!(
            w,
            "| {} | `{}` | {} | {} | {} |",
            c.label(),
            c.as_str(),
            c.meaning(),
            receivers(&a, c),
            fields
        );
    }
    let unused: Vec<&str> = InfoCategory::ALL
        .into_iter()
        .filter(|c| !FIELDS.iter().any(|e| e.class == FieldClass::Category(*c)))
        .map(|c| c.label())
        .collect();
    if !unused.is_empty() {
        let _ = writeln!(
            w,
            "\nNo field belongs to {} yet: a consent may cover them (the referral form \
             asks), but today such information reaches a record only inside a free-text \
             note, which has its own category and travels only where her consent covers \
             free-text notes.",
            unused.join(", ")
        );
    }
    let _ = writeln!(w, "\n## Fields\n");
    let _ = writeln!(
        w,
        "| kind | field | class | meaning | who may receive it | retention (server) |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---|");
    for kind in RecordKind::ALL {
        let retention = retention_of(&a, kind);
        for e in categories::fields_of(kind) {
            let who = match e.class {
                FieldClass::Structural => "whoever receives the record".to_owned(),
                FieldClass::Operational => "her organisation's team".to_owned(),
                FieldClass::Category(c) => format!(
                    "the organisation that recorded it; with her consent, {}",
                    receivers(&a, c)
                ),
            };
            let _ = writeln!(
                w,
                "| {} | `{}` | {} | {} | {} | {} |",
                kind.as_str(),
                e.field,
                e.class.label(),
                e.meaning,
                who,
                retention
            );
        }
    }
    let _ = writeln!(w, "\n## Retention (example agreement)\n");
    let _ = writeln!(w, "| what | kept on the server |");
    let _ = writeln!(w, "|---|---|");
    for kind in RecordKind::ALL {
        let _ = writeln!(
            w,
            "| {} records | {} |",
            kind.as_str(),
            retention_of(&a, kind)
        );
    }
    let r = &a.retention;
    let _ = writeln!(
        w,
        "| safeguarding records (every concern; a contact that raised the under-18 flag) | {} |",
        r.safeguarding.describe()
    );
    let _ = writeln!(w, "| the audit chain | {} |", r.audit.describe());
    let _ = writeln!(
        w,
        "\nA phone keeps a record for {} days after the server has acknowledged it \
         (her open referrals and alerts in force stay longer). A consent is reviewed \
         with her every {} days. \"Her last contact\" is her most recent contact with \
         any service of the partnership; for a record linked to no one (an anonymous \
         contact or concern) the period counts from the record's own time.",
        r.phone_window_days, a.review_days
    );
    let _ = writeln!(w, "\n## Controllers (example agreement)\n");
    let _ = writeln!(w, "| organisation | id | kind | Article 6 | Article 9 |");
    let _ = writeln!(w, "|---|---|---|---|---|");
    for c in &a.controllers {
        let _ = writeln!(
            w,
            "| {} | `{}` | {} | {} | {} |",
            c.name,
            c.organisation_id,
            c.kind.label(),
            c.article6.citation(),
            c.article9.citation()
        );
    }
    o
}

#[test]
fn the_data_dictionary_in_docs_is_the_one_the_table_generates() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/data-dictionary.md");
    let generated = data_dictionary();
    if std::env::var_os("NR_REGENERATE").is_some() {
        std::fs::write(&path, &generated).expect("docs/data-dictionary.md written");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/data-dictionary.md is not what core/src/domain/categories.rs generates; \
         run `NR_REGENERATE=1 cargo test -p nightround-core --test categories` and commit it"
    );
}
