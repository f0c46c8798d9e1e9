//! Links between two person records that are the same woman (issue 14): a
//! supervisor's statement, kept as a row beside the records, never a merge.
//! Both records and their histories stay as they are; unlinking keeps the
//! row (with who unlinked it and when); both are written to the audit chain
//! in the same transaction. The rules are `crate::shared_profiles`'.

use super::StoreError;
use crate::policy::Viewer;
use nightround_core::Timestamp;
use uuid::Uuid;

/// One link, live or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileLink {
    pub id: Uuid,
    /// The smaller of the two person ids.
    pub a: Uuid,
    /// The greater of the two person ids.
    pub b: Uuid,
    /// A worker id, or `admin` for the command line.
    pub linked_by: String,
    pub linked_at: Timestamp,
    pub unlinked_by: Option<String>,
    pub unlinked_at: Option<Timestamp>,
}

impl ProfileLink {
    /// The other profile of the link, seen from `person`.
    pub fn other(&self, person: Uuid) -> Uuid {
        if self.a == person {
            self.b
        } else {
            self.a
        }
    }
}

/// Why a link or an unlink was refused: typed, so the dashboard and the
/// command line can say which.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("a profile cannot be linked to itself")]
    SameProfile,
    #[error("no such person record (or it was deleted)")]
    NoSuchProfile,
    #[error("you may link only profiles you can see both of")]
    NotVisible,
    #[error("only a supervisor may link or unlink profiles")]
    NotSupervisor,
    #[error("these two profiles are already linked")]
    AlreadyLinked,
    #[error("no such link, or it was already undone")]
    NoSuchLink,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counts for the partnership's board report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartnershipWomen {
    /// Person records (of every organisation) with a contact in the period.
    pub profiles: usize,
    /// The same, linked profiles counted as one woman.
    pub women: usize,
}

/// Storage for profile links. `by` is the signed-in supervisor (her view
/// decides what she may link); `None` is the administrator's command line.
pub trait LinkStore: Send + Sync {
    fn link_profiles(
        &self,
        by: Option<&Viewer<'_>>,
        a: Uuid,
        b: Uuid,
        now: Timestamp,
    ) -> Result<ProfileLink, LinkError>;
    fn unlink_profiles(
        &self,
        by: Option<&Viewer<'_>>,
        link: Uuid,
        now: Timestamp,
    ) -> Result<ProfileLink, LinkError>;
    /// The live links of `person` whose both profiles `viewer` may see
    /// (`None`: every live link).
    fn profile_links(
        &self,
        viewer: Option<&Viewer<'_>>,
        person: Uuid,
        now: Timestamp,
    ) -> Result<Vec<ProfileLink>, StoreError>;
    /// Women in contact with any organisation at a time `in_period` accepts,
    /// linked profiles counted once.
    fn partnership_women(
        &self,
        in_period: &dyn Fn(Timestamp) -> bool,
    ) -> Result<PartnershipWomen, StoreError>;
}
