//! The indexes the dashboard counts from (issue 11, SQLite schema 10): kept
//! in the push's transaction, dropped with a tombstone, filled in when an
//! upgraded database opens, and always saying what the opened records say.
//! Real SQLite, records pushed through the real sync API.

mod common;

use common::{
    change, consent, contact, id_of, person, referral, supply_drop, tombstone, TestServer,
};
use nightround_core::domain::{ContactKind, RecordKind, ReferralStatus, Role};
use nightround_server::policy::Viewer;
use nightround_server::store::dashboard::{ContactTally, DashboardStore, SupplyTally};
use nightround_server::store::sqlite::SqliteStore;
use std::collections::BTreeMap;

fn dashboard_store(s: &TestServer) -> SqliteStore {
    let config = common::config(s.dir.path(), &s.clock);
    let paths = config.paths();
    let keys = nightround_server::keys::load_or_create(&paths).unwrap();
    SqliteStore::open(&paths.database(), keys.records, s.now()).unwrap()
}

/// What the store says: contacts (sorted), supplies by item, overdue by agency.
type Figures = (
    Vec<ContactTally>,
    BTreeMap<String, u64>,
    BTreeMap<String, usize>,
);

fn figures(store: &SqliteStore, viewer: &Viewer<'_>, s: &TestServer) -> Figures {
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
    if common::on_postgres() {
        return;
    }
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
    let (contacts, supplies, overdue) = figures(&store, &viewer, &s);
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
    let (contacts, supplies, overdue) = figures(&store, &viewer, &s);
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
    let (contacts, supplies, overdue) = figures(&store, &outsider, &s);
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
    if common::on_postgres() {
        return;
    }
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
    let want = figures(&dashboard_store(&s), &viewer, &s);
    assert_eq!(want.0.len(), 1);
    assert_eq!(want.2.len(), 1);

    // As a schema 9 database upgraded to 10 finds itself: the tables empty
    // and the request to fill them.
    s.sql(
        "DELETE FROM contact_index; DELETE FROM supply_index; DELETE FROM referral_index;
         INSERT INTO server_meta (name, value) VALUES ('contact_index_pending', x'01')",
    );
    let store = dashboard_store(&s);
    assert_eq!(figures(&store, &viewer, &s), want);
    assert!(s
        .sql("SELECT name FROM server_meta WHERE name = 'contact_index_pending'")
        .is_empty());
}
