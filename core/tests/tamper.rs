//! A stolen or damaged file: every flipped byte, swapped rows and wrong keys
//! are typed errors, never a panic and never a wrong answer.

mod common;
use common::*;
use nightround_core::crypto::EnvelopeError;
use nightround_core::CoreError;

fn body_of(f: &Fixture, id: &uuid::Uuid) -> Vec<u8> {
    f.raw()
        .query_row(
            "SELECT body FROM records WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap()
}

fn set_body(f: &Fixture, id: &uuid::Uuid, body: &[u8]) {
    f.raw()
        .execute(
            "UPDATE records SET body = ?1 WHERE id = ?2",
            (body, id.to_string()),
        )
        .unwrap();
}

#[test]
fn every_flipped_byte_of_a_stored_envelope_is_a_typed_error() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let original = body_of(&f, &jade.id);
    for i in 0..original.len() {
        let mut bad = original.clone();
        bad[i] ^= 0x5a;
        set_body(&f, &jade.id, &bad);
        let err = f.vault.person(jade.id).unwrap_err();
        let expected_ok = matches!(
            (i, &err),
            (0, CoreError::Envelope(EnvelopeError::UnknownVersion(_)))
                | (1..=4, CoreError::Envelope(EnvelopeError::UnknownKey { .. }))
                | (5.., CoreError::Envelope(EnvelopeError::Forged))
        );
        assert!(expected_ok, "byte {i}: {err:?}");
    }
    set_body(&f, &jade.id, &original);
    assert_eq!(f.vault.person(jade.id).unwrap().alias, "Jade");
    // Truncated and empty bodies.
    set_body(&f, &jade.id, &original[..10]);
    assert!(matches!(
        f.vault.person(jade.id),
        Err(CoreError::Envelope(EnvelopeError::TooShort { len: 10 }))
    ));
}

#[test]
fn swapped_ciphertexts_fail_to_open() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let amy = f.add("Amy");
    let a = body_of(&f, &jade.id);
    let b = body_of(&f, &amy.id);
    set_body(&f, &jade.id, &b);
    set_body(&f, &amy.id, &a);
    assert_eq!(
        f.vault.person(jade.id),
        Err(CoreError::Envelope(EnvelopeError::Forged))
    );
    // The list does not open them either: both are left out and named
    // (issue 13: one damaged record must not blank the screen).
    assert_eq!(f.vault.find_people(""), Ok(vec![]));
    let page = f.vault.people_page("", 0, 50).unwrap();
    let mut named = page.unreadable.clone();
    named.sort();
    let mut both = vec![jade.id, amy.id];
    both.sort();
    assert_eq!(named, both);
    assert_eq!(
        page.notice.as_deref(),
        Some("2 records could not be read; they are left out.")
    );
}

#[test]
fn an_old_version_replayed_into_the_row_fails() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let v1 = body_of(&f, &jade.id);
    f.vault
        .update_person(
            jade.id,
            nightround_core::domain::PersonDraft {
                alias: "Jade".into(),
                prefers_female_worker: true,
                ..Default::default()
            },
        )
        .unwrap();
    // Put the first version's body back under the new version number.
    set_body(&f, &jade.id, &v1);
    assert_eq!(
        f.vault.person(jade.id),
        Err(CoreError::Envelope(EnvelopeError::Forged))
    );
}

#[test]
fn a_body_moved_to_another_kind_fails() {
    let f = Fixture::new();
    let jade = f.add("Jade");
    let contact = f.contact(Some(&jade), "chatted");
    // Re-label the contact row as a person row with the contact's id.
    f.raw()
        .execute(
            "UPDATE records SET kind = 'person' WHERE id = ?1",
            [contact.id.to_string()],
        )
        .unwrap();
    assert_eq!(
        f.vault.person(contact.id),
        Err(CoreError::Envelope(EnvelopeError::Forged))
    );
}

#[test]
fn another_vaults_key_cannot_open_a_copied_row() {
    let a = Fixture::new();
    let b = Fixture::new();
    let jade_a = a.add("Jade");
    let jade_b = b.add("Jade");
    // Same id, same version, copied across: different data keys.
    let body = body_of(&a, &jade_a.id);
    let version: String = a
        .raw()
        .query_row(
            "SELECT version FROM records WHERE id = ?1",
            [jade_a.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    b.raw()
        .execute(
            "UPDATE records SET id = ?1, version = ?2, body = ?3 WHERE id = ?4",
            (jade_a.id.to_string(), version, body, jade_b.id.to_string()),
        )
        .unwrap();
    assert_eq!(
        b.vault.person(jade_a.id),
        Err(CoreError::Envelope(EnvelopeError::Forged))
    );
}
