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
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] = [
        RecordKind::Person,
        RecordKind::Contact,
        RecordKind::SupplyDrop,
        RecordKind::Concern,
        RecordKind::Consent,
        RecordKind::Referral,
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
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether records of this kind change after they are made. Contacts,
    /// supplies and concerns are facts of a moment; a correction is a new
    /// record. Profiles, consents and referral status move on.
    pub const fn is_mutable(self) -> bool {
        matches!(
            self,
            RecordKind::Person | RecordKind::Consent | RecordKind::Referral
        )
    }
}
