//! Half-filled forms, kept so that a killed app does not lose them: each
//! form's draft is sealed under the record key like a record (in
//! `sealed_meta`, which never syncs), restored when the form opens again,
//! and dropped in the same transaction as the record it became, or on
//! discard. SQLite's secure delete zeroes the freed pages.

use super::{get_meta, put_meta, Vault};
use crate::domain::{
    ConcernDraft, ConsentDraft, ContactDraft, PersonDraft, ReferralForm, SupplyDropDraft,
};
use crate::error::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU8, Ordering};

/// Which form a draft belongs to: one draft per form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum FormKind {
    Person,
    Contact,
    Concern,
    Referral,
    Consent,
    Supplies,
}

impl FormKind {
    fn meta_name(self) -> &'static str {
        match self {
            FormKind::Person => "draft.person",
            FormKind::Contact => "draft.contact",
            FormKind::Concern => "draft.concern",
            FormKind::Referral => "draft.referral",
            FormKind::Consent => "draft.consent",
            FormKind::Supplies => "draft.supplies",
        }
    }
}

/// What a form held when it was last autosaved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum FormDraft {
    Person { draft: PersonDraft },
    Contact { draft: ContactDraft },
    Concern { draft: ConcernDraft },
    Referral { form: ReferralForm },
    Consent { draft: ConsentDraft },
    Supplies { draft: SupplyDropDraft },
}

impl FormDraft {
    /// The form it belongs to.
    pub fn kind(&self) -> FormKind {
        match self {
            FormDraft::Person { .. } => FormKind::Person,
            FormDraft::Contact { .. } => FormKind::Contact,
            FormDraft::Concern { .. } => FormKind::Concern,
            FormDraft::Referral { .. } => FormKind::Referral,
            FormDraft::Consent { .. } => FormKind::Consent,
            FormDraft::Supplies { .. } => FormKind::Supplies,
        }
    }
}

/// Which forms are known to have no draft stored, one bit per form, so that
/// saving a record need not delete a draft that is not there (the quick
/// contact form is saved many times a night). Unknown after each unlock:
/// a form's bit is set only once its draft is known gone (deleted and
/// committed) and cleared before a draft is autosaved.
#[derive(Debug, Default)]
pub(crate) struct KnownAbsent(AtomicU8);

impl KnownAbsent {
    fn bit(kind: FormKind) -> u8 {
        1 << (kind as u8)
    }

    /// Whether `kind` surely has no draft stored.
    pub(crate) fn is_absent(&self, kind: FormKind) -> bool {
        self.0.load(Ordering::Relaxed) & Self::bit(kind) != 0
    }

    /// `kind`'s draft is gone (its delete has committed).
    pub(crate) fn set_absent(&self, kind: FormKind) {
        self.0.fetch_or(Self::bit(kind), Ordering::Relaxed);
    }

    /// `kind` may have a draft stored.
    fn set_unknown(&self, kind: FormKind) {
        self.0.fetch_and(!Self::bit(kind), Ordering::Relaxed);
    }
}

/// Drops `kind`'s draft inside the caller's transaction (the record it
/// became is written in the same one).
pub(crate) fn drop_draft(conn: &Connection, kind: FormKind) -> Result<()> {
    conn.prepare_cached("DELETE FROM sealed_meta WHERE name = ?1")?
        .execute([kind.meta_name()])?;
    Ok(())
}

impl Vault {
    /// Autosaves a form (call on each change, or every few seconds while
    /// she types): sealed, never synced, replacing the form's last draft.
    pub fn save_draft(&self, draft: FormDraft) -> Result<()> {
        self.with_session(|conn, s, _| {
            s.drafts_absent.set_unknown(draft.kind());
            put_meta(conn, &s.keys, draft.kind().meta_name(), &draft)
        })
    }

    /// The form's draft, to restore when it opens again after a kill.
    pub fn draft(&self, kind: FormKind) -> Result<Option<FormDraft>> {
        self.with_session(|conn, s, _| {
            let d: Option<FormDraft> = get_meta(conn, &s.keys, kind.meta_name())?;
            Ok(d.filter(|d| d.kind() == kind))
        })
    }

    /// Throws the form's draft away (she pressed discard).
    pub fn discard_draft(&self, kind: FormKind) -> Result<()> {
        self.with_session(|conn, s, _| {
            drop_draft(conn, kind)?;
            s.drafts_absent.set_absent(kind);
            Ok(())
        })
    }
}
