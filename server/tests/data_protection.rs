//! Data-protection duties on the server (issue 10), against a real server on
//! loopback and its real database file, on an injected clock:
//!
//! - erasure: her record, contacts, consents and referrals become
//!   tombstones, bodies and history gone from the store (on SQLite a byte
//!   scan of the database, WAL and shared-memory files finds none of her
//!   sealed bodies; see ADR 0011 for PostgreSQL),
//!   a concern she reported loses its link to her, a safeguarding contact is
//!   kept with the reason, phones pull the tombstones, the audit keeps the
//!   fact and the ids; a legal hold refuses it;
//! - the retention schedule deletes what is due and no more, one audit entry
//!   per run with counts, and a legal hold stops it;
//! - a subject-access export across two organisations holds every record of
//!   hers (with history, lawful basis and who received it) and no other
//!   woman's alias or id and no worker's name or id, as JSON and HTML;
//! - an anchor kept outside the server detects the newest audit entries cut
//!   off, which the chain alone does not.

mod common;
#[path = "support/web.rs"]
mod web;

use chrono::Duration;
use common::*;
use nightround_core::domain::{ContactKind, RecordKind, ReferralStatus, Role, WellbeingFlag};
use nightround_server::erasure::ErasureError;
use serde_json::Value;
use uuid::Uuid;

/// Every sealed value (current bodies and history) the store holds for `ids`.
fn sealed_values(s: &TestServer, ids: &[Uuid]) -> Vec<Vec<u8>> {
    let mut out = vec![];
    for id in ids {
        for sql in [
            format!("SELECT body FROM records WHERE id = '{id}' AND body IS NOT NULL"),
            format!("SELECT value FROM record_history WHERE id = '{id}'"),
        ] {
            // Bytes come back as hex (PostgreSQL's with a `\x` before it).
            out.extend(s.sql(&sql).into_iter().map(|r| {
                let hex = r[0].trim_start_matches("\\x");
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect()
            }));
        }
    }
    out
}

/// How many of `sealed` a byte scan of the SQLite database's files still
/// finds. `None` on PostgreSQL: its freed row versions keep their (sealed)
/// bytes in free space and the WAL until overwritten (ADR 0011), so the
/// scan is SQLite's alone; what the store holds is checked on both.
fn still_on_disk(s: &TestServer, sealed: &[Vec<u8>]) -> Option<usize> {
    if s.database().is_some() {
        return None;
    }
    let db = s.server_db();
    let files: Vec<Vec<u8>> = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|x| std::fs::read(format!("{}{x}", db.display())).ok())
        .collect();
    Some(
        sealed
            .iter()
            .filter(|b| {
                let mid = b.len() / 2;
                b.len() >= 48
                    && files
                        .iter()
                        .any(|f| f.windows(24).any(|w| w == &b[mid - 12..mid + 12]))
            })
            .count(),
    )
}

/// Whether the record is a tombstone, whether its body is gone, and how
/// many history values it has, on either backend.
fn row(s: &TestServer, id: Uuid) -> (bool, bool, i64) {
    let r = s.sql(&format!(
        "SELECT CASE WHEN tombstone THEN 1 ELSE 0 END,
                CASE WHEN body IS NULL THEN 1 ELSE 0 END,
                (SELECT COUNT(*) FROM record_history WHERE id = '{id}')
         FROM records WHERE id = '{id}'"
    ));
    assert_eq!(r.len(), 1, "no record {id}");
    (r[0][0] == "1", r[0][1] == "1", r[0][2].parse().unwrap())
}

/// The subject and detail of each audit entry of `action`, oldest first.
fn audit(s: &TestServer, action: &str) -> Vec<(Option<String>, Option<String>)> {
    let some = |v: &String| (!v.is_empty()).then(|| v.clone());
    s.sql(&format!(
        "SELECT subject, detail FROM audit_log WHERE action = '{action}' ORDER BY seq"
    ))
    .iter()
    .map(|r| (some(&r[0]), some(&r[1])))
    .collect()
}

#[tokio::test]
async fn erasure_removes_her_bodies_and_history_keeps_what_must_be_kept_and_says_why() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let now = s.now();
    let me = &sam.identity;
    let jade = person(me, "Jade-canary", now);
    let jade_id = id_of(&jade);
    let mut jade_edit = jade.clone();
    jade_edit["description"] = Value::from("red coat, scar on left hand");
    let visit = contact(me, Some(jade_id), ContactKind::OutreachConversation, now);
    let mut under_18 = contact(me, Some(jade_id), ContactKind::OutreachConversation, now);
    under_18["wellbeing"] = serde_json::to_value(vec![WellbeingFlag::AppearsUnder18]).unwrap();
    under_18["safeguarding"] = serde_json::json!({"acknowledged_by": "w", "acknowledged_at": now});
    let agreed = consent(me, jade_id, "harp", now + Duration::days(100), None, now);
    let referred = referral(
        me,
        jade_id,
        "harp",
        id_of(&agreed),
        ReferralStatus::Sent,
        now,
    );
    let mut reported = concern(me, None, now);
    reported["reported_by"] = Value::from(jade_id.to_string());
    let kim = person(me, "Kim", now);
    let kim_visit = contact(
        me,
        Some(id_of(&kim)),
        ContactKind::OutreachConversation,
        now,
    );
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(now), jade.clone()),
            change(RecordKind::Contact, &sam.version_at(now), visit.clone()),
            change(RecordKind::Contact, &sam.version_at(now), under_18.clone()),
            change(RecordKind::Consent, &sam.version_at(now), agreed.clone()),
            change(RecordKind::Referral, &sam.version_at(now), referred.clone()),
            change(RecordKind::Concern, &sam.version_at(now), reported.clone()),
            change(RecordKind::Person, &sam.version_at(now), kim.clone()),
            change(RecordKind::Contact, &sam.version_at(now), kim_visit.clone()),
        ],
    )
    .await;
    let later = now + Duration::minutes(5);
    s.push_ok(
        &sam,
        vec![change(
            RecordKind::Person,
            &sam.version_at(later),
            jade_edit,
        )],
    )
    .await;
    let gone = [jade_id, id_of(&visit), id_of(&agreed), id_of(&referred)];
    let sealed = sealed_values(&s, &gone);
    assert!(sealed.len() >= 5, "{} sealed values", sealed.len());
    if let Some(found) = still_on_disk(&s, &sealed) {
        assert_eq!(found, sealed.len(), "the scan can fail");
    }

    // A legal hold refuses it and changes nothing.
    s.admin().set_legal_hold(jade_id, true, "w-sup").unwrap();
    assert!(matches!(
        s.admin().erase_person(jade_id, "w-sup"),
        Err(ErasureError::LegalHold)
    ));
    assert!(!row(&s, jade_id).0);
    s.admin().set_legal_hold(jade_id, false, "w-sup").unwrap();
    assert!(matches!(
        s.admin().erase_person(Uuid::now_v7(), "w-sup"),
        Err(ErasureError::NotFound)
    ));

    let answer = s.admin().erase_person(jade_id, "w-sup").unwrap();
    let mut deleted: Vec<Uuid> = answer.deleted.iter().map(|(_, id)| *id).collect();
    deleted.sort();
    let mut expected = gone.to_vec();
    expected.sort();
    assert_eq!(deleted, expected);
    assert_eq!(answer.unlinked, vec![id_of(&reported)]);
    assert_eq!(answer.kept.len(), 1);
    assert_eq!(answer.kept[0].id, id_of(&under_18));
    assert!(
        answer.kept[0].reason.contains("safeguarding"),
        "{}",
        answer.kept[0].reason
    );
    for id in gone {
        assert_eq!(
            row(&s, id),
            (true, true, 0),
            "{id}: tombstone, no body, no history"
        );
    }
    if let Some(found) = still_on_disk(&s, &sealed) {
        assert_eq!(found, 0, "a byte scan still finds her");
    }
    // On either backend, no stored value of hers is left.
    assert!(sealed_values(&s, &gone).is_empty());
    // Kim and the kept safeguarding contact are untouched.
    assert!(!row(&s, id_of(&kim)).0);
    assert!(!row(&s, id_of(&under_18)).0);

    // Sam's phone pulls the tombstones and the concern without her.
    let pulled = s.pull_all(&sam).await;
    for id in gone {
        let last = pulled.iter().rfind(|p| p.change.id == id).unwrap();
        assert!(
            last.change.tombstone,
            "{id} reaches the phone as a deletion"
        );
    }
    let concern = pulled
        .iter()
        .rfind(|p| p.change.id == id_of(&reported))
        .unwrap();
    assert_eq!(
        concern.change.body.as_ref().unwrap()["reported_by"],
        Value::Null
    );

    // The audit: the fact and the ids, nothing she said.
    let entries = audit(&s, "erase_person");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0.as_deref(), Some(jade_id.to_string().as_str()));
    let detail = entries[0].1.clone().unwrap();
    assert!(detail.contains(&id_of(&visit).to_string()));
    assert!(!detail.contains("canary") && !detail.contains("scar"));
}

#[tokio::test]
async fn the_retention_schedule_deletes_what_is_due_and_no_more_and_a_legal_hold_stops_it() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let t0 = s.now();
    let me = &sam.identity;
    // Jade: last seen at t0. Kim: seen at t0 and again a year later.
    // Lou: last seen at t0, under a legal hold.
    let jade = person(me, "Jade", t0);
    let jade_visit = contact(
        me,
        Some(id_of(&jade)),
        ContactKind::OutreachConversation,
        t0,
    );
    let kim = person(me, "Kim", t0);
    let kim_old = contact(me, Some(id_of(&kim)), ContactKind::OutreachConversation, t0);
    let lou = person(me, "Lou", t0);
    let lou_visit = contact(me, Some(id_of(&lou)), ContactKind::OutreachConversation, t0);
    let warning = concern(me, None, t0);
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(t0), jade.clone()),
            change(RecordKind::Contact, &sam.version_at(t0), jade_visit.clone()),
            change(RecordKind::Person, &sam.version_at(t0), kim.clone()),
            change(RecordKind::Contact, &sam.version_at(t0), kim_old.clone()),
            change(RecordKind::Person, &sam.version_at(t0), lou.clone()),
            change(RecordKind::Contact, &sam.version_at(t0), lou_visit.clone()),
            change(RecordKind::Concern, &sam.version_at(t0), warning.clone()),
        ],
    )
    .await;
    let t1 = t0 + Duration::days(365);
    s.clock.set(t1);
    let kim_new = contact(me, Some(id_of(&kim)), ContactKind::OutreachConversation, t1);
    s.push_ok(
        &sam,
        vec![change(
            RecordKind::Contact,
            &sam.version_at(t1),
            kim_new.clone(),
        )],
    )
    .await;
    s.admin()
        .set_legal_hold(id_of(&lou), true, "w-sup")
        .unwrap();

    // A day before six years after Jade's last contact: nothing is due.
    s.clock.set(t0 + Duration::days(6 * 365));
    let run = s.admin().run_retention().unwrap();
    assert_eq!(run.total(), 0, "{run:?}");
    assert!(!row(&s, id_of(&jade)).0);

    // Six years and a few days on: Jade goes; Kim (seen a year later),
    // the concern (a safeguarding record, ten years) and Lou (held) stay.
    s.clock.set(t0 + Duration::days(6 * 365 + 5));
    let run = s.admin().run_retention().unwrap();
    assert_eq!(run.total(), 2, "{run:?}");
    assert_eq!(run.deleted.get(&RecordKind::Person), Some(&1));
    assert_eq!(run.deleted.get(&RecordKind::Contact), Some(&1));
    assert_eq!(run.held, 2, "Lou and her contact");
    for id in [id_of(&jade), id_of(&jade_visit)] {
        assert_eq!(row(&s, id), (true, true, 0));
    }
    for id in [
        id_of(&kim),
        id_of(&kim_old),
        id_of(&kim_new),
        id_of(&lou),
        id_of(&lou_visit),
        id_of(&warning),
    ] {
        assert!(!row(&s, id).0, "{id} deleted too early");
    }
    // The phone is told.
    let pulled = s.pull_all(&sam).await;
    let last = pulled
        .iter()
        .rfind(|p| p.change.id == id_of(&jade))
        .unwrap();
    assert!(last.change.tombstone);

    // The hold lifted, Lou goes on the next run; Kim a year later.
    s.admin()
        .set_legal_hold(id_of(&lou), false, "w-sup")
        .unwrap();
    let run = s.admin().run_retention().unwrap();
    assert_eq!(run.total(), 2, "{run:?}");
    s.clock.set(t1 + Duration::days(6 * 365 + 5));
    let run = s.admin().run_retention().unwrap();
    assert_eq!(run.total(), 3, "Kim and her two contacts: {run:?}");
    assert!(!row(&s, id_of(&warning)).0, "safeguarding: ten years");

    // One audit entry per run, with counts only.
    let runs = audit(&s, "retention_run");
    assert_eq!(runs.len(), 4);
    assert_eq!(
        runs[1].1.as_deref(),
        Some("deleted 2: person 1, contact 1; kept for a legal hold 2")
    );
    let holds = audit(&s, "legal_hold_placed");
    assert_eq!(holds.len(), 1);
}

#[tokio::test]
async fn a_subject_access_export_holds_all_her_records_across_two_organisations_and_no_third_party()
{
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Wkr-Sam-7", Role::OutreachWorker, None)
        .await;
    let priya = s
        .device("Vineyard", "Wkr-Priya-3", Role::OutreachWorker, None)
        .await;
    let police = s
        .device("Essex Police", "PC-Hart-9", Role::PoliceOfficer, None)
        .await;
    let now = s.now();
    let jade = person(&sam.identity, "Jade", now);
    let jade_id = id_of(&jade);
    let mut jade_edit = jade.clone();
    jade_edit["key_worker"] = Value::from("Wkr-Sam-7");
    let kim = person(&sam.identity, "Kimberley-Q", now);
    let kim_id = id_of(&kim);
    let sams_visit = contact(
        &sam.identity,
        Some(jade_id),
        ContactKind::OutreachConversation,
        now,
    );
    // The second organisation: the police (who may name any woman stored)
    // record a welfare check with her.
    let police_check = contact(
        &police.identity,
        Some(jade_id),
        ContactKind::PoliceWelfareCheck,
        now,
    );
    let agreed = consent(
        &sam.identity,
        jade_id,
        "essex_police",
        now + Duration::days(100),
        None,
        now,
    );
    let mut reported = concern(&sam.identity, None, now);
    reported["reported_by"] = Value::from(jade_id.to_string());
    reported["description"] = Value::from(format!(
        "kimberley-q saw the van too (see {kim_id}); Wkr-Priya-3 was told"
    ));
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(now), jade.clone()),
            change(RecordKind::Person, &sam.version_at(now), kim.clone()),
            change(
                RecordKind::Contact,
                &sam.version_at(now),
                sams_visit.clone(),
            ),
            change(RecordKind::Consent, &sam.version_at(now), agreed.clone()),
            change(RecordKind::Concern, &sam.version_at(now), reported.clone()),
        ],
    )
    .await;
    let later = now + Duration::minutes(3);
    s.push_ok(
        &sam,
        vec![change(
            RecordKind::Person,
            &sam.version_at(later),
            jade_edit,
        )],
    )
    .await;
    s.push_ok(
        &police,
        vec![change(
            RecordKind::Contact,
            &police.version_at(now),
            police_check.clone(),
        )],
    )
    .await;
    // The police phone receives what she consented to.
    s.pull_all(&police).await;

    let export = s.admin().subject_access(jade_id, "w-sup").unwrap();
    let mut got: Vec<Uuid> = export.records.iter().map(|r| r.id).collect();
    got.sort();
    let mut want = vec![
        jade_id,
        id_of(&sams_visit),
        id_of(&police_check),
        id_of(&agreed),
        id_of(&reported),
    ];
    want.sort();
    assert_eq!(got, want, "every record of hers, from both organisations");
    let profile = export.records.iter().find(|r| r.id == jade_id).unwrap();
    assert!(!profile.history.is_empty(), "her profile's earlier version");
    let sams = export
        .records
        .iter()
        .find(|r| r.id == id_of(&sams_visit))
        .unwrap();
    assert_eq!(sams.legal_basis.controller, "Aspirations");
    assert!(sams.legal_basis.article6.contains("6(1)(a)"));
    let policed = export
        .records
        .iter()
        .find(|r| r.id == id_of(&police_check))
        .unwrap();
    assert_eq!(policed.legal_basis.controller, "Essex Police");
    assert!(
        export
            .shared_with
            .iter()
            .any(|d| d.role == "police_officer" && d.record_id == jade_id),
        "the police phone's copy of her profile: {:?}",
        export.shared_with
    );

    let json = serde_json::to_string(&export).unwrap();
    let html = nightround_server::subject_access::render_html(&export).unwrap();
    for text in [&json, &html] {
        assert!(text.contains("Jade"));
        for third in [
            "Kimberley-Q",
            "kimberley-q",
            &kim_id.to_string(),
            "Wkr-Sam-7",
            "Wkr-Priya-3",
            "PC-Hart-9",
            &sam.identity.worker_id,
            &priya.identity.worker_id,
            &police.identity.worker_id,
        ] {
            assert!(!text.contains(third), "{third} appears in the export");
        }
    }
    assert!(html.contains("Art. 6(1)(a)"));
    assert!(html.contains("[another person] saw the van too"));
    // The audit shows what the police phone received, and how much of it.
    let pulls: Vec<_> = audit(&s, "pull_received")
        .into_iter()
        .filter(|(subject, _)| subject.as_deref() == Some(&*police.device_id.to_string()))
        .collect();
    assert_eq!(pulls.len(), 1, "one entry for the police phone's pull");
    let detail = pulls[0].1.clone().unwrap();
    assert!(detail.contains(&format!("person {jade_id} [")), "{detail}");
    assert!(
        !detail.contains(&format!("person {jade_id} [all]")),
        "projected: {detail}"
    );
    let entries = audit(&s, "subject_access_export");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0.as_deref(), Some(jade_id.to_string().as_str()));
}

#[tokio::test]
async fn an_anchor_kept_outside_detects_the_newest_audit_entries_cut_off() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let now = s.now();
    s.push_ok(
        &sam,
        vec![change(
            RecordKind::Person,
            &sam.version_at(now),
            person(&sam.identity, "Jade", now),
        )],
    )
    .await;
    for _ in 0..3 {
        s.admin()
            .set_legal_hold(Uuid::now_v7(), true, "w-sup")
            .unwrap();
    }
    let anchor = s.admin().audit_anchor().unwrap().unwrap();
    assert!(matches!(
        s.admin().verify_audit_anchor(&anchor).unwrap(),
        nightround_server::audit_anchor::AnchorCheck::Intact { .. }
    ));
    s.admin()
        .set_legal_hold(Uuid::now_v7(), true, "w-sup")
        .unwrap();
    assert!(matches!(
        s.admin().verify_audit_anchor(&anchor).unwrap(),
        nightround_server::audit_anchor::AnchorCheck::Intact { .. }
    ));
    // Someone with the database cuts off the newest entries: the chain
    // that is left still verifies on its own...
    s.sql(&format!(
        "DELETE FROM audit_log WHERE seq >= {}",
        i64::try_from(anchor.seq).unwrap() - 1
    ));
    // ...but not against the anchor.
    assert_eq!(
        s.admin().verify_audit_anchor(&anchor).unwrap(),
        nightround_server::audit_anchor::AnchorCheck::Truncated {
            anchor_seq: anchor.seq,
            newest_seq: Some(anchor.seq - 2),
        }
    );
}

/// The admin CLI's data-protection commands, so that a deployment can
/// script them.
#[test]
fn the_admin_cli_places_holds_runs_retention_and_checks_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nightround-server"))
            .args(["admin", "--data-dir", d])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let person = Uuid::now_v7().to_string();
    let (ok, out, err) = run(&["legal-hold", "--person", &person, "--by", "w-sup"]);
    assert!(ok, "{err}");
    assert!(out.contains("placed"));
    let (ok, out, err) = run(&["retention-run"]);
    assert!(ok && out.starts_with("deleted 0"), "{out}{err}");
    let (ok, anchor, err) = run(&["audit-anchor"]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&["verify-audit", "--anchor", anchor.trim()]);
    assert!(ok && out.contains("intact"), "{out}{err}");
    let (ok, _, err) = run(&["erase", "--person", &person, "--by", "w-sup"]);
    assert!(!ok && err.contains("legal hold"), "{err}");
    let (ok, _, _) = run(&["legal-hold", "--person", &person, "--by", "w-sup", "--lift"]);
    assert!(ok);
    let (ok, _, err) = run(&["erase", "--person", &person, "--by", "w-sup"]);
    assert!(!ok && err.contains("nothing is held"), "{err}");
    let (ok, _, err) = run(&["subject-access", "--person", &person, "--by", "w-sup"]);
    assert!(!ok && err.contains("person"), "{err}");
    let (ok, _, err) = run(&["verify-audit", "--anchor", "not json"]);
    assert!(!ok && err.contains("anchor"), "{err}");
}

/// A worker with a dashboard account, as the admin CLI makes them.
fn account(s: &TestServer, org: &str, name: &str, role: Role, username: &str) {
    let admin = s.admin();
    let org = admin
        .find_organisation(org)
        .or_else(|_| admin.create_organisation(org))
        .unwrap();
    let w = admin.create_worker(&org.id, name, role, None).unwrap();
    let config = common::config(s.dir.path(), &s.clock);
    nightround_server::dashboard::accounts::create_in_data_dir(
        &config,
        &w.id,
        username,
        Some("a long enough password"),
    )
    .unwrap();
}

/// The dashboard's pages: "shared with", the subject-access download and
/// erasure, for a supervisor only, erasure behind a CSRF-checked form.
#[tokio::test]
async fn the_dashboard_shows_who_received_her_records_exports_them_and_erases_her() {
    use reqwest::StatusCode;
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let police = s
        .device("Essex Police", "PC Hart", Role::PoliceOfficer, None)
        .await;
    account(&s, "Aspirations", "Dee", Role::Supervisor, "dee");
    account(&s, "Aspirations", "Robin", Role::OutreachWorker, "robin");
    let now = s.now();
    let jade = person(&sam.identity, "Jade", now);
    let jade_id = id_of(&jade);
    let visit = contact(
        &sam.identity,
        Some(jade_id),
        ContactKind::OutreachConversation,
        now,
    );
    let agreed = consent(
        &sam.identity,
        jade_id,
        "essex_police",
        now + Duration::days(100),
        None,
        now,
    );
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(now), jade),
            change(RecordKind::Contact, &sam.version_at(now), visit.clone()),
            change(RecordKind::Consent, &sam.version_at(now), agreed),
        ],
    )
    .await;
    s.pull_all(&police).await;

    let mut robin = web::Web::new(&s.url(""));
    robin.sign_in("robin", "a long enough password").await;
    for path in ["shared-with", "subject-access", "erase"] {
        let p = robin.get(&format!("/people/{jade_id}/{path}")).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
    }

    let mut dee = web::Web::new(&s.url(""));
    assert_eq!(
        dee.sign_in("dee", "a long enough password")
            .await
            .location(),
        "/tonight"
    );
    let profile = dee.get(&format!("/people/{jade_id}")).await;
    assert!(profile.body.contains("Aspirations"), "the controller");
    assert!(profile.body.contains("Art. 6(1)(a)"), "the lawful basis");
    assert!(profile
        .body
        .contains(&format!("/people/{jade_id}/shared-with")));
    let robins = robin.get(&format!("/people/{jade_id}")).await;
    assert!(!robins.body.contains("shared-with"), "supervisors only");
    let shared = dee.get(&format!("/people/{jade_id}/shared-with")).await;
    assert_eq!(shared.status, StatusCode::OK, "{}", shared.body);
    assert!(shared.body.contains("police officer"), "{}", shared.body);
    let json = dee
        .get(&format!("/people/{jade_id}/subject-access?format=json"))
        .await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let export: Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(export["records"].as_array().unwrap().len(), 3);
    let page = dee
        .get(&format!("/people/{jade_id}/subject-access?format=html"))
        .await;
    assert!(page.body.contains("What the partnership holds about you"));
    assert!(!page.body.contains("Sam<"), "the worker's name is redacted");
    let bad = dee
        .get(&format!("/people/{jade_id}/subject-access?format=pdf"))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let confirm = dee.get(&format!("/people/{jade_id}/erase")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    let forged = dee
        .post(&format!("/people/{jade_id}/erase"), &[("csrf", "wrong")])
        .await;
    assert_ne!(forged.status, StatusCode::OK);
    assert!(!row(&s, jade_id).0, "a forged form erases nothing");
    let csrf = confirm.csrf();
    let done = dee
        .post(
            &format!("/people/{jade_id}/erase"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Jade was erased"), "{}", done.body);
    assert!(done.body.contains(&id_of(&visit).to_string()));
    assert_eq!(row(&s, jade_id), (true, true, 0));
    let gone = dee.get(&format!("/people/{jade_id}/shared-with")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
