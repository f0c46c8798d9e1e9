//! The kinds of record the vault stores and sync carries.

use serde::{Deserialize, Serialize};

/// One value per record type; its name is the `kind` column and part of every
/// envelope's associated data, so it must never be renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Person,
    Contact,
    SupplyDrop,
    Concern,
    Consent,
    Referral,
    /// A lone-worker round (ADR 0004).
    Round,
    /// A check-in or a help call on a round.
    CheckIn,
}

impl RecordKind {
    pub const ALL: [RecordKind; 8] = [
        RecordKind::Person,
        RecordKind::Contact,
        RecordKind::SupplyDrop,
        RecordKind::Concern,
        RecordKind::Consent,
        RecordKind::Referral,
        RecordKind::Round,
        RecordKind::CheckIn,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Person => "person",
            RecordKind::Contact => "contact",
            RecordKind::SupplyDrop => "supply_drop",
            RecordKind::Concern => "concern",
            RecordKind::Consent => "consent",
            RecordKind::Referral => "referral",
            RecordKind::Round => "round",
            RecordKind::CheckIn => "check_in",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether records of this kind change after they are made. Contacts,
    /// supplies and concerns are facts of a moment; a correction is a new
    /// record. Profiles, consents and referral status move on; a round is
    /// ended by her and watched by the server. Check-ins are facts too.
    pub const fn is_mutable(self) -> bool {
        matches!(
            self,
            RecordKind::Person | RecordKind::Consent | RecordKind::Referral | RecordKind::Round
        )
    }

    /// Whether a push should carry it before anything else waiting (a help
    /// call goes ahead of a backlog of ordinary records; a round goes with
    /// its check-ins, so the server watches it from the first sync).
    pub const fn is_urgent(self) -> bool {
        matches!(self, RecordKind::Round | RecordKind::CheckIn)
    }
}
