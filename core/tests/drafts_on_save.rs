//! A saved contact drops the contact form's draft every time, including after
//! the vault has learned the draft was gone (saves then skip the delete:
//! `drafts::KnownAbsent`), after a draft is autosaved again, after a discard,
//! and after the app is killed and unlocked again. Raw-file checks: the
//! draft's sealed row is gone, not just unreadable.

mod common;

use common::*;
use nightround_core::domain::*;
use nightround_core::vault::{FormDraft, FormKind};

fn contact_draft(note: &str) -> FormDraft {
    FormDraft::Contact {
        draft: ContactDraft {
            person_id: None,
            at: None,
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![],
            note: Some(note.into()),
            supplies: vec![],
            safeguarding_acknowledged: false,
        },
    }
}

/// Rows of `sealed_meta` holding the contact form's draft, read raw.
fn contact_draft_rows(f: &Fixture) -> i64 {
    f.raw()
        .query_row(
            "SELECT count(*) FROM sealed_meta WHERE name = 'draft.contact'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn every_saved_contact_drops_the_draft_the_form_autosaved() {
    let mut f = Fixture::new();
    // Nothing saved yet: a save with no draft (the vault then knows none is there).
    f.contact(None, "first");
    assert_eq!(contact_draft_rows(&f), 0);

    for round in 0..3 {
        f.vault
            .save_draft(contact_draft(&format!("half-typed {round}")))
            .unwrap();
        assert_eq!(contact_draft_rows(&f), 1);
        assert!(f.vault.draft(FormKind::Contact).unwrap().is_some());
        f.contact(None, "saved");
        assert_eq!(contact_draft_rows(&f), 0, "round {round}");
        assert_eq!(f.vault.draft(FormKind::Contact).unwrap(), None);
        // A save with no draft in between changes nothing.
        f.contact(None, "another");
        assert_eq!(contact_draft_rows(&f), 0);
    }

    // Discarded, then autosaved again: the next save still drops it.
    f.vault.save_draft(contact_draft("to discard")).unwrap();
    f.vault.discard_draft(FormKind::Contact).unwrap();
    assert_eq!(contact_draft_rows(&f), 0);
    f.vault.save_draft(contact_draft("again")).unwrap();
    f.contact(None, "saved after a discard");
    assert_eq!(contact_draft_rows(&f), 0);

    // Killed with a draft stored: after unlocking, the first save drops it.
    f.vault
        .save_draft(contact_draft("before the kill"))
        .unwrap();
    f.reopen();
    f.vault.unlock(PIN).unwrap();
    assert!(f.vault.draft(FormKind::Contact).unwrap().is_some());
    f.contact(None, "after the kill");
    assert_eq!(contact_draft_rows(&f), 0);
}

#[test]
fn a_refused_contact_keeps_the_draft() {
    let f = Fixture::new();
    f.contact(None, "known absent from here on");
    f.vault.save_draft(contact_draft("keep me")).unwrap();
    let refused = f.vault.record_contact(ContactDraft {
        person_id: Some(uuid::Uuid::now_v7()),
        at: None,
        area_id: "york_road".into(),
        kind: ContactKind::OutreachConversation,
        wellbeing: vec![],
        note: None,
        supplies: vec![],
        safeguarding_acknowledged: false,
    });
    assert!(refused.is_err(), "an unknown person is refused");
    assert_eq!(contact_draft_rows(&f), 1);
    f.contact(None, "now saved");
    assert_eq!(contact_draft_rows(&f), 0);
}
