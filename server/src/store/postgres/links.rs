//! Profile links (issue 14) on PostgreSQL: not ported yet (issue 12). Every
//! call refuses with [`super::data_protection::BEHIND`], as the rest of the
//! unported duties do; [`super::PgStore::open`] refuses first, so no server
//! runs on this yet.

use super::data_protection::BEHIND;
use super::PgStore;
use crate::policy::Viewer;
use crate::store::links::{LinkError, LinkStore, PartnershipWomen, ProfileLink};
use crate::store::StoreError;
use nightround_core::Timestamp;
use uuid::Uuid;

impl LinkStore for PgStore {
    fn link_profiles(
        &self,
        _by: Option<&Viewer<'_>>,
        _a: Uuid,
        _b: Uuid,
        _now: Timestamp,
    ) -> Result<ProfileLink, LinkError> {
        Err(LinkError::Store(StoreError::Config(BEHIND)))
    }

    fn unlink_profiles(
        &self,
        _by: Option<&Viewer<'_>>,
        _link: Uuid,
        _now: Timestamp,
    ) -> Result<ProfileLink, LinkError> {
        Err(LinkError::Store(StoreError::Config(BEHIND)))
    }

    fn profile_links(
        &self,
        _viewer: Option<&Viewer<'_>>,
        _person: Uuid,
        _now: Timestamp,
    ) -> Result<Vec<ProfileLink>, StoreError> {
        Err(StoreError::Config(BEHIND))
    }

    fn partnership_women(
        &self,
        _in_period: &dyn Fn(Timestamp) -> bool,
    ) -> Result<PartnershipWomen, StoreError> {
        Err(StoreError::Config(BEHIND))
    }
}
