//! Retention on the phone (issue 10), on an injected clock and a real vault
//! file: what the server has acknowledged and the window has passed is
//! purged — row, index columns, history — and a byte scan of the database,
//! WAL and shared-memory files finds none of it; her open referrals, alerts
//! in force and anything still in the outbox stay. A deletion pulled from the
//! server (erasure, the server's schedule) leaves no body or history either.

mod common;

use common::*;
use nightround_core::domain::*;
use nightround_core::sync::protocol::{Change, PullResponse, PulledChange};
use nightround_core::{CoreError, Timestamp};
use serde::Serialize;
use std::path::Path;
use uuid::Uuid;

/// A page as the server would send it, of records made on another phone.
struct Page {
    changes: Vec<PulledChange>,
    seq: u64,
}

impl Page {
    fn new() -> Self {
        Page {
            changes: vec![],
            seq: 0,
        }
    }

    fn put<T: Serialize>(&mut self, kind: RecordKind, id: Uuid, at: Timestamp, body: &T) {
        self.seq += 1;
        self.changes.push(PulledChange {
            seq: self.seq,
            change: Change::new(
                kind,
                id,
                version(at, self.seq),
                false,
                Some(serde_json::to_value(body).unwrap()),
            ),
        });
    }

    fn tombstone(&mut self, kind: RecordKind, id: Uuid, at: Timestamp) {
        self.seq += 1;
        self.changes.push(PulledChange {
            seq: self.seq,
            change: Change::new(kind, id, version(at, self.seq), true, None),
        });
    }

    fn response(self, at: Timestamp, cursor: u64) -> PullResponse {
        PullResponse {
            changes: self.changes,
            next_cursor: cursor + self.seq,
            more: false,
            directory: None,
            server_time: at,
            team: None,
            retract: vec![],
        }
    }
}

/// An HLC version of another phone (`PPPPPPPPPPPPP-LLLLL-NODE`).
fn version(at: Timestamp, n: u64) -> String {
    format!("{:013}-{:05}-otherphone", at.timestamp_millis(), n)
}

fn files(db: &Path) -> Vec<Vec<u8>> {
    nightround_core::vault::vault_files(db)
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// Sealed bodies (current and history) the file holds for `id`.
fn bodies(db: &Path, id: Uuid) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = vec![];
    for table in ["records", "record_history"] {
        let mut st = conn
            .prepare(&format!(
                "SELECT body FROM {table} WHERE id = ?1 AND body IS NOT NULL"
            ))
            .unwrap();
        out.extend(
            st.query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    out
}

fn rows(db: &Path, id: Uuid) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT (SELECT COUNT(*) FROM records WHERE id = ?1)
                  + (SELECT COUNT(*) FROM record_history WHERE id = ?1)",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap()
}

/// What a byte scan of the vault's files still finds of `ids` (as text) and
/// of `sealed` (a 24-byte slice from the middle of each body).
fn scan(db: &Path, ids: &[Uuid], sealed: &[Vec<u8>]) -> Vec<String> {
    let files = files(db);
    let has = |n: &[u8]| files.iter().any(|f| contains(f, n));
    let mut found = vec![];
    for id in ids {
        if has(id.to_string().as_bytes()) {
            found.push(format!("id {id}"));
        }
    }
    for (i, b) in sealed.iter().enumerate() {
        let mid = b.len() / 2;
        if b.len() >= 48 && has(&b[mid - 12..mid + 12]) {
            found.push(format!("sealed body #{i}"));
        }
    }
    found
}

fn concern_draft(reported_by: Option<Uuid>, alert_until: Option<Timestamp>) -> ConcernDraft {
    ConcernDraft {
        category: ConcernCategory::Threats,
        description: "a man in a grey van followed her".into(),
        vehicle: None,
        area_id: "york_road".into(),
        at: None,
        severity: Severity::High,
        alert_until,
        police_consent: false,
        reported_by,
    }
}

#[test]
fn acknowledged_records_past_the_window_are_purged_and_a_byte_scan_finds_nothing() {
    let mut phone = Fixture::new();
    let other = Fixture::new();
    // Made on another phone and pulled here: acknowledged by the server.
    let jade = other.add("Jade");
    let jade_contact = other.contact(Some(&jade), "Jade-canary slept in the park");
    let kim = other.add("Kim");
    let kim_contact = other.contact(Some(&kim), "Kim-canary");
    let consents = other
        .vault
        .record_consent(ConsentDraft {
            person_id: kim.id,
            agency_ids: vec!["harp".into()],
            method: ConsentMethod::Verbal,
            covers: vec![InfoCategory::Housing],
            review_at: None,
        })
        .unwrap();
    let referral = other
        .vault
        .make_referral(ReferralDraft {
            person_id: kim.id,
            agency_id: "harp".into(),
            urgency: Urgency::Green,
            needs: "a bed tonight".into(),
        })
        .unwrap();
    let t = evening();
    let mut page = Page::new();
    page.put(RecordKind::Person, jade.id, t, &jade);
    page.put(RecordKind::Contact, jade_contact.id, t, &jade_contact);
    page.put(RecordKind::Person, kim.id, t, &kim);
    page.put(RecordKind::Contact, kim_contact.id, t, &kim_contact);
    page.put(RecordKind::Consent, consents[0].id, t, &consents[0]);
    page.put(RecordKind::Referral, referral.id, t, &referral);
    // Jade's profile edited once: the first version is in history.
    let mut jade2 = jade.clone();
    jade2.description = Some("red coat".into());
    page.put(RecordKind::Person, jade.id, t, &jade2);
    phone.vault.apply_pull(&page.response(t, 0)).unwrap();
    // Made on this phone and never sent: still in the outbox.
    let lou = phone.add("Lou");
    let lou_contact = phone.contact(Some(&lou), "Lou-canary");

    let jade_ids = [jade.id, jade_contact.id];
    let mut sealed = bodies(&phone.path, jade.id);
    sealed.extend(bodies(&phone.path, jade_contact.id));
    assert!(sealed.len() >= 3, "{} sealed bodies", sealed.len());
    // The scan can fail: her records are in the file now.
    phone.reopen();
    phone.vault.unlock(PIN).unwrap();
    assert_eq!(scan(&phone.path, &jade_ids, &sealed).len(), 5);

    // Inside the window nothing goes.
    phone.clock.advance(chrono::Duration::days(89));
    phone.vault.unlock(PIN).ok();
    assert_eq!(phone.vault.purge_expired().unwrap().records, 0);
    assert_eq!(rows(&phone.path, jade_contact.id), 1);

    phone.clock.advance(chrono::Duration::days(2));
    phone.vault.unlock(PIN).ok();
    let report = phone.vault.purge_expired().unwrap();
    // Jade (profile and contact), Kim's contact; Kim stays for her open
    // referral, with her consent.
    assert_eq!(report.records, 3, "{report:?}");
    assert_eq!(report.people, 1);
    for id in [jade.id, jade_contact.id, kim_contact.id] {
        assert_eq!(rows(&phone.path, id), 0, "{id} still has rows");
    }
    for id in [kim.id, consents[0].id, referral.id, lou.id, lou_contact.id] {
        assert!(rows(&phone.path, id) >= 1, "{id} was purged");
    }
    let left = scan(&phone.path, &jade_ids, &sealed);
    assert!(left.is_empty(), "a byte scan still finds {left:?}");
    let wal = std::fs::metadata(&nightround_core::vault::vault_files(&phone.path)[1]);
    assert_eq!(wal.map(|m| m.len()).unwrap_or(0), 0, "WAL truncated");
    // What she sees follows.
    assert!(phone.vault.find_people("Ja").unwrap().is_empty());
    assert_eq!(phone.vault.find_people("Ki").unwrap().len(), 1);
    assert!(matches!(
        phone.vault.person(jade.id),
        Err(CoreError::NotFound(_))
    ));

    // Her referral closed: it and she go on the next purge.
    let mut closed = referral.clone();
    closed.status = ReferralStatus::Closed;
    let mut page = Page::new();
    let later = evening() + chrono::Duration::days(91);
    page.put(RecordKind::Referral, referral.id, later, &closed);
    phone.vault.apply_pull(&page.response(later, 100)).unwrap();
    let report = phone.vault.purge_expired().unwrap();
    assert_eq!(report.records, 3, "referral, consent, Kim: {report:?}");
    for id in [kim.id, consents[0].id, referral.id] {
        assert_eq!(rows(&phone.path, id), 0);
    }
}

#[test]
fn an_alert_in_force_stays_past_the_window() {
    let phone = Fixture::new();
    let other = Fixture::new();
    phone.vault.set_phone_window_days(7).unwrap();
    assert_eq!(phone.vault.phone_window_days().unwrap(), 7);
    let concern = other
        .vault
        .raise_concern(concern_draft(
            None,
            Some(evening() + chrono::Duration::days(20)),
        ))
        .unwrap();
    let mut page = Page::new();
    page.put(RecordKind::Concern, concern.id, evening(), &concern);
    phone
        .vault
        .apply_pull(&page.response(evening(), 0))
        .unwrap();
    phone.clock.advance(chrono::Duration::days(10));
    phone.vault.unlock(PIN).ok();
    assert_eq!(phone.vault.purge_expired().unwrap().records, 0);
    assert_eq!(rows(&phone.path, concern.id), 1);
    phone.clock.advance(chrono::Duration::days(11));
    phone.vault.unlock(PIN).ok();
    assert_eq!(phone.vault.purge_expired().unwrap().records, 1);
    assert_eq!(rows(&phone.path, concern.id), 0);
}

#[test]
fn a_window_out_of_range_is_refused_and_changes_nothing() {
    let phone = Fixture::new();
    assert_eq!(phone.vault.phone_window_days().unwrap(), 90);
    for days in [0, 3, 400] {
        assert!(matches!(
            phone.vault.set_phone_window_days(days),
            Err(CoreError::Validation(
                ValidationError::PhoneWindowOutOfRange { .. }
            ))
        ));
    }
    assert_eq!(phone.vault.phone_window_days().unwrap(), 90);
}

#[test]
fn a_deletion_from_the_server_leaves_no_body_or_history() {
    let phone = Fixture::new();
    let other = Fixture::new();
    let jade = other.add("Jade");
    let mut jade2 = jade.clone();
    jade2.description = Some("red coat".into());
    let mut page = Page::new();
    page.put(RecordKind::Person, jade.id, evening(), &jade);
    page.put(RecordKind::Person, jade.id, evening(), &jade2);
    phone
        .vault
        .apply_pull(&page.response(evening(), 0))
        .unwrap();
    let sealed = bodies(&phone.path, jade.id);
    assert_eq!(sealed.len(), 2, "current and history");
    assert_eq!(scan(&phone.path, &[], &sealed).len(), 2);
    let mut page = Page::new();
    page.seq = 10;
    page.tombstone(RecordKind::Person, jade.id, evening());
    phone
        .vault
        .apply_pull(&page.response(evening(), 10))
        .unwrap();
    assert!(bodies(&phone.path, jade.id).is_empty());
    let left = scan(&phone.path, &[], &sealed);
    assert!(left.is_empty(), "a byte scan still finds {left:?}");
    // The tombstone itself (her id) goes on the next purge (after a sync).
    assert_eq!(rows(&phone.path, jade.id), 1);
    assert_eq!(phone.vault.purge_expired().unwrap().records, 1);
    let left = scan(&phone.path, &[jade.id], &sealed);
    assert!(left.is_empty(), "a byte scan still finds {left:?}");
}
