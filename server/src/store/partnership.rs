//! What the partnership keeps about itself: its information-sharing
//! agreement and where its directory came from. Neither is about a woman, so
//! both are stored in plain text (the server's `server_meta`), beside the
//! directory the `Store` already keeps.

use super::StoreError;
use nightround_core::domain::agreement::SharingAgreement;

/// Where the directory phones receive came from: a server must not run a
/// real partnership on the built-in Southend example without saying so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrigin {
    /// Nobody has chosen: the store seeded the built-in example.
    Unchosen,
    /// The built-in example, chosen on purpose (the demo, a trial).
    Example,
    /// The partnership's own: imported from a file or edited on the dashboard.
    Own,
}

impl DirectoryOrigin {
    /// The stored word.
    pub const fn as_str(self) -> &'static str {
        match self {
            DirectoryOrigin::Unchosen => "unchosen",
            DirectoryOrigin::Example => "example",
            DirectoryOrigin::Own => "own",
        }
    }

    /// The inverse of [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Unchosen, Self::Example, Self::Own]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// Storage for the partnership's own settings. Each method is one transaction.
pub trait PartnershipStore: Send + Sync {
    /// The stored agreement; `None` until one is imported or saved.
    fn agreement(&self) -> Result<Option<SharingAgreement>, StoreError>;
    /// Replaces the agreement (the caller has validated it).
    fn set_agreement(&self, agreement: &SharingAgreement) -> Result<(), StoreError>;
    fn directory_origin(&self) -> Result<DirectoryOrigin, StoreError>;
    fn set_directory_origin(&self, origin: DirectoryOrigin) -> Result<(), StoreError>;
}
