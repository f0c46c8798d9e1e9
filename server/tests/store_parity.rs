//! The data-protection and profile-link duties of the store, one test body
//! on both backends (issue 12): SQLite always, PostgreSQL when
//! `NIGHTROUND_TEST_PG` names a cluster (`bash scripts/pg.sh -- cargo test
//! -p nightround-server --test store_parity`). Records go in through the
//! real validation and `Store::push`; what comes out (held records,
//! disposals, deliveries, the pull's audit line, links and the partnership
//! count, the audit chain) must be the same on each.

mod common;

use common::{change, contact, id_of, person};
use nightround_core::crypto::DataKey;
use nightround_core::domain::{ContactKind, RecordKind, Role};
use nightround_core::sync::protocol::{Change, PulledChange, Retraction};
use nightround_core::Timestamp;
use nightround_server::policy::Viewer;
use nightround_server::store::dashboard::NewAuditEntry;
use nightround_server::store::data_protection::Disposal;
use nightround_server::store::links::LinkError;
use nightround_server::store::open::Backend;
use nightround_server::store::postgres::{testing, PgStore};
use nightround_server::store::sqlite::SqliteStore;
use nightround_server::store::{
    EnrolledDevice, NewDevice, Organisation, PullPage, PushItem, StoredCode, Worker,
};
use nightround_server::validate;
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

/// One store under test, with what a test needs to look at its rows.
struct Under {
    name: &'static str,
    store: Arc<dyn Backend>,
    database: Option<String>,
    dir: tempfile::TempDir,
}

impl Under {
    /// Rows as text, whichever backend (booleans as `0`/`1` by the query).
    fn sql(&self, sql: &str) -> Vec<Vec<String>> {
        testing::sql_either(
            self.database.as_deref(),
            &self.dir.path().join("nightround.db"),
            sql,
        )
        .unwrap()
    }
}

/// SQLite, and PostgreSQL when a cluster is there.
fn stores(now: Timestamp) -> Vec<Under> {
    let key = DataKey::generate(1);
    let dir = tempfile::tempdir().unwrap();
    let lite = SqliteStore::open(&dir.path().join("nightround.db"), key.clone(), now).unwrap();
    let mut out = vec![Under {
        name: "sqlite",
        store: Arc::new(lite),
        database: None,
        dir,
    }];
    match std::env::var("NIGHTROUND_TEST_PG") {
        Ok(cluster) => {
            let url = testing::create_database(&cluster).unwrap();
            out.push(Under {
                name: "postgres",
                store: Arc::new(PgStore::open(&url, key, now).unwrap()),
                database: Some(url),
                dir: tempfile::tempdir().unwrap(),
            });
        }
        Err(_) => eprintln!(
            "\n*** SKIPPED the PostgreSQL half: NIGHTROUND_TEST_PG is not set \
             (bash scripts/pg.sh -- cargo test -p nightround-server --test store_parity) ***\n"
        ),
    }
    out
}

fn now() -> Timestamp {
    common::start_time()
}

/// An enrolled device of a new worker (the organisation made if new).
fn device(store: &dyn Backend, org: &str, name: &str, role: Role) -> EnrolledDevice {
    let at = now();
    if store.organisation(org).unwrap().is_none() {
        store
            .add_organisation(&Organisation {
                id: org.into(),
                name: org.into(),
                created_at: at,
            })
            .unwrap();
    }
    let worker = format!("{org}-{name}");
    store
        .add_worker(&Worker {
            id: worker.clone(),
            organisation_id: org.into(),
            display_name: name.into(),
            role,
            agency_id: None,
            created_at: at,
            revoked_at: None,
        })
        .unwrap();
    let hash = *blake3_like(&worker);
    store
        .add_enrolment_code(&StoredCode {
            hash,
            worker_id: worker.clone(),
            created_at: at,
            expires_at: at + chrono::Duration::hours(1),
        })
        .unwrap();
    store
        .redeem_enrolment_code(
            &hash,
            &NewDevice {
                id: Uuid::now_v7(),
                name: format!("{name}'s phone"),
                token_hash: *blake3_like(&format!("token {worker}")),
            },
            at,
        )
        .unwrap()
        .unwrap()
}

/// A distinct 32-byte value per text (a test stand-in for a code's hash).
fn blake3_like(s: &str) -> Box<[u8; 32]> {
    use sha2::{Digest, Sha256};
    Box::new(Sha256::digest(s.as_bytes()).into())
}

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn version() -> String {
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    format!("{:013}-{n:05}-0000beef", now().timestamp_millis())
}

/// Pushes `changes` through the real validation; every one must apply.
fn push(store: &dyn Backend, caller: &EnrolledDevice, changes: &[Change]) {
    let directory = store.directory().unwrap();
    let identity = caller.identity();
    let writer = validate::Writer {
        viewer: caller.viewer(),
        identity: &identity,
        directory: &directory,
        now: now(),
    };
    let items: Vec<PushItem<'_>> = changes
        .iter()
        .map(|change| PushItem {
            change,
            verdict: validate::check(change, &writer),
            held_by_device: true,
        })
        .collect();
    for ack in store.push(caller, &items, now()).unwrap() {
        assert!(ack.reason.is_none() && ack.code.is_none(), "{ack:?}");
    }
}

fn audit_of(store: &dyn Backend, action: &str) -> Vec<NewAuditEntry> {
    store
        .audit_entries(1000, None)
        .unwrap()
        .into_iter()
        .rev()
        .filter(|e| e.action == action)
        .map(|e| NewAuditEntry {
            at: e.at,
            actor: e.actor,
            action: e.action,
            subject: e.subject,
            detail: e.detail,
        })
        .collect()
}

/// Held records, a disposal (a deletion and a rewrite), deliveries and the
/// pull's audit line, alike on both backends.
#[test]
fn held_records_disposal_deliveries_and_the_pull_audit_are_alike_on_both_backends() {
    for u in stores(now()) {
        let s = u.store.as_ref();
        let sam = device(s, "aspirations", "Sam", Role::OutreachWorker);
        let ali = device(s, "aspirations", "Ali", Role::OutreachWorker);
        let me = sam.identity();
        let jade = person(&me, "Jade", now());
        let jade_id = id_of(&jade);
        let mut jade_edit = jade.clone();
        jade_edit["description"] = Value::from("red coat");
        let visit = contact(&me, Some(jade_id), ContactKind::OutreachConversation, now());
        let visit_id = id_of(&visit);
        let kim = person(&me, "Kim", now());
        push(
            s,
            &sam,
            &[
                change(RecordKind::Person, &version(), jade.clone()),
                change(RecordKind::Contact, &version(), visit.clone()),
                change(RecordKind::Person, &version(), kim.clone()),
            ],
        );
        push(
            s,
            &sam,
            &[change(RecordKind::Person, &version(), jade_edit.clone())],
        );

        // Held: her record and the one about her; every live one.
        let hers = s.held_records(Some(jade_id)).unwrap();
        let ids: Vec<Uuid> = hers.iter().map(|h| h.id).collect();
        assert_eq!(ids, vec![visit_id, jade_id], "{}", u.name);
        assert_eq!(hers[1].body["description"], "red coat", "{}", u.name);
        assert_eq!(hers[0].person_id, Some(jade_id));
        assert_eq!(hers[0].organisation_id, "aspirations");
        assert_eq!(s.held_records(None).unwrap().len(), 3, "{}", u.name);
        assert!(!s
            .history_of(RecordKind::Person, jade_id)
            .unwrap()
            .is_empty());
        let seq_before: i64 = u.sql("SELECT MAX(seq) FROM records")[0][0].parse().unwrap();

        // Dispose: the visit deleted, her record rewritten, an unknown id
        // ignored; one audit line for all.
        let mut rewritten = jade_edit.as_object().unwrap().clone();
        rewritten.insert("alias".into(), Value::from("(erased)"));
        rewritten.remove("description");
        let entry = NewAuditEntry {
            at: now(),
            actor: "admin".into(),
            action: "erasure".into(),
            subject: Some(jade_id.to_string()),
            detail: Some("2 records".into()),
        };
        let items = [
            Disposal::Delete { id: visit_id },
            Disposal::Rewrite {
                id: jade_id,
                body: rewritten.clone(),
            },
            Disposal::Delete { id: Uuid::now_v7() },
        ];
        assert_eq!(s.dispose(&items, &entry, now()).unwrap(), 2, "{}", u.name);
        let hers = s.held_records(Some(jade_id)).unwrap();
        assert_eq!(hers.len(), 1, "{}", u.name);
        assert_eq!(hers[0].body, rewritten);
        assert!(s
            .history_of(RecordKind::Person, jade_id)
            .unwrap()
            .is_empty());
        let rows = u.sql(&format!(
            "SELECT CASE WHEN tombstone THEN 1 ELSE 0 END,
                    CASE WHEN body IS NULL THEN 1 ELSE 0 END, seq,
                    (SELECT COUNT(*) FROM record_history h WHERE h.id = r.id), version
             FROM records r WHERE id IN ('{visit_id}', '{jade_id}') ORDER BY seq"
        ));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0][..2],
            ["1", "1"],
            "{}: the visit is a tombstone",
            u.name
        );
        assert_eq!(rows[1][..2], ["0", "0"], "{}: her record is kept", u.name);
        for r in &rows {
            assert!(
                r[2].parse::<i64>().unwrap() > seq_before,
                "{}: new seq",
                u.name
            );
            assert_eq!(r[3], "0", "{}: no history left", u.name);
            assert!(r[4].ends_with("-server"), "{}: {}", u.name, r[4]);
        }
        if u.database.is_some() {
            // PostgreSQL keeps old row versions until vacuumed: a disposal
            // vacuums both tables after it commits (ADR 0011).
            let vacuumed = u.sql(
                "SELECT COUNT(*) FROM pg_stat_user_tables
                 WHERE relname IN ('records', 'record_history') AND vacuum_count > 0",
            );
            assert_eq!(vacuumed, vec![vec!["2".to_owned()]], "{}", u.name);
        }
        // Already deleted: nothing more changes, but the call is audited.
        assert_eq!(
            s.dispose(&[Disposal::Delete { id: visit_id }], &entry, now())
                .unwrap(),
            0
        );
        assert_eq!(audit_of(s, "erasure"), vec![entry.clone(), entry.clone()]);

        // Deliveries: who received what of hers, oldest first.
        let t = now().timestamp_millis();
        u.sql(&format!(
            "INSERT INTO deliveries (device_id, record_id, kind, person_id, version, route,
                 conditional, categories, first_at, delivered_at, retracted_at)
             VALUES ('{ali_d}', '{jade_id}', 'person', NULL, 'v1', 'organisation', FALSE,
                     'identity,description', {t1}, {t2}, NULL),
                    ('{sam_d}', '{visit_id}', 'contact', '{jade_id}', 'v1', 'own', TRUE,
                     NULL, {t0}, {t0}, {t2}),
                    ('{sam_d}', '{kim}', 'person', NULL, 'v1', 'own', FALSE, NULL, {t0}, {t0},
                     NULL)",
            ali_d = ali.device.id,
            sam_d = sam.device.id,
            kim = id_of(&kim),
            t0 = t,
            t1 = t + 1000,
            t2 = t + 2000,
        ));
        let got = s.deliveries_of(jade_id).unwrap();
        assert_eq!(got.len(), 2, "{}: not Kim's", u.name);
        assert_eq!(
            (got[0].record_id, got[0].kind, got[0].device_id),
            (visit_id, RecordKind::Contact, sam.device.id)
        );
        assert_eq!(got[0].worker_id, "aspirations-Sam");
        assert_eq!(got[0].role, "outreach_worker");
        assert_eq!(got[0].route, "own");
        assert_eq!(got[0].categories, None);
        assert_eq!(
            got[0].retracted_at.map(|r| r.timestamp_millis()),
            Some(t + 2000)
        );
        assert_eq!(
            (got[1].record_id, got[1].device_id),
            (jade_id, ali.device.id)
        );
        assert_eq!(got[1].categories.as_deref(), Some("identity,description"));
        assert_eq!(got[1].first_at.timestamp_millis(), t + 1000);
        assert_eq!(got[1].delivered_at.timestamp_millis(), t + 2000);
        assert_eq!(got[1].retracted_at, None);

        // The pull's audit line: each record, what of it went, retractions.
        let page = PullPage {
            changes: vec![
                PulledChange {
                    seq: 7,
                    change: Change::new(
                        RecordKind::Person,
                        jade_id,
                        "v".into(),
                        false,
                        Some(Value::Object(rewritten.clone())),
                    ),
                },
                PulledChange {
                    seq: 8,
                    change: Change::new(RecordKind::Contact, visit_id, "v".into(), true, None),
                },
                PulledChange {
                    seq: 9,
                    change: Change::new(
                        RecordKind::Person,
                        id_of(&kim),
                        "v".into(),
                        false,
                        Some(kim.clone()),
                    ),
                },
            ],
            next_cursor: 9,
            more: false,
            directory: None,
            retract: vec![
                Retraction {
                    kind: RecordKind::Contact,
                    id: visit_id,
                    fields: None,
                },
                Retraction {
                    kind: RecordKind::Person,
                    id: jade_id,
                    fields: Some(vec!["description".into(), "birth_year".into()]),
                },
            ],
        };
        s.audit_pull(ali.device.id, &page, now()).unwrap();
        let empty = PullPage {
            changes: vec![],
            retract: vec![],
            ..page.clone()
        };
        s.audit_pull(ali.device.id, &empty, now()).unwrap();
        let lines = audit_of(s, "pull_received");
        assert_eq!(lines.len(), 1, "{}: an empty pull writes nothing", u.name);
        assert_eq!(lines[0].actor, format!("device:{}", ali.device.id));
        assert_eq!(lines[0].subject, Some(ali.device.id.to_string()));
        assert_eq!(
            lines[0].detail.as_deref(),
            Some(
                format!(
                    "received 3: person {jade_id} [identity,description]; \
                     contact {visit_id} [deleted]; person {} [all]; \
                     retracted 2: contact {visit_id} [all]; \
                     person {jade_id} [description,birth_year]",
                    id_of(&kim)
                )
                .as_str()
            ),
            "{}",
            u.name
        );
        let chain = s.verify_audit().unwrap();
        assert_eq!(chain.first_broken, None, "{}", u.name);
    }
}

/// Linking, unlinking, who may, what each sees, the partnership's count and
/// the audit lines, alike on both backends.
#[test]
fn profile_links_and_the_partnership_count_are_alike_on_both_backends() {
    for u in stores(now()) {
        let s = u.store.as_ref();
        let sam = device(s, "aspirations", "Sam", Role::OutreachWorker);
        let sue = device(s, "aspirations", "Sue", Role::Supervisor);
        let dee = device(s, "open-road", "Dee", Role::OutreachWorker);
        let jade = person(&sam.identity(), "Jade", now());
        let kim = person(&sam.identity(), "Kim", now());
        let jo = person(&dee.identity(), "Jo", now());
        let (jade_id, kim_id, jo_id) = (id_of(&jade), id_of(&kim), id_of(&jo));
        let seen = |by: &EnrolledDevice, p: Uuid| {
            change(
                RecordKind::Contact,
                &version(),
                contact(
                    &by.identity(),
                    Some(p),
                    ContactKind::OutreachConversation,
                    now(),
                ),
            )
        };
        push(
            s,
            &sam,
            &[
                change(RecordKind::Person, &version(), jade),
                change(RecordKind::Person, &version(), kim),
                seen(&sam, jade_id),
                seen(&sam, kim_id),
            ],
        );
        push(
            s,
            &dee,
            &[
                change(RecordKind::Person, &version(), jo),
                seen(&dee, jo_id),
            ],
        );
        let everyone = |_: Timestamp| true;
        let counts = |s: &dyn Backend| {
            let w = s.partnership_women(&everyone).unwrap();
            (w.profiles, w.women)
        };
        assert_eq!(counts(s), (3, 3), "{}", u.name);

        let sue_v: Viewer<'_> = sue.viewer();
        let sam_v: Viewer<'_> = sam.viewer();
        let refused = |r: Result<_, LinkError>| {
            r.map(|_: nightround_server::store::links::ProfileLink| ())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            refused(s.link_profiles(None, jade_id, jade_id, now())),
            LinkError::SameProfile.to_string()
        );
        assert_eq!(
            refused(s.link_profiles(None, jade_id, Uuid::now_v7(), now())),
            LinkError::NoSuchProfile.to_string()
        );
        assert_eq!(
            refused(s.link_profiles(Some(&sam_v), jade_id, kim_id, now())),
            LinkError::NotSupervisor.to_string()
        );
        assert_eq!(
            refused(s.link_profiles(Some(&sue_v), jade_id, jo_id, now())),
            LinkError::NotVisible.to_string(),
            "{}: Sue does not see Open Road's Jo",
            u.name
        );

        // The administrator links Jo and Jade; the smaller id first.
        let link = s.link_profiles(None, jo_id, jade_id, now()).unwrap();
        assert_eq!((link.a, link.b), (jade_id.min(jo_id), jade_id.max(jo_id)));
        assert_eq!(link.linked_by, "admin");
        assert_eq!(
            refused(s.link_profiles(None, jade_id, jo_id, now())),
            LinkError::AlreadyLinked.to_string(),
            "{}",
            u.name
        );
        // Sue links two of her own.
        let ours = s
            .link_profiles(Some(&sue_v), kim_id, jade_id, now())
            .unwrap();
        assert_eq!(ours.linked_by, "aspirations-Sue");
        assert_eq!(counts(s), (3, 1), "{}: all three are one woman", u.name);
        // Only the one Sue can see both ends of is shown to her.
        let all: Vec<Uuid> = s
            .profile_links(None, jade_id, now())
            .unwrap()
            .iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(all, vec![link.id, ours.id], "{}", u.name);
        let hers = s.profile_links(Some(&sue_v), jade_id, now()).unwrap();
        assert_eq!(hers, vec![ours.clone()], "{}", u.name);
        // Nobody in the period: nobody counted.
        assert_eq!(s.partnership_women(&|_| false).unwrap().profiles, 0);

        // Unlink: kept with who and when; again, no such (live) link.
        assert_eq!(
            refused(s.unlink_profiles(Some(&sue_v), link.id, now())),
            LinkError::NotVisible.to_string()
        );
        let ended = s.unlink_profiles(None, link.id, now()).unwrap();
        assert_eq!(ended.unlinked_by.as_deref(), Some("admin"));
        assert_eq!(ended.unlinked_at, Some(now()));
        assert_eq!(
            refused(s.unlink_profiles(None, link.id, now())),
            LinkError::NoSuchLink.to_string()
        );
        assert_eq!(counts(s), (3, 2), "{}", u.name);
        let kept = u.sql(&format!(
            "SELECT unlinked_by FROM profile_links WHERE id = '{}'",
            link.id
        ));
        assert_eq!(kept, vec![vec!["admin".to_owned()]]);

        // One audit line per link and unlink; refusals wrote none.
        let linked = audit_of(s, "link_profiles");
        assert_eq!(linked.len(), 2, "{}", u.name);
        assert_eq!(linked[0].subject, Some(link.id.to_string()));
        assert_eq!(
            linked[0].detail,
            Some(format!("profiles {} and {}", link.a, link.b))
        );
        assert_eq!(linked[1].actor, "aspirations-Sue");
        let unlinked = audit_of(s, "unlink_profiles");
        assert_eq!(unlinked.len(), 1, "{}", u.name);
        assert_eq!(unlinked[0].actor, "admin");
        assert_eq!(s.verify_audit().unwrap().first_broken, None);
    }
}
