//! The dashboard's narrowed reads (issue 11): a page names the kinds, the
//! time or the person it shows, and the store returns those rows only,
//! through the same policy as a full read. The real store (SQLite, or
//! PostgreSQL under scripts/pg.sh), records pushed through the real sync
//! API on a moving clock.

mod common;

use common::{change, concern, contact, id_of, person, TestServer};
use nightround_core::domain::{ContactKind, RecordKind, Role};
use nightround_server::policy::Viewer;
use nightround_server::store::dashboard::Scope;
use nightround_server::store::open::{open_backend, Backend};
use std::collections::BTreeSet;
use std::sync::Arc;
use uuid::Uuid;

/// The test server's own store, whichever backend it runs on.
fn dashboard_store(s: &TestServer) -> Arc<dyn Backend> {
    let config = common::config(s.dir.path(), &s.clock);
    let paths = config.paths();
    let keys = nightround_server::keys::load_or_create(&paths).unwrap();
    open_backend(
        config.database.as_deref(),
        &paths.database(),
        keys.records,
        s.now(),
    )
    .unwrap()
}

fn ids(records: &[nightround_server::store::dashboard::VisibleRecord]) -> BTreeSet<Uuid> {
    records.iter().map(|r| r.meta.id).collect()
}

#[tokio::test]
async fn a_scope_returns_only_the_kinds_times_and_person_asked_for() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let by = sam.identity.clone();

    // Yesterday evening: Kelly's profile, two contacts with her, one without
    // a name, a concern.
    let t0 = s.now();
    let kelly = person(&by, "Kelly", t0);
    let kelly_id = id_of(&kelly);
    let old_with_her: Vec<_> = (0..2)
        .map(|_| contact(&by, Some(kelly_id), ContactKind::OutreachConversation, t0))
        .collect();
    let old_anonymous = contact(&by, None, ContactKind::OutreachConversation, t0);
    let old_concern = concern(&by, None, t0);
    let mut batch = vec![change(
        RecordKind::Person,
        &sam.version_at(t0),
        kelly.clone(),
    )];
    for c in old_with_her.iter().chain([&old_anonymous]) {
        batch.push(change(RecordKind::Contact, &sam.version_at(t0), c.clone()));
    }
    batch.push(change(
        RecordKind::Concern,
        &sam.version_at(t0),
        old_concern.clone(),
    ));
    s.push_ok(&sam, batch).await;

    // Tonight: one contact with her, one concern with a team alert.
    s.clock.advance(chrono::Duration::days(1));
    let t1 = s.now();
    let new_with_her = contact(&by, Some(kelly_id), ContactKind::OutreachConversation, t1);
    let alert = concern(&by, Some(t1 + chrono::Duration::hours(6)), t1);
    s.push_ok(
        &sam,
        vec![
            change(
                RecordKind::Contact,
                &sam.version_at(t1),
                new_with_her.clone(),
            ),
            change(RecordKind::Concern, &sam.version_at(t1), alert.clone()),
        ],
    )
    .await;

    let store = dashboard_store(&s);
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
    let read = |scope: Scope| ids(&store.visible_records_in(&viewer, now, &scope).unwrap());

    // By kind: every contact, nothing else.
    let all_contacts: BTreeSet<Uuid> = old_with_her
        .iter()
        .chain([&old_anonymous, &new_with_her])
        .map(id_of)
        .collect();
    assert_eq!(read(Scope::kinds(&[RecordKind::Contact])), all_contacts);

    // Since tonight began: tonight's contact and concern, not yesterday's.
    let tonight = read(Scope::since(
        &[RecordKind::Contact, RecordKind::Concern],
        t1 - chrono::Duration::hours(2),
    ));
    assert_eq!(
        tonight,
        BTreeSet::from([id_of(&new_with_her), id_of(&alert)])
    );

    // Her profile and the contacts with her, not the anonymous one.
    let hers = read(Scope {
        person: Some(kelly_id),
        ..Scope::kinds(&[RecordKind::Person, RecordKind::Contact])
    });
    let mut expected: BTreeSet<Uuid> = old_with_her.iter().map(id_of).collect();
    expected.insert(kelly_id);
    expected.insert(id_of(&new_with_her));
    assert_eq!(hers, expected);

    // Live team alerts only.
    let alerts = read(Scope {
        alert_after: Some(now),
        ..Scope::kinds(&[RecordKind::Concern])
    });
    assert_eq!(alerts, BTreeSet::from([id_of(&alert)]));

    // The same policy as a full read: another organisation's supervisor
    // sees no profile or contact of ours however she asks, and a scope
    // gives her exactly what a full read gives her of its kinds (a live
    // team alert is the partnership's).
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
    let scope = Scope::kinds(&[RecordKind::Person, RecordKind::Contact]);
    assert!(store
        .visible_records_in(&outsider, now, &scope)
        .unwrap()
        .is_empty());
    let full: BTreeSet<Uuid> = store
        .visible_records(&outsider, now)
        .unwrap()
        .iter()
        .filter(|r| r.meta.kind == RecordKind::Concern)
        .map(|r| r.meta.id)
        .collect();
    let scoped = ids(&store
        .visible_records_in(&outsider, now, &Scope::kinds(&[RecordKind::Concern]))
        .unwrap());
    assert_eq!(scoped, full);
}
