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

// ---- what both backends share ------------------------------------------
//
// The backends read and write the rows; the rules (who may link what, what
// a link row and its audit line hold, how the partnership counts women)
// are decided here once.

use super::dashboard::NewAuditEntry;
use super::RecordMeta;
use crate::policy::{self, Facts};
use crate::shared_profiles;
use nightround_core::crypto::DataKey;
use std::collections::HashSet;

/// The columns a [`LinkRow`] is read from, in this order.
pub(crate) const LINK_COLUMNS: &str =
    "id, person_a, person_b, linked_by, linked_at, unlinked_by, unlinked_at";

/// One `profile_links` row as both backends read it.
pub(crate) struct LinkRow {
    pub id: String,
    pub person_a: String,
    pub person_b: String,
    pub linked_by: String,
    pub linked_at: i64,
    pub unlinked_by: Option<String>,
    pub unlinked_at: Option<i64>,
}

impl LinkRow {
    /// Typed, with damage reported rather than a panic.
    pub(crate) fn into_link(self) -> Result<ProfileLink, StoreError> {
        let id =
            |s: &str| Uuid::parse_str(s).map_err(|_| StoreError::Corrupt("a profile link's id"));
        let at = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms).ok_or(StoreError::Corrupt("a timestamp"))
        };
        Ok(ProfileLink {
            id: id(&self.id)?,
            a: id(&self.person_a)?,
            b: id(&self.person_b)?,
            linked_by: self.linked_by,
            linked_at: at(self.linked_at)?,
            unlinked_by: self.unlinked_by,
            unlinked_at: self.unlinked_at.map(at).transpose()?,
        })
    }
}

/// Who a link or unlink is written as: the worker, or `admin` for the
/// command line.
pub(crate) fn actor(by: Option<&Viewer<'_>>) -> String {
    by.map_or_else(|| "admin".to_owned(), |v| v.worker_id.to_owned())
}

/// A new live link of `a` and `b` (smaller id first), refused for one
/// profile linked to itself.
pub(crate) fn new_link(
    by: Option<&Viewer<'_>>,
    a: Uuid,
    b: Uuid,
    now: Timestamp,
) -> Result<ProfileLink, LinkError> {
    if a == b {
        return Err(LinkError::SameProfile);
    }
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    Ok(ProfileLink {
        id: Uuid::now_v7(),
        a,
        b,
        linked_by: actor(by),
        linked_at: now,
        unlinked_by: None,
        unlinked_at: None,
    })
}

/// Whether `by` (`None`: the command line) may act on both profiles: a
/// supervisor who sees both live person records. `person` reads a live
/// person record's plaintext columns (`None`: none, or deleted).
pub(crate) fn check_both(
    by: Option<&Viewer<'_>>,
    a: Uuid,
    b: Uuid,
    person: &dyn Fn(Uuid) -> Result<Option<RecordMeta>, StoreError>,
    facts: &dyn Facts,
    now: Timestamp,
) -> Result<(), LinkError> {
    if by.is_some_and(|v| !shared_profiles::may_link(v.role)) {
        return Err(LinkError::NotSupervisor);
    }
    for id in [a, b] {
        let meta = person(id)?.ok_or(LinkError::NoSuchProfile)?;
        if let Some(v) = by {
            if !policy::may_see(v, &meta, facts, now)? {
                return Err(LinkError::NotVisible);
            }
        }
    }
    Ok(())
}

/// Whether `viewer` (`None`: the command line) sees both profiles of
/// `link`, so that the link may be shown to her.
pub(crate) fn sees_both(
    viewer: Option<&Viewer<'_>>,
    link: &ProfileLink,
    person: &dyn Fn(Uuid) -> Result<Option<RecordMeta>, StoreError>,
    facts: &dyn Facts,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let Some(v) = viewer else {
        return Ok(true);
    };
    for id in [link.a, link.b] {
        let seen = match person(id)? {
            Some(m) => policy::may_see(v, &m, facts, now)?,
            None => false,
        };
        if !seen {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The audit line of a link or unlink: ids only, no content. `action` is
/// `link_profiles` or `unlink_profiles`.
pub(crate) fn audit_entry(
    now: Timestamp,
    actor: &str,
    action: &str,
    link: &ProfileLink,
) -> NewAuditEntry {
    NewAuditEntry {
        at: now,
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: Some(link.id.to_string()),
        detail: Some(format!("profiles {} and {}", link.a, link.b)),
    }
}

/// The partnership's count from the live contacts that name a live person
/// record (plaintext columns and sealed bodies) and the live links.
pub(crate) fn count_partnership_women(
    key: &DataKey,
    contacts: impl IntoIterator<Item = (RecordMeta, Option<Vec<u8>>)>,
    links: &[(Uuid, Uuid)],
    in_period: &dyn Fn(Timestamp) -> bool,
) -> Result<PartnershipWomen, StoreError> {
    let mut profiles = HashSet::new();
    for (meta, sealed) in contacts {
        let Some(person) = meta.person_id else {
            continue;
        };
        if profiles.contains(&person) {
            continue;
        }
        let Some(opened) = super::sealed::open_record(key, &meta, sealed)? else {
            continue;
        };
        let at: Timestamp = opened
            .body
            .get("at")
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or(StoreError::Corrupt("a contact's time"))?;
        if in_period(at) {
            profiles.insert(person);
        }
    }
    Ok(PartnershipWomen {
        profiles: profiles.len(),
        women: shared_profiles::count_women(&profiles, links),
    })
}

/// The statement (the same on both backends) that reads the contacts
/// [`count_partnership_women`] counts, selecting the backend's
/// `record_columns`.
pub(crate) fn partnership_contacts_sql(record_columns: &str) -> String {
    format!(
        "SELECT {record_columns} FROM records WHERE kind = 'contact' AND NOT tombstone
         AND person_id IS NOT NULL AND person_id IN
             (SELECT id FROM records WHERE kind = 'person' AND NOT tombstone)"
    )
}

/// The live links' pairs, as [`count_partnership_women`] takes them.
pub(crate) const LIVE_LINK_PAIRS: &str =
    "SELECT person_a, person_b FROM profile_links WHERE unlinked_at IS NULL";

/// One row of [`LIVE_LINK_PAIRS`], typed.
pub(crate) fn link_pair(a: &str, b: &str) -> Result<(Uuid, Uuid), StoreError> {
    let id = |s: &str| Uuid::parse_str(s).map_err(|_| StoreError::Corrupt("a profile link's id"));
    Ok((id(a)?, id(b)?))
}
