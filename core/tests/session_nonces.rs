//! The unlocked vault draws nonces and record ids from its own generator,
//! seeded from the OS at each unlock (crypto/session_rng.rs): no nonce may
//! ever repeat, across locks, unlocks and restarts, in the record envelopes
//! or in the outbox copies sealed to the server.

mod common;
use base64::Engine;
use common::*;
use nightround_core::crypto::sealed_box::{change_aad, open_sealed, ServerSealingKey};
use std::collections::HashSet;

/// Enrols the fixture's vault, so that every write also seals an outbox copy.
fn enrol(f: &Fixture) -> ServerSealingKey {
    let server = ServerSealingKey::generate();
    f.vault
        .set_enrolment(nightround_core::vault::Enrolment {
            server_url: "https://sync.example.org/".into(),
            pinned_cert_pem: None,
            device_id: uuid::Uuid::now_v7(),
            token: "t".into(),
            lease_days: 30,
            server_sealing_key: Some(
                base64::engine::general_purpose::STANDARD.encode(server.public()),
            ),
        })
        .unwrap();
    server
}

/// Every nonce in the file: the records' envelopes (bytes 5..29), the
/// outbox copies (bytes 33..57), the sealed settings.
fn nonces(f: &Fixture) -> (Vec<[u8; 24]>, usize) {
    let raw = f.raw();
    let mut out = Vec::new();
    let mut copies = 0;
    for (sql, at) in [
        ("SELECT body FROM records WHERE body IS NOT NULL", 5),
        ("SELECT body FROM record_history WHERE body IS NOT NULL", 5),
        ("SELECT body FROM sealed_meta", 5),
        (
            "SELECT sealed_copy FROM outbox WHERE sealed_copy IS NOT NULL",
            33,
        ),
    ] {
        let mut stmt = raw.prepare(sql).unwrap();
        let blobs: Vec<Vec<u8>> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if at == 33 {
            copies += blobs.len();
        }
        for b in blobs {
            out.push(b[at..at + 24].try_into().unwrap());
        }
    }
    (out, copies)
}

#[test]
fn no_nonce_repeats_across_unlocks_and_restarts() {
    let mut f = Fixture::new();
    let server = enrol(&f);
    let jade = f.add("Jade");
    let mut contacts = Vec::new();
    for round in 0..4 {
        for i in 0..25 {
            contacts.push(f.contact(Some(&jade), &format!("round {round}, contact {i}")));
        }
        if round % 2 == 0 {
            f.vault.lock();
        } else {
            // Killed: a new process, a new generator.
            f.reopen();
        }
        f.vault.unlock(PIN).unwrap();
    }
    let (all, copies) = nonces(&f);
    assert_eq!(copies, 101, "every change carries its sealed copy");
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "a nonce was used twice");
    assert!(!all.contains(&[0u8; 24]));

    // Everything still opens: the records with the vault's key, the
    // outbox copies with the server's.
    let opened: HashSet<uuid::Uuid> = f
        .vault
        .person_timeline(jade.id)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e {
            nightround_core::vault::TimelineEntry::Contact { contact } => Some(contact.id),
            _ => None,
        })
        .collect();
    assert!(contacts.iter().all(|c| opened.contains(&c.id)));
    let raw = f.raw();
    let mut stmt = raw
        .prepare("SELECT kind, id, version, sealed_copy FROM outbox")
        .unwrap();
    let rows: Vec<(String, String, String, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (kind, id, version, sealed) in rows {
        let plain = open_sealed(&server, &change_aad(&kind, &id, &version), &sealed).unwrap();
        assert!(contains(&plain, id.as_bytes()));
    }
}

#[test]
fn record_ids_keep_their_creation_order() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    // The test clock does not move: every contact has the same time, and
    // the screens break the tie on the id.
    let ids: Vec<uuid::Uuid> = (0..50)
        .map(|i| f.contact(Some(&jade), &format!("contact {i}")).id)
        .collect();
    for w in ids.windows(2) {
        assert!(w[0] < w[1]);
    }
    for id in &ids {
        assert_eq!(id.get_version(), Some(uuid::Version::SortRand));
    }
    let distinct: HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
}
