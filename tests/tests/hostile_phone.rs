//! The hostile phone (issue 9): an enrolled device of every role and
//! relation sends hand-made pushes (forged identities, other people's
//! records, far-future and overflowing versions, values its own app would
//! refuse, consents and check-ins on records it does not hold) to a real
//! server on loopback. Each is refused (or, for a receiving agency's copy of
//! a referral, neutralised), and what every viewer pulls is unchanged.
//!
//! The property test then mixes random legitimate and hostile changes and
//! checks that every viewer pulls exactly what a second server, given only
//! the legitimate changes, lets it pull: the policy applied to the
//! legitimately authored records alone.

use chrono::TimeZone;
use nightround_core::clock::{Clock, ManualClock};
use nightround_core::domain::*;
use nightround_core::sync::protocol::{
    Ack, AckStatus, Change, EnrolRequest, EnrolResponse, PullResponse, PushRequest, PushResponse,
    RejectCode, PROTOCOL_VERSION,
};
use nightround_core::Timestamp;
use nightround_e2e::harness::TestServer;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use uuid::Uuid;

fn start_time() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 2, 21, 0, 0)
        .single()
        .expect("a time")
}

/// label, organisation, role, agency. `oa` writes the records the others
/// attack: `oa` is the record's own author, `oa2` and `sa` her organisation,
/// `ob` and `sb` another organisation, `p1` the police, `harp` the agency a
/// referral is addressed to, `stars` another agency.
const DEVICES: &[(&str, &str, Role, Option<&str>)] = &[
    ("oa", "Aspirations", Role::OutreachWorker, None),
    ("oa2", "Aspirations", Role::OutreachWorker, None),
    ("sa", "Aspirations", Role::Supervisor, None),
    ("ob", "Other Outreach", Role::OutreachWorker, None),
    ("sb", "Other Outreach", Role::Supervisor, None),
    ("p1", "Essex Police", Role::PoliceOfficer, None),
    ("harp", "HARP", Role::ReceivingAgency, Some("harp")),
    ("stars", "STARS", Role::ReceivingAgency, Some("stars")),
];

/// A phone that sends whatever it likes.
struct Phone {
    token: String,
    identity: WorkerIdentity,
    node: String,
}

/// A real server with one enrolled phone per [`DEVICES`] row.
struct Net {
    server: TestServer,
    http: reqwest::blocking::Client,
    phones: BTreeMap<&'static str, Phone>,
    now: Timestamp,
}

impl Net {
    fn start() -> Net {
        let clock = Arc::new(ManualClock::new(start_time()));
        let server = TestServer::start_with_clock(false, Some(clock.clone()));
        let http = reqwest::blocking::Client::new();
        let mut phones = BTreeMap::new();
        for (label, org, role, agency) in DEVICES {
            let admin = server.admin();
            let org = match admin.find_organisation(org) {
                Ok(o) => o,
                Err(_) => admin.create_organisation(org).expect("an organisation"),
            };
            let worker = admin
                .create_worker(&org.id, label, *role, *agency)
                .expect("a worker");
            let code = admin.create_enrolment_code(&worker.id).expect("a code");
            let resp: EnrolResponse = http
                .post(format!("{}/v1/enrol", server.url()))
                .json(&EnrolRequest {
                    protocol: PROTOCOL_VERSION,
                    code: code.code,
                    device_name: format!("{label}'s phone"),
                })
                .send()
                .expect("enrol")
                .json()
                .expect("an enrolment");
            phones.insert(
                *label,
                Phone {
                    token: resp.token,
                    identity: resp.identity,
                    node: format!("n{label}"),
                },
            );
        }
        Net {
            server,
            http,
            phones,
            now: clock.now(),
        }
    }

    fn phone(&self, label: &str) -> &Phone {
        &self.phones[label]
    }

    fn me(&self, label: &str) -> WorkerIdentity {
        self.phone(label).identity.clone()
    }

    /// A version from `label`'s clock, `step` milliseconds into the ten
    /// minutes before the server's time (so always within the skew).
    fn version(&self, label: &str, step: u32) -> String {
        let ms = self.now.timestamp_millis() - 600_000 + i64::from(step);
        format!("{ms:013}-00000-{}", self.phone(label).node)
    }

    fn push(&self, label: &str, changes: Vec<Change>) -> Vec<Ack> {
        let req = PushRequest {
            protocol: PROTOCOL_VERSION,
            batch_id: Uuid::now_v7(),
            changes,
        };
        let resp = self
            .http
            .post(format!("{}/v1/push", self.server.url()))
            .bearer_auth(&self.phone(label).token)
            .json(&req)
            .send()
            .expect("push");
        assert!(
            resp.status().is_success(),
            "push answered {}",
            resp.status()
        );
        let body: PushResponse = resp.json().expect("a push response");
        assert_eq!(body.acks.len(), req.changes.len());
        body.acks
    }

    fn push_one(&self, label: &str, change: Change) -> Ack {
        self.push(label, vec![change]).remove(0)
    }

    /// Everything `label` pulls, worker ids replaced by labels so that two
    /// servers (with their own random worker ids) compare.
    fn pulled(&self, label: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut cursor = 0;
        loop {
            let page: PullResponse = self
                .http
                .get(format!(
                    "{}/v1/pull?cursor={cursor}&limit=500&directory_revision={}&protocol={PROTOCOL_VERSION}",
                    self.server.url(),
                    u32::MAX
                ))
                .bearer_auth(&self.phone(label).token)
                .send()
                .expect("pull")
                .json()
                .expect("a pull page");
            for p in page.changes {
                let c = p.change;
                let mut line = format!(
                    "{}|{}|{}|{}|{}",
                    c.kind.as_str(),
                    c.id,
                    c.version,
                    c.tombstone,
                    c.body.map(|b| b.to_string()).unwrap_or_default()
                );
                for (l, phone) in &self.phones {
                    line = line.replace(&phone.identity.worker_id, &format!("worker:{l}"));
                }
                out.insert(line);
            }
            cursor = page.next_cursor;
            if !page.more {
                return out;
            }
        }
    }

    /// What every device pulls.
    fn views(&self) -> BTreeMap<&'static str, BTreeSet<String>> {
        self.phones.keys().map(|l| (*l, self.pulled(l))).collect()
    }

    /// The stored records, row by row (a sealed body is re-sealed with a
    /// fresh nonce on any write, so equal rows mean untouched records).
    fn records(&self) -> Vec<String> {
        let db = rusqlite::Connection::open(self.server.database()).expect("the database");
        let mut st = db
            .prepare("SELECT id, kind, version, seq, tombstone, hex(body) FROM records ORDER BY id")
            .expect("a query");
        st.query_map([], |r| {
            Ok(format!(
                "{}|{}|{}|{}|{}|{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, Option<String>>(5)?.unwrap_or_default()
            ))
        })
        .expect("rows")
        .map(|r| r.expect("a row"))
        .collect()
    }
}

fn change(kind: RecordKind, version: String, body: Value) -> Change {
    let id = body["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .expect("a body with an id");
    Change::new(kind, id, version, false, Some(body))
}

fn tombstone(kind: RecordKind, id: Uuid, version: String) -> Change {
    Change::new(kind, id, version, true, None)
}

macro_rules! to_json {
    ($v:expr) => {
        serde_json::to_value($v).expect("a body")
    };
}

/// A valid body of `kind` by `by`, naming `person` where the kind names a
/// woman, `round` for a check-in, `consent` for a referral. (One builder for
/// every kind keeps the attack loops one line per attack.)
#[allow(clippy::too_many_arguments)]
fn body(
    kind: RecordKind,
    id: Uuid,
    by: &WorkerIdentity,
    now: Timestamp,
    person: Uuid,
    agency: &str,
    consent: Uuid,
    round: Option<Uuid>,
) -> Value {
    let lines = vec![SupplyLine {
        item_id: "condoms".into(),
        quantity: 5,
    }];
    match kind {
        RecordKind::Person => to_json!(&Person {
            id,
            alias: "Jade".into(),
            description: None,
            birth_year: Some(1995),
            registered_with_outreach: true,
            prefers_female_worker: true,
            key_worker: None,
            created_at: now,
            updated_at: now,
            recorded_by: by.clone(),
        }),
        RecordKind::Contact => to_json!(&Contact {
            id,
            person_id: Some(person),
            at: now,
            area_id: "york_road".into(),
            kind: if by.role == Role::PoliceOfficer {
                ContactKind::PoliceWelfareCheck
            } else {
                ContactKind::OutreachConversation
            },
            wellbeing: vec![],
            note: Some("says partner hits her; STARS only".into()),
            supplies: lines,
            safeguarding: None,
            recorded_by: by.clone(),
        }),
        RecordKind::SupplyDrop => to_json!(&SupplyDrop {
            id,
            at: now,
            area_id: "york_road".into(),
            purpose: SupplyPurpose::RestockDropPoint,
            lines,
            recorded_by: by.clone(),
        }),
        RecordKind::Concern => to_json!(&Concern {
            id,
            category: ConcernCategory::DangerousVehicle,
            description: "Silver hatchback".into(),
            vehicle: None,
            area_id: "ambleside_drive".into(),
            at: now,
            severity: Severity::High,
            alert_until: Some(now + chrono::Duration::days(2)),
            police_consent: false,
            reported_by: Some(person),
            recorded_by: by.clone(),
        }),
        RecordKind::Consent => to_json!(&Consent {
            id,
            person_id: person,
            agency_id: agency.into(),
            method: ConsentMethod::Verbal,
            taken_by: by.clone(),
            given_at: now,
            covers: vec![InfoCategory::ContactDetails],
            review_at: now + chrono::Duration::days(90),
            withdrawn_at: None,
        }),
        RecordKind::Referral => to_json!(&Referral {
            id,
            person_id: person,
            agency_id: agency.into(),
            needs: "Somewhere safe tonight".into(),
            urgency: Urgency::Red,
            consent_id: consent,
            created_at: now,
            due_at: now + chrono::Duration::hours(24),
            status: ReferralStatus::Sent,
            history: vec![],
            recorded_by: by.clone(),
        }),
        RecordKind::Round => to_json!(&Round {
            id,
            started_at: now,
            expected_end: now + chrono::Duration::hours(3),
            check_in_minutes: 30,
            buddy: None,
            area_id: Some("york_road".into()),
            ended_at: None,
            recorded_by: by.clone(),
            watch: None,
        }),
        RecordKind::CheckIn => to_json!(&CheckIn {
            id,
            round_id: round,
            kind: CheckInKind::AllRight,
            made_at: now,
            area_id: Some("york_road".into()),
            alert_until: None,
            recorded_by: by.clone(),
        }),
    }
}

/// A field each kind may change, and a valid new value for it.
fn edit_field(kind: RecordKind) -> (&'static str, Value) {
    match kind {
        RecordKind::Person => ("alias", json!("Jay")),
        RecordKind::Contact => ("note", json!("changed")),
        RecordKind::SupplyDrop => ("area_id", json!("ambleside_drive")),
        RecordKind::Concern => ("description", json!("changed")),
        RecordKind::Consent => ("method", json!("written")),
        RecordKind::Referral => ("needs", json!("changed")),
        RecordKind::Round => ("area_id", json!("ambleside_drive")),
        RecordKind::CheckIn => ("area_id", json!("ambleside_drive")),
    }
}

/// A value the phone's own validation refuses, per kind (issue 9, item 5).
fn invalid(kind: RecordKind, mut b: Value) -> Value {
    let big = json!("x".repeat(60 * 1024));
    match kind {
        RecordKind::Person => b["birth_year"] = json!(-999_999),
        RecordKind::Contact => b["area_id"] = json!("mars"),
        RecordKind::SupplyDrop => b["lines"] = json!([]),
        RecordKind::Concern => b["alert_until"] = json!("9999-12-31T00:00:00Z"),
        RecordKind::Consent => b["agency_id"] = json!("nowhere"),
        RecordKind::Referral => b["needs"] = big,
        RecordKind::Round => b["check_in_minutes"] = json!(0),
        RecordKind::CheckIn => b["made_at"] = json!("2999-01-01T00:00:00Z"),
    }
    b
}

/// What `oa` (Aspirations) legitimately recorded: one record of each kind,
/// Jade's consents to the police and to HARP, a referral to HARP.
struct World {
    jade: Uuid,
    round: Uuid,
    bodies: BTreeMap<RecordKind, Value>,
}

fn legit_world(net: &Net) -> World {
    let oa = net.me("oa");
    let now = net.now;
    let jade = Uuid::now_v7();
    let round = Uuid::now_v7();
    let police_consent = Uuid::now_v7();
    let mut bodies = BTreeMap::new();
    let mut changes = Vec::new();
    let mut step = 0;
    for kind in RecordKind::ALL {
        let id = match kind {
            RecordKind::Person => jade,
            RecordKind::Round => round,
            _ => Uuid::now_v7(),
        };
        let b = body(kind, id, &oa, now, jade, "harp", id, Some(round));
        step += 1;
        changes.push(change(kind, net.version("oa", step), b.clone()));
        bodies.insert(kind, b);
    }
    // The referral names the HARP consent.
    let consent_id = bodies[&RecordKind::Consent]["id"].clone();
    let referral = bodies.get_mut(&RecordKind::Referral).expect("a referral");
    referral["consent_id"] = consent_id;
    let r = referral.clone();
    for c in changes
        .iter_mut()
        .filter(|c| c.kind == RecordKind::Referral)
    {
        c.body = Some(r.clone());
    }
    // Person first, round before its check-in: ALL's order.
    step += 1;
    changes.push(change(
        RecordKind::Consent,
        net.version("oa", step),
        body(
            RecordKind::Consent,
            police_consent,
            &oa,
            now,
            jade,
            "essex_police",
            police_consent,
            None,
        ),
    ));
    for ack in net.push("oa", changes) {
        assert_eq!(ack.status, AckStatus::Applied, "{ack:?}");
    }
    World {
        jade,
        round,
        bodies,
    }
}

/// Writers that may legitimately edit or delete `oa`'s record of `kind`.
fn may_edit(kind: RecordKind, writer: &str) -> bool {
    let own_org = ["oa", "oa2", "sa"].contains(&writer);
    match kind {
        RecordKind::Person | RecordKind::Consent | RecordKind::Referral => own_org,
        _ => writer == "oa",
    }
}

#[test]
fn every_kind_role_and_relation_is_refused_and_changes_no_view() {
    let net = Net::start();
    let world = legit_world(&net);
    let views = net.views();
    let records = net.records();
    assert!(
        views["p1"]
            .iter()
            .any(|l| l.contains(&world.jade.to_string())),
        "the police see Jade through her consent"
    );
    let mut step = 1000;
    let mut next = |net: &Net, label: &str| {
        step += 1;
        net.version(label, step)
    };
    let mut refused = 0;
    let mut neutralised = 0;
    let mut codes = BTreeSet::new();
    let mut expect_refused = |what: &str, ack: Ack| {
        assert_eq!(ack.status, AckStatus::Rejected, "{what}: {ack:?}");
        let code = ack.code.expect("a rejected ack has a code");
        let reason = ack.reason.unwrap_or_default();
        assert!(!reason.is_empty(), "{what}");
        assert!(
            !reason.contains("partner") && !reason.contains("Jade"),
            "{what}: a reason quotes the body"
        );
        codes.insert(code.as_str());
        refused += 1;
    };
    for kind in RecordKind::ALL {
        let target = &world.bodies[&kind];
        let target_id = Uuid::parse_str(target["id"].as_str().unwrap_or_default()).unwrap();
        let id_field = if kind == RecordKind::Consent {
            "taken_by"
        } else {
            "recorded_by"
        };
        for (writer, _, _, _) in DEVICES {
            let me = net.me(writer);
            let what = |s: &str| format!("{writer} {s} {}", kind.as_str());
            // 1. An edit of oa's record under the writer's own identity (or,
            //    for oa, a forged one: "PC Reed, Essex Police").
            let mut edit = target.clone();
            let (field, value) = edit_field(kind);
            edit[field] = value;
            edit[id_field] = if *writer == "oa" {
                to_json!(&WorkerIdentity {
                    display_name: "PC Reed".into(),
                    organisation: "Essex Police".into(),
                    role: Role::PoliceOfficer,
                    ..me.clone()
                })
            } else {
                to_json!(&me)
            };
            let ack = net.push_one(writer, change(kind, next(&net, writer), edit));
            if *writer == "harp"
                && kind == RecordKind::Referral
                && ack.status != AckStatus::Rejected
            {
                // The agency's copy is ignored but for its status move.
                assert_eq!(ack.status, AckStatus::Merged, "{ack:?}");
                neutralised += 1;
            } else {
                expect_refused(&what("edits"), ack);
            }
            // 2. Deleting it.
            if !may_edit(kind, writer) {
                let ack = net.push_one(writer, tombstone(kind, target_id, next(&net, writer)));
                expect_refused(&what("deletes"), ack);
            }
            // 3. A new record under someone else's identity.
            let forged = if *writer == "oa" {
                WorkerIdentity {
                    display_name: "Someone".into(),
                    ..me.clone()
                }
            } else {
                net.me("oa")
            };
            let b = body(
                kind,
                Uuid::now_v7(),
                &forged,
                net.now,
                world.jade,
                "harp",
                Uuid::now_v7(),
                Some(world.round),
            );
            let ack = net.push_one(writer, change(kind, next(&net, writer), b));
            expect_refused(&what("forges an identity on a new"), ack);
            // 4. Far-future and overflowing versions, its own identity.
            for version in ["9999999999999-99999-zz", "9223372036854775807-99999-zz"] {
                let b = body(
                    kind,
                    Uuid::now_v7(),
                    &me,
                    net.now,
                    world.jade,
                    "harp",
                    Uuid::now_v7(),
                    Some(world.round),
                );
                let ack = net.push_one(writer, change(kind, version.into(), b));
                assert!(
                    matches!(
                        ack.code,
                        Some(RejectCode::ClockAhead | RejectCode::Malformed)
                    ),
                    "{ack:?}"
                );
                expect_refused(&what("sends a far-future"), ack);
            }
            // 5. Relations: her consent, her referral, a contact or concern
            //    naming her, a check-in on oa's round, by anyone but her
            //    organisation (the police may name her in their own record;
            //    oa may check in on her own round).
            let names_her = match kind {
                RecordKind::Consent | RecordKind::Referral => !may_edit(kind, writer),
                RecordKind::Contact | RecordKind::Concern => {
                    !may_edit(RecordKind::Person, writer) && *writer != "p1"
                }
                RecordKind::CheckIn => *writer != "oa",
                _ => false,
            };
            if names_her {
                let b = body(
                    kind,
                    Uuid::now_v7(),
                    &me,
                    net.now,
                    world.jade,
                    "harp",
                    Uuid::now_v7(),
                    Some(world.round),
                );
                let ack = net.push_one(writer, change(kind, next(&net, writer), b));
                expect_refused(&what("names her in a"), ack);
            }
        }
        // 6. What oa's own app would refuse.
        let b = invalid(
            kind,
            body(
                kind,
                Uuid::now_v7(),
                &net.me("oa"),
                net.now,
                world.jade,
                "harp",
                Uuid::now_v7(),
                Some(world.round),
            ),
        );
        let ack = net.push_one("oa", change(kind, next(&net, "oa"), b));
        assert_eq!(ack.code, Some(RejectCode::Invalid), "{ack:?}");
        expect_refused(&format!("oa sends an invalid {}", kind.as_str()), ack);
    }
    // 7. Another agency moves HARP's referral; HARP rewrites its history.
    let mut moved = world.bodies[&RecordKind::Referral].clone();
    moved["status"] = json!("accepted");
    let ack = net.push_one(
        "stars",
        change(RecordKind::Referral, next(&net, "stars"), moved.clone()),
    );
    expect_refused("stars moves HARP's referral", ack);
    moved["history"] = json!([
        {"status": "sent", "at": "2025-01-01T00:00:00Z", "by": "oa"},
        {"status": "accepted", "at": "2025-01-02T00:00:00Z", "by": "oa"}
    ]);
    let ack = net.push_one(
        "harp",
        change(RecordKind::Referral, next(&net, "harp"), moved),
    );
    assert_eq!(ack.code, Some(RejectCode::HistoryNotAppendOnly), "{ack:?}");
    expect_refused("harp rewrites the history", ack);

    // 8. A contact under the id of her person record; a round that carries
    //    the server's watch.
    let oa = net.me("oa");
    let mut other_kind = world.bodies[&RecordKind::Contact].clone();
    other_kind["id"] = json!(world.jade);
    let ack = net.push_one(
        "oa",
        change(RecordKind::Contact, next(&net, "oa"), other_kind),
    );
    assert_eq!(ack.code, Some(RejectCode::KindMismatch), "{ack:?}");
    expect_refused("oa reuses an id for another kind", ack);
    let mut watched = body(
        RecordKind::Round,
        Uuid::now_v7(),
        &oa,
        net.now,
        world.jade,
        "harp",
        world.jade,
        None,
    );
    watched["watch"] = to_json!(&RoundWatch {
        state: WatchState::HeardFromAgain,
        reason: MissedReason::CheckInOverdue,
        raised_at: net.now,
        last_heard_at: net.now,
        acknowledged_by: None,
        acknowledged_at: None,
        changed_at: net.now,
    });
    let ack = net.push_one("oa", change(RecordKind::Round, next(&net, "oa"), watched));
    assert_eq!(ack.code, Some(RejectCode::ServerOwnedField), "{ack:?}");
    expect_refused("oa writes a watch", ack);
    assert_eq!(
        codes.len(),
        RejectCode::ALL.len(),
        "every refusal reason was met: {codes:?}"
    );

    assert_eq!(net.views(), views, "no viewer's pulled set changed");
    // Not even the neutralised copy rewrote a record.
    assert_eq!(net.records(), records, "no record was rewritten");
    println!("hostile phone: {refused} refused, {neutralised} neutralised, codes {codes:?}");
    assert!(refused > 150);
}

/// One step of a random session.
#[derive(Debug, Clone)]
enum Op {
    /// Organisation `org` (0: Aspirations by oa, 1: Other Outreach by ob)
    /// records a woman.
    Person { org: usize },
    /// Her organisation records consent for woman `who` to agency `agency`.
    Consent { who: usize, agency: usize },
    /// Her organisation refers woman `who` to `agency` (needs a consent).
    Referral { who: usize, agency: usize },
    /// Her organisation records a contact with woman `who`.
    Contact { who: usize },
    /// Her organisation edits woman `who`'s alias.
    Edit { who: usize },
    /// Hostile: device `attacker` consents or refers for woman `who`.
    ForeignConsent {
        attacker: usize,
        who: usize,
        agency: usize,
    },
    /// Hostile: device `attacker` edits or deletes woman `who`'s record.
    ForeignEdit {
        attacker: usize,
        who: usize,
        delete: bool,
    },
    /// Hostile: woman `who`'s own organisation forges an identity, a
    /// far-future version or an invalid value on her record.
    Forged { who: usize, how: usize },
}

const AGENCIES: [&str; 3] = ["essex_police", "harp", "stars"];
const ORG_WRITERS: [&str; 2] = ["oa", "ob"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize).prop_map(|org| Op::Person { org }),
        (0..6usize, 0..3usize).prop_map(|(who, agency)| Op::Consent { who, agency }),
        (0..6usize, 0..3usize).prop_map(|(who, agency)| Op::Referral { who, agency }),
        (0..6usize).prop_map(|who| Op::Contact { who }),
        (0..6usize).prop_map(|who| Op::Edit { who }),
        (0..DEVICES.len(), 0..6usize, 0..3usize).prop_map(|(attacker, who, agency)| {
            Op::ForeignConsent {
                attacker,
                who,
                agency,
            }
        }),
        (0..DEVICES.len(), 0..6usize, any::<bool>()).prop_map(|(attacker, who, delete)| {
            Op::ForeignEdit {
                attacker,
                who,
                delete,
            }
        }),
        (0..6usize, 0..3usize).prop_map(|(who, how)| Op::Forged { who, how }),
    ]
}

/// What the legitimate side of a session has made so far, identical on
/// both servers (ids and versions come from the session, not the server).
#[derive(Default)]
struct Made {
    /// (id, writer label, body) of each woman.
    women: Vec<(Uuid, &'static str, Value)>,
    /// Consent ids by (woman, agency).
    consents: BTreeMap<(usize, usize), Uuid>,
    ids: u128,
    step: u32,
}

impl Made {
    fn id(&mut self) -> Uuid {
        self.ids += 1;
        Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | self.ids)
    }
}

/// Runs `ops` on `net`; hostile ones only when `hostile`. Legitimate
/// changes must be applied; hostile ones must be refused.
fn run(net: &Net, ops: &[Op], hostile: bool) {
    let mut made = Made::default();
    for op in ops {
        made.step += 1;
        let step = made.step;
        match op {
            Op::Person { org } => {
                let writer = ORG_WRITERS[*org];
                let id = made.id();
                let b = body(
                    RecordKind::Person,
                    id,
                    &net.me(writer),
                    net.now,
                    id,
                    "harp",
                    id,
                    None,
                );
                let ack = net.push_one(
                    writer,
                    change(RecordKind::Person, net.version(writer, step), b.clone()),
                );
                assert_eq!(ack.status, AckStatus::Applied, "{ack:?}");
                made.women.push((id, writer, b));
            }
            Op::Consent { who, agency } | Op::Referral { who, agency } => {
                let Some((woman, writer, _)) = made.women.get(*who).cloned() else {
                    continue;
                };
                let is_consent = matches!(op, Op::Consent { .. });
                let consent = made.consents.get(&(*who, *agency)).copied();
                if !is_consent && consent.is_none() {
                    continue;
                }
                let id = made.id();
                let kind = if is_consent {
                    RecordKind::Consent
                } else {
                    RecordKind::Referral
                };
                let b = body(
                    kind,
                    id,
                    &net.me(writer),
                    net.now,
                    woman,
                    AGENCIES[*agency],
                    consent.unwrap_or(id),
                    None,
                );
                let ack = net.push_one(writer, change(kind, net.version(writer, step), b));
                assert_eq!(ack.status, AckStatus::Applied, "{ack:?}");
                if is_consent {
                    made.consents.insert((*who, *agency), id);
                }
            }
            Op::Contact { who } => {
                let Some((woman, writer, _)) = made.women.get(*who).cloned() else {
                    continue;
                };
                let id = made.id();
                let b = body(
                    RecordKind::Contact,
                    id,
                    &net.me(writer),
                    net.now,
                    woman,
                    "harp",
                    id,
                    None,
                );
                let ack = net.push_one(
                    writer,
                    change(RecordKind::Contact, net.version(writer, step), b),
                );
                assert_eq!(ack.status, AckStatus::Applied, "{ack:?}");
            }
            Op::Edit { who } => {
                let Some((_, writer, b)) = made.women.get_mut(*who) else {
                    continue;
                };
                b["alias"] = json!(format!("Jade {step}"));
                let (writer, b) = (*writer, b.clone());
                let ack = net.push_one(
                    writer,
                    change(RecordKind::Person, net.version(writer, step), b),
                );
                assert_eq!(ack.status, AckStatus::Applied, "{ack:?}");
            }
            _ if !hostile => {}
            Op::ForeignConsent {
                attacker,
                who,
                agency,
            } => {
                let Some((woman, holder, _)) = made.women.get(*who).cloned() else {
                    continue;
                };
                let attacker = DEVICES[*attacker].0;
                let same_org = DEVICES.iter().find(|d| d.0 == attacker).map(|d| d.1)
                    == DEVICES.iter().find(|d| d.0 == holder).map(|d| d.1);
                if same_org {
                    continue;
                }
                let me = net.me(attacker);
                for kind in [RecordKind::Consent, RecordKind::Referral] {
                    let id = Uuid::now_v7();
                    let b = body(kind, id, &me, net.now, woman, AGENCIES[*agency], id, None);
                    let ack = net.push_one(attacker, change(kind, net.version(attacker, step), b));
                    assert_eq!(ack.status, AckStatus::Rejected, "{ack:?}");
                }
            }
            Op::ForeignEdit {
                attacker,
                who,
                delete,
            } => {
                let Some((woman, holder, b)) = made.women.get(*who).cloned() else {
                    continue;
                };
                let attacker = DEVICES[*attacker].0;
                let org = |l: &str| DEVICES.iter().find(|d| d.0 == l).map(|d| d.1);
                if org(attacker) == org(holder) {
                    continue;
                }
                let v = net.version(attacker, step);
                let c = if *delete {
                    tombstone(RecordKind::Person, woman, v)
                } else {
                    let mut b = b;
                    b["alias"] = json!("taken over");
                    change(RecordKind::Person, v, b)
                };
                let ack = net.push_one(attacker, c);
                assert_eq!(ack.status, AckStatus::Rejected, "{ack:?}");
            }
            Op::Forged { who, how } => {
                let Some((_, holder, b)) = made.women.get(*who).cloned() else {
                    continue;
                };
                let mut b = b;
                b["alias"] = json!("forged");
                let version = match how {
                    0 => {
                        b["recorded_by"]["display_name"] = json!("PC Reed");
                        net.version(holder, step)
                    }
                    1 => "9999999999999-99999-zz".into(),
                    _ => {
                        b["birth_year"] = json!(-999_999);
                        net.version(holder, step)
                    }
                };
                let ack = net.push_one(holder, change(RecordKind::Person, version, b));
                assert_eq!(ack.status, AckStatus::Rejected, "{ack:?}");
            }
        }
    }
}

proptest! {
    // Each case starts two servers and enrols sixteen phones: a few cases
    // keep the whole property under a minute on two cores.
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_viewer_pulls_what_the_legitimate_records_allow(
        ops in proptest::collection::vec(op(), 4..24)
    ) {
        let attacked = Net::start();
        let reference = Net::start();
        run(&attacked, &ops, true);
        run(&reference, &ops, false);
        for (label, view) in attacked.views() {
            prop_assert_eq!(&view, &reference.pulled(label), "{} pulls more or less", label);
        }
    }
}
