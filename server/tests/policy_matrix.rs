//! The policy table walked end to end: real devices of every role, enrolled
//! through the API, push real records of every kind; each device's pull is
//! compared with the expected matrix below, written once as data. The
//! matrix is also checked against `policy::SEE_TABLE` (a role the table
//! shows nothing of a kind must see none of it), and the table against the
//! protocol document (in `policy.rs`).

mod common;

use common::*;
use nightround_core::domain::{ContactKind, RecordKind, ReferralStatus, Role};
use nightround_core::sync::protocol::{AckStatus, Change};
use nightround_server::policy::{self, Sees, Writes};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// label, organisation, role, agency
const DEVICES: &[(&str, &str, Role, Option<&str>)] = &[
    ("oa", "Aspirations", Role::OutreachWorker, None),
    ("oa2", "Aspirations", Role::OutreachWorker, None),
    ("sa", "Aspirations", Role::Supervisor, None),
    // "Vineyard": its organisation id is its directory agency id, `vineyard`.
    ("ob", "Vineyard", Role::OutreachWorker, None),
    ("sb", "Vineyard", Role::Supervisor, None),
    ("p1", "Essex Police", Role::PoliceOfficer, None),
    ("p2", "Essex Police", Role::PoliceOfficer, None),
    ("harp", "HARP", Role::ReceivingAgency, Some("harp")),
    ("stars", "STARS", Role::ReceivingAgency, Some("stars")),
];

const ASPIRATIONS: &[&str] = &["oa", "oa2", "sa"];

/// Who sees each record (besides, for records of Aspirations, every
/// Aspirations device: `own` below adds them where marked).
///
/// record label, kind, seen by Aspirations' devices, seen by these others
const EXPECTED: &[(&str, RecordKind, bool, &[&str])] = &[
    // Jade: consent to the police, to HARP and to The Vineyard (shared
    // profile: its outreach workers and supervisors see her and her
    // history, projected), referred to the police and HARP.
    (
        "jade",
        RecordKind::Person,
        true,
        &["p1", "p2", "harp", "ob", "sb"],
    ),
    // Kim: her police consent is withdrawn, her STARS consent past review;
    // referred to HARP without any consent to HARP; her consent to The
    // Vineyard is withdrawn.
    ("kim", RecordKind::Person, true, &[]),
    ("lou", RecordKind::Person, false, &["ob", "sb"]),
    (
        "k_oa_jade",
        RecordKind::Contact,
        true,
        &["p1", "p2", "ob", "sb"],
    ),
    ("k_oa2_anon", RecordKind::Contact, true, &[]),
    ("k_ob_lou", RecordKind::Contact, false, &["ob", "sb"]),
    (
        "k_p1_jade",
        RecordKind::Contact,
        false,
        &["p1", "p2", "ob", "sb"],
    ),
    ("k_p1_anon", RecordKind::Contact, false, &["p1"]),
    ("k_p2_kim", RecordKind::Contact, false, &["p2"]),
    ("s_oa", RecordKind::SupplyDrop, true, &[]),
    ("s_ob", RecordKind::SupplyDrop, false, &["ob", "sb"]),
    ("s_p1", RecordKind::SupplyDrop, false, &["p1"]),
    ("q_oa_plain", RecordKind::Concern, true, &[]),
    (
        "q_oa_alert",
        RecordKind::Concern,
        true,
        &["ob", "sb", "p1", "p2"],
    ),
    (
        "q_ob_alert",
        RecordKind::Concern,
        true,
        &["ob", "sb", "p1", "p2"],
    ),
    ("q_ob_expired", RecordKind::Concern, false, &["ob", "sb"]),
    // An alert without her agreement to tell the police stays off their phones.
    (
        "q_ob_alert_no_police",
        RecordKind::Concern,
        true,
        &["ob", "sb"],
    ),
    // An alert naming Lou: the police get it without her id (below).
    (
        "q_ob_alert_lou",
        RecordKind::Concern,
        true,
        &["ob", "sb", "p1", "p2"],
    ),
    ("q_p1_plain", RecordKind::Concern, false, &["p1"]),
    ("c_jade_police", RecordKind::Consent, true, &["p1", "p2"]),
    ("c_jade_harp", RecordKind::Consent, true, &["harp"]),
    // Consents no longer in force are not sent (protocol version 2: a
    // withdrawal reaches the phones that had it as a retraction).
    ("c_kim_police_withdrawn", RecordKind::Consent, true, &[]),
    ("c_kim_stars_expired", RecordKind::Consent, true, &[]),
    // A consent to another organisation of the partnership opens her
    // record to it; the consent record itself stays with her organisation.
    ("c_jade_vineyard", RecordKind::Consent, true, &[]),
    ("c_kim_vineyard_withdrawn", RecordKind::Consent, true, &[]),
    (
        "r_jade_harp",
        RecordKind::Referral,
        true,
        &["harp", "ob", "sb"],
    ),
    (
        "r_jade_police",
        RecordKind::Referral,
        true,
        &["p1", "p2", "ob", "sb"],
    ),
    ("r_kim_stars", RecordKind::Referral, true, &[]),
    ("r_kim_harp", RecordKind::Referral, true, &[]),
    // Lone-worker rounds and check-ins: her organisation's, and a help call
    // for the whole team (a round raised as missed is walked in watchdog.rs).
    ("w_oa_round", RecordKind::Round, true, &[]),
    ("w_p1_round", RecordKind::Round, false, &["p1"]),
    ("h_oa_ok", RecordKind::CheckIn, true, &[]),
    ("h_p1_ok", RecordKind::CheckIn, false, &["p1"]),
    (
        "h_ob_help",
        RecordKind::CheckIn,
        true,
        &["ob", "sb", "p1", "p2"],
    ),
];

fn expected_viewers(entry: &(&str, RecordKind, bool, &[&str])) -> BTreeSet<&'static str> {
    let (_, _, aspirations, others) = *entry;
    let mut set: BTreeSet<&'static str> = BTreeSet::new();
    if aspirations {
        set.extend(ASPIRATIONS.iter().copied());
    }
    for o in others {
        let label = DEVICES.iter().find(|d| d.0 == *o).unwrap().0;
        set.insert(label);
    }
    set
}

struct World {
    t: TestServer,
    devices: HashMap<&'static str, TestDevice>,
    ids: HashMap<Uuid, &'static str>,
    /// The device that pushed each record: its pull does not send it back.
    pushed_by: HashMap<&'static str, String>,
    bodies: HashMap<&'static str, Value>,
}

impl World {
    fn dev(&self, label: &str) -> &TestDevice {
        &self.devices[label]
    }

    async fn put(&mut self, by: &str, label: &'static str, kind: RecordKind, body: Value) {
        let dev = self.dev(by).clone();
        let v = dev.version_at(self.t.now());
        self.ids.insert(id_of(&body), label);
        self.pushed_by.insert(label, by.to_owned());
        self.bodies.insert(label, body.clone());
        self.t.push_ok(&dev, vec![change(kind, &v, body)]).await;
    }

    fn id(&self, label: &str) -> Uuid {
        id_of(&self.bodies[label])
    }

    /// The labels of what a device pulls from `cursor`, and the new cursor.
    async fn sees_from(&self, label: &str, cursor: u64) -> (BTreeSet<&'static str>, u64) {
        let (changes, next) = self.t.pull_from(self.dev(label), cursor).await;
        let seen = changes
            .iter()
            .map(|c| *self.ids.get(&c.change.id).expect("a record the test made"))
            .collect();
        (seen, next)
    }
}

async fn build_world() -> World {
    let t = TestServer::start().await;
    let mut devices = HashMap::new();
    for (label, org, role, agency) in DEVICES {
        devices.insert(*label, t.device(org, label, *role, *agency).await);
    }
    let mut w = World {
        t,
        devices,
        ids: HashMap::new(),
        pushed_by: HashMap::new(),
        bodies: HashMap::new(),
    };
    let now = w.t.now();
    let day = chrono::Duration::days(1);
    let who = |w: &World, l: &str| w.dev(l).identity.clone();
    let (oa, oa2, ob, p1, p2) = (
        who(&w, "oa"),
        who(&w, "oa2"),
        who(&w, "ob"),
        who(&w, "p1"),
        who(&w, "p2"),
    );

    w.put("oa", "jade", RecordKind::Person, person(&oa, "Jade", now))
        .await;
    w.put("oa2", "kim", RecordKind::Person, person(&oa2, "Kim", now))
        .await;
    w.put("ob", "lou", RecordKind::Person, person(&ob, "Lou", now))
        .await;
    let (jade, kim, lou) = (w.id("jade"), w.id("kim"), w.id("lou"));

    let welfare = nightround_core::domain::ContactKind::PoliceWelfareCheck;
    let talk = nightround_core::domain::ContactKind::OutreachConversation;
    w.put(
        "oa",
        "k_oa_jade",
        RecordKind::Contact,
        contact(&oa, Some(jade), talk, now),
    )
    .await;
    w.put(
        "oa2",
        "k_oa2_anon",
        RecordKind::Contact,
        contact(&oa2, None, talk, now),
    )
    .await;
    w.put(
        "ob",
        "k_ob_lou",
        RecordKind::Contact,
        contact(&ob, Some(lou), talk, now),
    )
    .await;
    w.put(
        "p1",
        "k_p1_jade",
        RecordKind::Contact,
        contact(&p1, Some(jade), welfare, now),
    )
    .await;
    w.put(
        "p1",
        "k_p1_anon",
        RecordKind::Contact,
        contact(&p1, None, welfare, now),
    )
    .await;
    w.put(
        "p2",
        "k_p2_kim",
        RecordKind::Contact,
        contact(&p2, Some(kim), welfare, now),
    )
    .await;

    w.put("oa", "s_oa", RecordKind::SupplyDrop, supply_drop(&oa, now))
        .await;
    w.put("ob", "s_ob", RecordKind::SupplyDrop, supply_drop(&ob, now))
        .await;
    w.put("p1", "s_p1", RecordKind::SupplyDrop, supply_drop(&p1, now))
        .await;

    w.put(
        "oa",
        "q_oa_plain",
        RecordKind::Concern,
        concern(&oa, None, now),
    )
    .await;
    w.put(
        "oa",
        "q_oa_alert",
        RecordKind::Concern,
        concern(&oa, Some(now + day), now),
    )
    .await;
    w.put(
        "ob",
        "q_ob_alert",
        RecordKind::Concern,
        concern(&ob, Some(now + day * 3), now),
    )
    .await;
    w.put(
        "ob",
        "q_ob_expired",
        RecordKind::Concern,
        concern(&ob, Some(now - day), now),
    )
    .await;
    let mut no_police = concern(&ob, Some(now + day * 3), now);
    no_police["police_consent"] = json!(false);
    w.put("ob", "q_ob_alert_no_police", RecordKind::Concern, no_police)
        .await;
    // Reported by Lou's own organisation: a concern names only a woman its
    // writer's organisation holds (issue 9's names rule).
    let mut naming_lou = concern(&ob, Some(now + day * 3), now);
    naming_lou["reported_by"] = json!(lou);
    w.put("ob", "q_ob_alert_lou", RecordKind::Concern, naming_lou)
        .await;
    w.put(
        "p1",
        "q_p1_plain",
        RecordKind::Concern,
        concern(&p1, None, now),
    )
    .await;

    let half_year = now + day * 182;
    w.put(
        "oa",
        "c_jade_police",
        RecordKind::Consent,
        consent(&oa, jade, "essex_police", half_year, None, now),
    )
    .await;
    w.put(
        "oa",
        "c_jade_harp",
        RecordKind::Consent,
        consent(&oa, jade, "harp", half_year, None, now),
    )
    .await;
    w.put(
        "oa2",
        "c_kim_police_withdrawn",
        RecordKind::Consent,
        consent(
            &oa2,
            kim,
            "essex_police",
            half_year,
            Some(now - day),
            now - day * 30,
        ),
    )
    .await;
    w.put(
        "oa2",
        "c_kim_stars_expired",
        RecordKind::Consent,
        consent(&oa2, kim, "stars", now - day, None, now - day * 200),
    )
    .await;

    w.put(
        "oa",
        "c_jade_vineyard",
        RecordKind::Consent,
        consent(&oa, jade, "vineyard", half_year, None, now),
    )
    .await;
    w.put(
        "oa2",
        "c_kim_vineyard_withdrawn",
        RecordKind::Consent,
        consent(
            &oa2,
            kim,
            "vineyard",
            half_year,
            Some(now - day),
            now - day * 30,
        ),
    )
    .await;

    let sent = ReferralStatus::Sent;
    let (c1, c2, c3, c4) = (
        w.id("c_jade_harp"),
        w.id("c_jade_police"),
        w.id("c_kim_stars_expired"),
        w.id("c_kim_police_withdrawn"),
    );
    w.put(
        "oa",
        "r_jade_harp",
        RecordKind::Referral,
        referral(&oa, jade, "harp", c1, sent, now),
    )
    .await;
    w.put(
        "oa",
        "r_jade_police",
        RecordKind::Referral,
        referral(&oa, jade, "essex_police", c2, sent, now),
    )
    .await;
    w.put(
        "oa2",
        "r_kim_stars",
        RecordKind::Referral,
        referral(&oa2, kim, "stars", c3, sent, now),
    )
    .await;
    w.put(
        "oa2",
        "r_kim_harp",
        RecordKind::Referral,
        referral(&oa2, kim, "harp", c4, sent, now),
    )
    .await;

    let later = now + chrono::Duration::hours(3);
    let oa_round = round(&oa, None, now, 30, later);
    let oa_round_id = oa_round.id;
    w.put(
        "oa",
        "w_oa_round",
        RecordKind::Round,
        serde_json::to_value(oa_round).unwrap(),
    )
    .await;
    w.put(
        "p1",
        "w_p1_round",
        RecordKind::Round,
        serde_json::to_value(round(&p1, None, now, 30, later)).unwrap(),
    )
    .await;
    w.put(
        "oa",
        "h_oa_ok",
        RecordKind::CheckIn,
        serde_json::to_value(check_in(&oa, Some(oa_round_id), false, now)).unwrap(),
    )
    .await;
    w.put(
        "p1",
        "h_p1_ok",
        RecordKind::CheckIn,
        serde_json::to_value(check_in(&p1, None, false, now)).unwrap(),
    )
    .await;
    w.put(
        "ob",
        "h_ob_help",
        RecordKind::CheckIn,
        serde_json::to_value(check_in(&ob, None, true, now)).unwrap(),
    )
    .await;
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_sees_what_the_policy_table_says() {
    let mut w = build_world().await;

    // The matrix agrees with the table: where the table says a role sees
    // nothing of a kind, the matrix shows it none.
    for entry in EXPECTED {
        let viewers = expected_viewers(entry);
        for (label, _, role, _) in DEVICES {
            if policy::sees(entry.1, *role) == Sees::Nothing {
                assert!(!viewers.contains(label), "{} / {label}", entry.0);
            }
        }
    }
    // Every kind and every role is exercised.
    for kind in RecordKind::ALL {
        assert!(EXPECTED.iter().any(|e| e.1 == kind), "{kind:?}");
    }

    // Each device's pull is exactly its column of the matrix.
    let mut cursors = HashMap::new();
    for (label, ..) in DEVICES {
        let (seen, cursor) = w.sees_from(label, 0).await;
        cursors.insert(*label, cursor);
        let expected: BTreeSet<&str> = EXPECTED
            .iter()
            .filter(|e| expected_viewers(e).contains(label))
            .filter(|e| w.pushed_by[e.0] != *label)
            .map(|e| e.0)
            .collect();
        assert_eq!(
            seen, expected,
            "what {label} sees (its own pushes left out)"
        );
    }

    // A team alert names the woman only to those who may see her record.
    let lou_alert = w.id("q_ob_alert_lou");
    for (label, named) in [("p1", false), ("sb", true), ("oa2", false)] {
        let (changes, _) = w.t.pull_from(w.dev(label), 0).await;
        let body = changes
            .iter()
            .find(|c| c.change.id == lou_alert)
            .and_then(|c| c.change.body.clone())
            .unwrap();
        assert_eq!(body["reported_by"] != Value::Null, named, "{label}: {body}");
    }

    // A shared profile goes out projected to what her consent to The
    // Vineyard covers (contact details, housing): no note, no contact kind.
    let jade_visit = w.id("k_oa_jade");
    let (changes, _) = w.t.pull_from(w.dev("ob"), 0).await;
    let body = changes
        .iter()
        .find(|c| c.change.id == jade_visit)
        .and_then(|c| c.change.body.clone())
        .unwrap();
    assert!(body.get("note").is_none(), "{body}");
    assert!(body.get("kind").is_none(), "{body}");
    assert_eq!(w.bodies["k_oa_jade"]["note"], json!("Took a leaflet"));

    // A consent given later widens the police's view to what came before:
    // Kim's profile and the other officer's welfare check reach p1.
    let now = w.t.now();
    let oa2 = w.dev("oa2").identity.clone();
    let kim = w.id("kim");
    w.put(
        "oa2",
        "c_kim_police_new",
        RecordKind::Consent,
        consent(
            &oa2,
            kim,
            "essex_police",
            now + chrono::Duration::days(90),
            None,
            now,
        ),
    )
    .await;
    let (seen, _) = w.sees_from("p1", cursors["p1"]).await;
    for label in ["kim", "k_p2_kim", "c_kim_police_new"] {
        assert!(seen.contains(label), "p1 now sees {label}: {seen:?}");
    }
    assert!(!seen.contains("r_kim_stars"));

    // Alerts stop reaching other organisations when they end.
    w.t.clock.advance(chrono::Duration::days(2));
    let (seen, _) = w.sees_from("sb", 0).await;
    assert!(!seen.contains("q_oa_alert") && seen.contains("q_ob_alert"));
    // ...and the phones that had it are told to drop it.
    let page =
        w.t.pull_page(w.dev("ob"), cursors["ob"], 500, u32::MAX)
            .await;
    let dropped: BTreeSet<&str> = page.retract.iter().map(|r| w.ids[&r.id]).collect();
    assert!(dropped.contains("q_oa_alert"), "{dropped:?}");
    assert!(!dropped.contains("q_ob_alert"), "its own stays");
    let (seen, _) = w.sees_from("p1", 0).await;
    assert!(!seen.contains("q_oa_alert") && seen.contains("q_ob_alert"));
    let (seen, _) = w.sees_from("oa2", 0).await;
    assert!(
        seen.contains("q_oa_alert"),
        "her organisation keeps its own concern"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiving_agency_moves_only_the_status_of_its_referrals() {
    let w = build_world().await;
    let harp = w.dev("harp").clone();
    let now = w.t.now();
    let (_, oa_cursor) = w.sees_from("oa", 0).await;

    // HARP acknowledges Jade's referral; whatever else its copy says is ignored.
    let mut ack = w.bodies["r_jade_harp"].clone();
    ack["status"] = json!("acknowledged");
    ack["history"] = json!([{"status": "acknowledged", "at": now, "by": "HARP desk"}]);
    let harp_name = harp.identity.display_name.clone();
    ack["needs"] = json!("changed by the agency");
    // Its phone's clock has seen the referral's version, so its edit is later.
    let v = harp.version_at(now + chrono::Duration::minutes(1));
    let acks =
        w.t.push(&harp, vec![change(RecordKind::Referral, &v, ack)])
            .await;
    assert_eq!(acks[0].status, AckStatus::Merged, "{acks:?}");
    let (changes, _) = w.t.pull_from(w.dev("oa"), oa_cursor).await;
    let r = changes
        .iter()
        .find(|c| c.change.id == w.id("r_jade_harp"))
        .expect("the status change flows back to the referring worker");
    let body = r.change.body.as_ref().unwrap();
    assert_eq!(body["status"], "acknowledged");
    // The server writes who made the step (issue 9), whatever the copy says.
    assert_eq!(body["history"][0]["by"], json!(harp_name));
    assert_eq!(body["needs"], w.bodies["r_jade_harp"]["needs"]);

    let push_one = |label: &'static str, status: &'static str| {
        let mut b = w.bodies[label].clone();
        b["status"] = json!(status);
        change(RecordKind::Referral, &harp.version_at(now), b)
    };
    let acks =
        w.t.push(
            &harp,
            vec![
                // Not visible to HARP: Kim gave no consent to HARP.
                push_one("r_kim_harp", "accepted"),
                // Addressed to STARS.
                push_one("r_kim_stars", "accepted"),
                // Not a status an agency sets.
                push_one("r_jade_harp", "queued"),
            ],
        )
        .await;
    for a in &acks {
        assert_eq!(a.status, AckStatus::Rejected, "{a:?}");
    }
    // Nor may it make a referral, or delete one.
    let oa = w.dev("oa").identity.clone();
    let new = referral(
        &oa,
        w.id("jade"),
        "harp",
        w.id("c_jade_harp"),
        ReferralStatus::Sent,
        now,
    );
    let acks =
        w.t.push(
            &harp,
            vec![
                change(RecordKind::Referral, &harp.version_at(now), new),
                tombstone(
                    RecordKind::Referral,
                    w.id("r_jade_harp"),
                    &harp.version_at(now),
                ),
            ],
        )
        .await;
    assert!(
        acks.iter().all(|a| a.status == AckStatus::Rejected),
        "{acks:?}"
    );
}

/// Which kinds each role may create, in `RecordKind::ALL` order (person,
/// contact, supply drop, concern, consent, referral).
const CREATES: &[(&str, [bool; 6])] = &[
    ("oa", [true, true, true, true, true, true]),
    ("p1", [false, true, true, true, false, false]),
    ("sa", [true, true, true, true, true, true]),
    ("harp", [false, false, false, false, false, false]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_writes_what_the_write_table_says() {
    let t = TestServer::start().await;
    let oa = t
        .device("Aspirations", "oa", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    let jade = person(&oa.identity, "Jade", now);
    let consent_body = consent(
        &oa.identity,
        id_of(&jade),
        "harp",
        now + chrono::Duration::days(9),
        None,
        now,
    );
    t.push_ok(
        &oa,
        vec![
            change(RecordKind::Person, &oa.version_at(now), jade.clone()),
            change(
                RecordKind::Consent,
                &oa.version_at(now),
                consent_body.clone(),
            ),
        ],
    )
    .await;
    for (label, allowed) in CREATES {
        let (_, org, role, agency) = DEVICES.iter().find(|d| d.0 == *label).unwrap();
        let dev = if *label == "oa" {
            oa.clone()
        } else {
            t.device(org, label, *role, *agency).await
        };
        let me = &dev.identity;
        let bodies = [
            person(me, "Amber", now),
            contact(me, Some(id_of(&jade)), contact_kind_for(*role), now),
            supply_drop(me, now),
            concern(me, None, now),
            consent(
                me,
                id_of(&jade),
                "stars",
                now + chrono::Duration::days(9),
                None,
                now,
            ),
            referral(
                me,
                id_of(&jade),
                "harp",
                id_of(&consent_body),
                ReferralStatus::Sent,
                now,
            ),
        ];
        let changes: Vec<Change> = RecordKind::ALL
            .iter()
            .zip(bodies)
            .map(|(kind, body)| change(*kind, &dev.version_at(now), body))
            .collect();
        let acks = t.push(&dev, changes).await;
        for ((kind, ack), may) in RecordKind::ALL.iter().zip(&acks).zip(allowed) {
            let want = if *may {
                AckStatus::Applied
            } else {
                AckStatus::Rejected
            };
            assert_eq!(
                ack.status, want,
                "{label} creating {kind:?}: {:?}",
                ack.reason
            );
            if policy::writes(*kind, *role) == Writes::Nothing {
                assert!(!may, "the table says {label} may not write {kind:?}");
            }
        }
    }
}

/// A consent that runs out (its review date passes, nobody pushes anything)
/// is retracted on the next pull: by field while another consent still
/// opens her records, whole when the last one ends (protocol version 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consents_running_out_retract_fields_then_records() {
    let t = TestServer::start().await;
    let oa = t
        .device("Aspirations", "oa", Role::OutreachWorker, None)
        .await;
    let p1 = t
        .device("Essex Police", "p1", Role::PoliceOfficer, None)
        .await;
    let now = t.now();
    let day = chrono::Duration::days(1);
    let jade = person(&oa.identity, "Jade", now);
    let jade_id = id_of(&jade);
    let mut seen_by_police = contact(&oa.identity, Some(jade_id), ContactKind::Phone, now);
    seen_by_police["wellbeing"] = json!(["distressed"]);
    let contact_id = id_of(&seen_by_police);
    // Contact history and wellbeing for three days; contact details for ten.
    let mut short = consent(
        &oa.identity,
        jade_id,
        "essex_police",
        now + day * 3,
        None,
        now,
    );
    short["covers"] = json!(["contact_history", "wellbeing"]);
    let mut long = consent(
        &oa.identity,
        jade_id,
        "essex_police",
        now + day * 10,
        None,
        now,
    );
    long["covers"] = json!(["contact_details", "contact_history"]);
    let v = |d: &TestDevice| d.version_at(t.now());
    t.push_ok(
        &oa,
        vec![
            change(RecordKind::Person, &v(&oa), jade),
            change(RecordKind::Contact, &v(&oa), seen_by_police),
            change(RecordKind::Consent, &v(&oa), short.clone()),
            change(RecordKind::Consent, &v(&oa), long.clone()),
        ],
    )
    .await;
    let (first, cursor) = t.pull_from(&p1, 0).await;
    let got = first
        .iter()
        .find(|c| c.change.id == contact_id)
        .and_then(|c| c.change.body.clone())
        .unwrap();
    assert_eq!(got["wellbeing"], json!(["distressed"]));
    assert!(got.get("note").is_none(), "notes are not covered: {got}");

    // Day 4: the short consent has run out. Its record goes; the contact
    // loses its wellbeing field and stays.
    t.clock.advance(day * 4);
    let page = t.pull_page(&p1, cursor, 500, u32::MAX).await;
    let short_id = id_of(&short);
    assert!(page
        .retract
        .iter()
        .any(|r| r.id == short_id && r.fields.is_none()));
    let on_contact = page.retract.iter().find(|r| r.id == contact_id).unwrap();
    assert_eq!(on_contact.fields, Some(vec!["wellbeing".to_owned()]));
    assert!(
        page.retract.iter().all(|r| r.id != jade_id),
        "{:?}",
        page.retract
    );
    // Told again until the phone's cursor passes that page...
    let again = t.pull_page(&p1, cursor, 500, u32::MAX).await;
    assert_eq!(again.retract.len(), page.retract.len());

    // Day 11: nothing opens her records any more.
    t.clock.advance(day * 7);
    let page = t.pull_page(&p1, cursor, 500, u32::MAX).await;
    let whole: BTreeSet<Uuid> = page
        .retract
        .iter()
        .filter(|r| r.fields.is_none())
        .map(|r| r.id)
        .collect();
    for id in [jade_id, contact_id, id_of(&long)] {
        assert!(whole.contains(&id), "{id} retracted: {:?}", page.retract);
    }
    // The server remembers who received what, per person.
    let rows = t.sql(&format!(
        "SELECT COUNT(*) FROM deliveries WHERE person_id = '{jade_id}' AND device_id = '{}'",
        p1.device_id
    ));
    assert_eq!(
        rows,
        vec![vec!["4".to_owned()]],
        "her profile, the contact and two consents"
    );
}
