//! The indexes the dashboard counts from (issue 11, ADR 0015; SQLite schema
//! 10, PostgreSQL schema 7): kept in the push's transaction, dropped with a
//! tombstone, an erasure or a retention run, filled in when an upgraded
//! database opens, always saying what the opened records say, and read by
//! the pages instead of opening every record. Each test runs on SQLite, and
//! on PostgreSQL under `bash scripts/pg.sh -- cargo test -p nightround-server
//! --test dashboard_indexes`, where one more test pushes the same records to
//! both backends and compares what the dashboard shows.

mod common;

use common::{
    change, consent, contact, id_of, person, referral, supply_drop, tombstone, TestServer,
};
use nightround_core::domain::{ContactKind, RecordKind, ReferralStatus, Role};
use nightround_server::policy::Viewer;
use nightround_server::store::dashboard::{ContactTally, SupplyTally};
use nightround_server::store::open::{open_backend, Backend};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A second store on the server's database (SQLite file or PostgreSQL), as
/// the dashboard opens it.
fn dashboard_store(s: &TestServer) -> Arc<dyn Backend> {
    let config = common::config(s.dir.path(), &s.clock);
    let paths = config.paths();
    let keys = nightround_server::keys::load_or_create(&paths).unwrap();
    open_backend(
        s.database().as_deref(),
        &paths.database(),
        keys.records,
        s.now(),
    )
    .unwrap()
}

/// What the store says: contacts (sorted), supplies by item, overdue by agency.
type Figures = (
    Vec<ContactTally>,
    BTreeMap<String, u64>,
    BTreeMap<String, usize>,
);

fn figures(store: &dyn Backend, viewer: &Viewer<'_>, s: &TestServer) -> Figures {
    let now = s.now();
    let from = now.date_naive() - chrono::Duration::days(30);
    let to = now.date_naive() + chrono::Duration::days(1);
    let mut contacts = store.contact_tallies(viewer, now, from, to).unwrap();
    contacts.sort_by_key(|c| (c.round, c.person_id));
    let mut supplies = BTreeMap::new();
    for SupplyTally {
        item_id, quantity, ..
    } in store.supply_tallies(viewer, now, from, to).unwrap()
    {
        *supplies.entry(item_id).or_default() += quantity;
    }
    let overdue = store.overdue_referrals(viewer, now).unwrap();
    (contacts, supplies, overdue)
}

#[tokio::test]
async fn the_indexes_count_what_the_records_say_and_forget_a_tombstone() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let by = sam.identity.clone();
    let t0 = s.now();
    let kelly = person(&by, "Kelly", t0);
    let kelly_id = id_of(&kelly);
    let with_her: Vec<_> = (0..3)
        .map(|i| {
            contact(
                &by,
                Some(kelly_id),
                ContactKind::OutreachConversation,
                t0 + chrono::Duration::minutes(i),
            )
        })
        .collect();
    let anonymous = contact(&by, None, ContactKind::OutreachConversation, t0);
    let drop = supply_drop(&by, t0);
    let c = consent(
        &by,
        kelly_id,
        "vineyard",
        t0 + chrono::Duration::days(90),
        None,
        t0,
    );
    let r = referral(
        &by,
        kelly_id,
        "vineyard",
        id_of(&c),
        ReferralStatus::Sent,
        t0,
    );
    let v = || sam.version_at(t0);
    let mut batch = vec![change(RecordKind::Person, &v(), kelly.clone())];
    for x in with_her.iter().chain([&anonymous]) {
        batch.push(change(RecordKind::Contact, &v(), x.clone()));
    }
    batch.push(change(RecordKind::SupplyDrop, &v(), drop));
    batch.push(change(RecordKind::Consent, &v(), c));
    batch.push(change(RecordKind::Referral, &v(), r));
    s.push_ok(&sam, batch).await;

    let org = s.admin().find_organisation("Aspirations").unwrap();
    let dee = s
        .admin()
        .create_worker(&org.id, "Dee", Role::Supervisor, None)
        .unwrap();
    let viewer = Viewer {
        role: Role::Supervisor,
        worker_id: &dee.id,
        organisation_id: &org.id,
        agency_id: None,
    };
    let store = dashboard_store(&s);
    let round = nightround_server::dashboard::time::round_of(t0);
    let (contacts, supplies, overdue) = figures(&*store, &viewer, &s);
    assert_eq!(contacts.len(), 4, "three with her, one anonymous");
    assert!(contacts.iter().all(|c| c.round == round));
    assert_eq!(
        contacts
            .iter()
            .filter(|c| c.person_id == Some(kelly_id))
            .count(),
        3
    );
    assert_eq!(
        supplies,
        BTreeMap::from([("condoms".to_owned(), 4 * 5 + 40)])
    );
    assert!(overdue.is_empty(), "not yet due");

    // Her contacts, and the last of them, without opening one.
    let seen = store.people_seen(&viewer, s.now()).unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].meta.id, kelly_id);
    assert_eq!(seen[0].last_contact.map(|c| c.0), Some(id_of(&with_her[2])));
    assert_eq!(
        store.contacts_of(&viewer, s.now(), kelly_id).unwrap().count,
        3
    );
    let on_screen = store
        .people_on_screen(&viewer, s.now(), &[kelly_id])
        .unwrap();
    assert_eq!(on_screen.len(), 1);
    assert_eq!(on_screen[0].0.count, 3);
    assert_eq!(on_screen[0].1, 1, "her one referral is open");

    // The last contact deleted: counted nowhere, the one before is her last.
    let later = s.now() + chrono::Duration::minutes(5);
    s.push_ok(
        &sam,
        vec![tombstone(
            RecordKind::Contact,
            id_of(&with_her[2]),
            &sam.version_at(later),
        )],
    )
    .await;
    // A day later the referral is overdue.
    s.clock.advance(chrono::Duration::hours(25));
    let store = dashboard_store(&s);
    let (contacts, supplies, overdue) = figures(&*store, &viewer, &s);
    assert_eq!(contacts.len(), 3);
    assert_eq!(supplies["condoms"], 3 * 5 + 40);
    assert_eq!(overdue, BTreeMap::from([("vineyard".to_owned(), 1)]));
    let seen = store.people_seen(&viewer, s.now()).unwrap();
    assert_eq!(seen[0].last_contact.map(|c| c.0), Some(id_of(&with_her[1])));
    assert_eq!(
        store.contacts_of(&viewer, s.now(), kelly_id).unwrap().count,
        2
    );
    let rounds = store.contact_rounds(&viewer, s.now()).unwrap();
    assert_eq!(rounds, vec![round]);

    // Another organisation's supervisor counts none of it.
    let other = s.admin().create_organisation("Elsewhere").unwrap();
    let vi = s
        .admin()
        .create_worker(&other.id, "Vi", Role::Supervisor, None)
        .unwrap();
    let outsider = Viewer {
        role: Role::Supervisor,
        worker_id: &vi.id,
        organisation_id: &other.id,
        agency_id: None,
    };
    let (contacts, supplies, overdue) = figures(&*store, &outsider, &s);
    assert!(contacts.is_empty() && supplies.is_empty() && overdue.is_empty());
    assert!(store.people_seen(&outsider, s.now()).unwrap().is_empty());

    // No plaintext of a record beyond who, when and how many: the index
    // tables hold no area, note, alias or needs.
    for table in ["contact_index", "supply_index", "referral_index"] {
        let dump = format!("{:?}", s.sql(&format!("SELECT * FROM {table}")));
        for secret in ["ambleside", "york", "Kelly", "leaflet", "safe to stay"] {
            assert!(!dump.contains(secret), "{table} holds {secret}");
        }
    }
}

#[tokio::test]
async fn an_upgraded_database_fills_its_indexes_when_it_opens() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let by = sam.identity.clone();
    let t0 = s.now();
    let kelly = person(&by, "Kelly", t0);
    let kelly_id = id_of(&kelly);
    let c = consent(
        &by,
        kelly_id,
        "vineyard",
        t0 + chrono::Duration::days(90),
        None,
        t0,
    );
    let r = referral(
        &by,
        kelly_id,
        "vineyard",
        id_of(&c),
        ReferralStatus::Sent,
        t0,
    );
    let v = || sam.version_at(t0);
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &v(), kelly),
            change(
                RecordKind::Contact,
                &v(),
                contact(&by, Some(kelly_id), ContactKind::OutreachConversation, t0),
            ),
            change(RecordKind::SupplyDrop, &v(), supply_drop(&by, t0)),
            change(RecordKind::Consent, &v(), c),
            change(RecordKind::Referral, &v(), r),
        ],
    )
    .await;
    s.clock.advance(chrono::Duration::hours(25));
    let org = s.admin().find_organisation("Aspirations").unwrap();
    let dee = s
        .admin()
        .create_worker(&org.id, "Dee", Role::Supervisor, None)
        .unwrap();
    let viewer = Viewer {
        role: Role::Supervisor,
        worker_id: &dee.id,
        organisation_id: &org.id,
        agency_id: None,
    };
    let want = figures(&*dashboard_store(&s), &viewer, &s);
    assert_eq!(want.0.len(), 1);
    assert_eq!(want.2.len(), 1);

    // As a SQLite schema 9 database upgraded to 10 (a PostgreSQL 6 to 7)
    // finds itself: the tables empty and the request to fill them.
    s.sql("DELETE FROM contact_index; DELETE FROM supply_index; DELETE FROM referral_index");
    s.sql(if common::on_postgres() {
        "INSERT INTO server_meta (name, num) VALUES ('contact_index_pending', 1)"
    } else {
        "INSERT INTO server_meta (name, value) VALUES ('contact_index_pending', x'01')"
    });
    let store = dashboard_store(&s);
    assert_eq!(figures(&*store, &viewer, &s), want);
    assert!(s
        .sql("SELECT name FROM server_meta WHERE name = 'contact_index_pending'")
        .is_empty());
}

/// The index tables' rows, as text both backends print alike, sorted.
fn index_tables(s: &TestServer) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT 'c', contact_id, organisation_id, COALESCE(person_id, '-'),
             CAST(at AS TEXT), round FROM contact_index",
        "SELECT 's', record_id, item_id, organisation_id, round, CAST(quantity AS TEXT)
         FROM supply_index",
        "SELECT 'r', referral_id, organisation_id, agency_id, urgency,
             CASE WHEN open THEN 'open' ELSE 'shut' END,
             CASE WHEN awaiting THEN 'awaiting' ELSE 'answered' END, CAST(due_at AS TEXT)
         FROM referral_index",
    ] {
        rows.extend(s.sql(sql));
    }
    rows.sort();
    rows
}

/// The same rows recounted from the live records themselves, opened (every
/// record of one organisation, which `viewer`, its supervisor, may see).
fn recount(store: &dyn Backend, viewer: &Viewer<'_>, s: &TestServer) -> Vec<Vec<String>> {
    use nightround_server::store::dashboard_index::rows_of;
    let mut rows = Vec::new();
    for r in store.visible_records(viewer, s.now()).unwrap() {
        let (id, org) = (r.meta.id.to_string(), r.meta.organisation_id.clone());
        let got = rows_of(r.meta.kind, Some(&r.body));
        if let Some(c) = got.contact {
            let person = r.meta.person_id.map_or("-".to_owned(), |p| p.to_string());
            let at = c.at.timestamp_millis().to_string();
            rows.push(vec![
                "c".into(),
                id.clone(),
                org.clone(),
                person,
                at,
                c.round,
            ]);
        }
        for l in got.supplies {
            let q = l.quantity.to_string();
            rows.push(vec![
                "s".into(),
                id.clone(),
                l.item_id,
                org.clone(),
                l.round,
                q,
            ]);
        }
        if let Some(q) = got.referral {
            rows.push(vec![
                "r".into(),
                id.clone(),
                org.clone(),
                q.agency_id,
                q.urgency.into(),
                if q.open { "open" } else { "shut" }.into(),
                if q.awaiting { "awaiting" } else { "answered" }.into(),
                q.due_at.timestamp_millis().to_string(),
            ]);
        }
    }
    rows.sort();
    rows
}

/// Every change that stores a state or removes one keeps the index tables
/// equal to a recount from the opened records: pushes (new and edited),
/// a tombstone, an erasure and a retention run.
#[tokio::test]
async fn the_index_tables_equal_a_recount_after_pushes_tombstones_erasure_and_retention() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let by = sam.identity.clone();
    let t0 = s.now();
    let org = s.admin().find_organisation("Aspirations").unwrap();
    let dee = s
        .admin()
        .create_worker(&org.id, "Dee", Role::Supervisor, None)
        .unwrap();
    let viewer = Viewer {
        role: Role::Supervisor,
        worker_id: &dee.id,
        organisation_id: &org.id,
        agency_id: None,
    };
    let check = |what: &str| {
        let store = dashboard_store(&s);
        let (table, counted) = (index_tables(&s), recount(&*store, &viewer, &s));
        assert_eq!(table, counted, "after {what}");
        table.len()
    };

    let kelly = person(&by, "Kelly", t0);
    let jade = person(&by, "Jade", t0);
    let (kelly_id, jade_id) = (id_of(&kelly), id_of(&jade));
    let mut visits = Vec::new();
    let mut batch = vec![
        change(RecordKind::Person, &sam.version_at(t0), kelly),
        change(RecordKind::Person, &sam.version_at(t0), jade),
    ];
    for (i, her) in [kelly_id, kelly_id, jade_id].into_iter().enumerate() {
        let at = t0 + chrono::Duration::minutes(i as i64);
        let c = contact(&by, Some(her), ContactKind::OutreachConversation, at);
        batch.push(change(RecordKind::Contact, &sam.version_at(t0), c.clone()));
        visits.push(c);
    }
    batch.push(change(
        RecordKind::SupplyDrop,
        &sam.version_at(t0),
        supply_drop(&by, t0),
    ));
    for her in [kelly_id, jade_id] {
        let c = consent(
            &by,
            her,
            "vineyard",
            t0 + chrono::Duration::days(90),
            None,
            t0,
        );
        let r = referral(&by, her, "vineyard", id_of(&c), ReferralStatus::Sent, t0);
        batch.push(change(RecordKind::Consent, &sam.version_at(t0), c));
        batch.push(change(RecordKind::Referral, &sam.version_at(t0), r));
    }
    s.push_ok(&sam, batch).await;
    let n = check("the first push");
    assert_eq!(
        n,
        3 + 4 + 2,
        "three contacts, four supply rows, two referrals"
    );

    // An edit: Kelly's first visit handed out nine, not five.
    let mut edited = visits[0].clone();
    edited["supplies"][0]["quantity"] = 9.into();
    s.clock.advance(chrono::Duration::minutes(15));
    let later = s.now();
    s.push_ok(
        &sam,
        vec![change(RecordKind::Contact, &sam.version_at(later), edited)],
    )
    .await;
    check("an edit");
    assert!(index_tables(&s).iter().any(|r| r[0] == "s" && r[5] == "9"));

    // A tombstone.
    s.push_ok(
        &sam,
        vec![tombstone(
            RecordKind::Contact,
            id_of(&visits[1]),
            &sam.version_at(later),
        )],
    )
    .await;
    assert_eq!(check("a tombstone"), n - 2);

    // Jade erased: her contact and referral leave the indexes.
    s.admin().erase_person(jade_id, "w-sup").unwrap();
    let left = check("an erasure");
    assert!(left < n - 2, "her rows went: {left}");
    let jade_rows = index_tables(&s)
        .into_iter()
        .filter(|r| r.contains(&jade_id.to_string()) || r[1] == id_of(&visits[2]).to_string())
        .count();
    assert_eq!(jade_rows, 0);

    // Six years on, retention deletes Kelly's records.
    s.clock.set(t0 + chrono::Duration::days(6 * 365 + 30));
    let run = s.admin().run_retention().unwrap();
    assert!(run.total() > 0, "{run:?}");
    let after = check("a retention run");
    assert!(after < left, "retention removed rows: {after} of {left}");
}

/// The pages' questions are answered from the indexes, not by opening
/// every record: beside a few pushed records, 2,000 rows of the viewer's
/// own organisation are stored without bodies (as no push could store
/// them). Opening any of them fails, so every answer below would be an
/// error if the store opened the records it counts (the trait's default,
/// PostgreSQL before schema 7); the answers are those before the rows.
#[tokio::test]
async fn the_pages_read_the_indexes_and_open_no_record_they_count() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let by = sam.identity.clone();
    let t0 = s.now();
    let kelly = person(&by, "Kelly", t0);
    let kelly_id = id_of(&kelly);
    let c = consent(
        &by,
        kelly_id,
        "vineyard",
        t0 + chrono::Duration::days(90),
        None,
        t0,
    );
    let r = referral(
        &by,
        kelly_id,
        "vineyard",
        id_of(&c),
        ReferralStatus::Sent,
        t0,
    );
    s.push_ok(
        &sam,
        vec![
            change(RecordKind::Person, &sam.version_at(t0), kelly),
            change(
                RecordKind::Contact,
                &sam.version_at(t0),
                contact(&by, Some(kelly_id), ContactKind::OutreachConversation, t0),
            ),
            change(
                RecordKind::SupplyDrop,
                &sam.version_at(t0),
                supply_drop(&by, t0),
            ),
            change(RecordKind::Consent, &sam.version_at(t0), c),
            change(RecordKind::Referral, &sam.version_at(t0), r),
        ],
    )
    .await;
    let org = s.admin().find_organisation("Aspirations").unwrap();
    let dee = s
        .admin()
        .create_worker(&org.id, "Dee", Role::Supervisor, None)
        .unwrap();
    let viewer = Viewer {
        role: Role::Supervisor,
        worker_id: &dee.id,
        organisation_id: &org.id,
        agency_id: None,
    };
    type Shown = (
        Figures,
        Vec<chrono::NaiveDate>,
        Vec<(uuid::Uuid, Option<uuid::Uuid>)>,
        usize,
        usize,
        usize,
    );
    let shown = |store: &dyn Backend| -> Shown {
        let now = s.now();
        let people = store.people_seen(&viewer, now).unwrap();
        let on_screen = store.people_on_screen(&viewer, now, &[kelly_id]).unwrap();
        (
            figures(store, &viewer, &s),
            store.contact_rounds(&viewer, now).unwrap(),
            people
                .iter()
                .map(|p| (p.meta.id, p.last_contact.map(|c| c.0)))
                .collect(),
            store.contacts_of(&viewer, now, kelly_id).unwrap().count,
            store.referral_rows(&viewer, now).unwrap().len(),
            on_screen[0].1,
        )
    };
    let before = shown(&*dashboard_store(&s));
    assert_eq!(before.0 .0.len(), 1);
    assert_eq!(before.4, 1);

    let base: u64 = s.sql("SELECT COALESCE(MAX(seq), 0) FROM records")[0][0]
        .parse()
        .unwrap();
    let not_deleted = if common::on_postgres() { "FALSE" } else { "0" };
    let org_id = org.id.replace('\'', "''");
    for (kind, offset) in [("contact", 0), ("supply_drop", 1), ("referral", 2)] {
        s.sql(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700)
             INSERT INTO records (id, kind, version, seq, organisation_id, author_worker_id,
                 person_id, tombstone, body)
             SELECT '00000000-0000-7000-8000-' || CAST(100000000000 + {offset} * 1000 + i AS TEXT),
                 '{kind}', 'v', {base} + {offset} * 1000 + i, '{org_id}', 'w', '{kelly_id}',
                 {not_deleted}, NULL FROM n"
        ));
    }
    let store = dashboard_store(&s);
    // The bodiless rows really cannot be opened: a page that opened them
    // fails.
    assert!(store.visible_records(&viewer, s.now()).is_err());
    assert_eq!(shown(&*store), before);
}

/// The same pushes to a SQLite server and a PostgreSQL one: every figure
/// the dashboard shows (report, supplies, people, referrals, tonight's
/// board) is the same on both. Runs only on PostgreSQL.
#[tokio::test]
async fn sqlite_and_postgres_show_the_same_figures_for_the_same_pushes() {
    if !common::on_postgres() {
        eprintln!("\n*** SKIPPED: the backend comparison runs under scripts/pg.sh ***\n");
        return;
    }
    let pg = TestServer::start().await;
    let lite_dir = tempfile::tempdir().unwrap();
    let lite_server = nightround_server::start(
        nightround_server::ServerConfig::new(lite_dir.path(), "127.0.0.1:0".parse().unwrap())
            .plain_http()
            .with_clock(pg.clock.clone())
            .with_watchdog_every(std::time::Duration::from_secs(3600)),
    )
    .await
    .unwrap();
    let lite = TestServer {
        server: lite_server,
        dir: lite_dir,
        clock: pg.clock.clone(),
        http: reqwest::Client::new(),
    };
    let t0 = pg.now();
    let mut devices = Vec::new();
    for s in [&pg, &lite] {
        devices.push(
            s.device("Aspirations", "Sam", Role::OutreachWorker, None)
                .await,
        );
    }
    let by = devices[0].identity.clone();
    // One batch of bodies, pushed to both.
    let mut bodies = Vec::new();
    let mut people = Vec::new();
    for i in 0..6i64 {
        let at = t0 - chrono::Duration::days(i * 3) + chrono::Duration::minutes(i);
        let her = person(&by, &format!("Woman {i}"), at);
        let her_id = id_of(&her);
        people.push(her_id);
        bodies.push((RecordKind::Person, her));
        for j in 0..=(i % 3) {
            let c = contact(
                &by,
                Some(her_id),
                ContactKind::OutreachConversation,
                at + chrono::Duration::minutes(j),
            );
            bodies.push((RecordKind::Contact, c));
        }
        if i % 2 == 0 {
            let c = consent(
                &by,
                her_id,
                "vineyard",
                at + chrono::Duration::days(90),
                None,
                at,
            );
            let status = if i == 0 {
                ReferralStatus::Accepted
            } else {
                ReferralStatus::Sent
            };
            let r = referral(&by, her_id, "vineyard", id_of(&c), status, at);
            bodies.push((RecordKind::Consent, c));
            bodies.push((RecordKind::Referral, r));
        }
        bodies.push((RecordKind::SupplyDrop, supply_drop(&by, at)));
    }
    bodies.push((
        RecordKind::Contact,
        contact(&by, None, ContactKind::OutreachConversation, t0),
    ));
    // Woman 1's first contact is deleted on both.
    let gone = bodies
        .iter()
        .filter(|(k, _)| *k == RecordKind::Contact)
        .map(|(_, b)| id_of(b))
        .nth(1)
        .unwrap();
    let identities = [devices[0].identity.clone(), devices[1].identity.clone()];
    let store_identity = |s: &TestServer| {
        if std::ptr::eq(s, &pg) {
            identities[0].clone()
        } else {
            identities[1].clone()
        }
    };
    for (s, dev) in [&pg, &lite].into_iter().zip(&devices) {
        // Each server's device records under its own worker identity.
        let batch = bodies
            .iter()
            .map(|(k, b)| {
                let mut b = b.clone();
                swap(&mut b, &ident(&by), &ident(&dev.identity));
                change(*k, &dev.version_at(t0), b)
            })
            .collect();
        s.push_ok(dev, batch).await;
        s.push_ok(
            dev,
            vec![tombstone(RecordKind::Contact, gone, &dev.version_at(t0))],
        )
        .await;
    }
    pg.clock.advance(chrono::Duration::hours(30));

    let mut shown = Vec::new();
    for (s, store) in [
        (&pg, dashboard_store(&pg)),
        (&lite, {
            let paths = nightround_server::ServerConfig::new(
                lite.dir.path(),
                "127.0.0.1:0".parse().unwrap(),
            )
            .paths();
            let keys = nightround_server::keys::load_or_create(&paths).unwrap();
            open_backend(None, &paths.database(), keys.records, lite.now()).unwrap()
        }),
    ] {
        let org = s.admin().find_organisation("Aspirations").unwrap();
        let dee = s
            .admin()
            .create_worker(&org.id, "Dee", Role::Supervisor, None)
            .unwrap();
        let viewer = Viewer {
            role: Role::Supervisor,
            worker_id: &dee.id,
            organisation_id: &org.id,
            agency_id: None,
        };
        let now = s.now();
        let mut referrals: Vec<_> = store
            .referral_rows(&viewer, now)
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    r.agency_id,
                    format!("{:?}", r.urgency),
                    r.open,
                    r.awaiting,
                    r.due_at,
                )
            })
            .collect();
        referrals.sort();
        let seen: Vec<_> = store
            .people_seen(&viewer, now)
            .unwrap()
            .into_iter()
            .map(|p| (p.meta.id, p.last_contact))
            .collect();
        let on_screen: Vec<_> = store
            .people_on_screen(&viewer, now, &people)
            .unwrap()
            .into_iter()
            .map(|(c, open)| (c.count, c.last, open))
            .collect();
        let from = now.date_naive() - chrono::Duration::days(30);
        let to = now.date_naive() + chrono::Duration::days(1);
        let supplies = store.supply_tallies(&viewer, now, from, to).unwrap();
        let opened: Vec<_> = store
            .open_records(&viewer, now, &people)
            .unwrap()
            .into_iter()
            .map(|r| {
                let mut body = serde_json::Value::Object(r.body);
                swap(&mut body, &ident(&store_identity(s)), &ident(&by));
                (r.meta.id, body)
            })
            .collect();
        shown.push(format!(
            "{:?}",
            (
                figures(&*store, &viewer, s),
                supplies,
                store.contact_rounds(&viewer, now).unwrap(),
                referrals,
                seen,
                on_screen,
                opened,
            )
        ));
    }
    assert!(shown[0].contains("vineyard"), "{}", shown[0]);
    assert_eq!(shown[0], shown[1]);
}

fn ident(w: &nightround_core::domain::WorkerIdentity) -> serde_json::Value {
    serde_json::to_value(w).unwrap()
}

/// Replaces every `from` inside `v` with `to` (one worker's identity for
/// another's).
fn swap(v: &mut serde_json::Value, from: &serde_json::Value, to: &serde_json::Value) {
    if v == from {
        *v = to.clone();
        return;
    }
    match v {
        serde_json::Value::Object(m) => m.values_mut().for_each(|x| swap(x, from, to)),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| swap(x, from, to)),
        _ => {}
    }
}
