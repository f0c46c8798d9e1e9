//! Paged list screens that one damaged record cannot blank: rows that fail to
//! open are left out and named (`unreadable`), with a sentence to show.

use super::queries::TimelineEntry;
use super::store::{self, person_ref};
use super::{Session, Vault};
use crate::domain::{Person, RecordKind};
use crate::error::{CoreError, Result};
use rusqlite::Connection;
use uuid::Uuid;

/// One page of the people list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PeoplePage {
    /// This page, by alias.
    pub people: Vec<Person>,
    /// How many match in all (readable ones), for "more" and scroll bars.
    pub total: u32,
    /// Records that could not be read (damaged), left out of the list.
    pub unreadable: Vec<Uuid>,
    /// "N records could not be read", when there are any.
    pub notice: Option<String>,
}

/// One page of a person's timeline, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    pub total: u32,
    pub unreadable: Vec<Uuid>,
    pub notice: Option<String>,
}

/// The sentence a screen shows above a list with unreadable rows.
pub fn unreadable_notice(n: usize) -> Option<String> {
    match n {
        0 => None,
        1 => Some("1 record could not be read; it is left out.".to_owned()),
        n => Some(format!("{n} records could not be read; they are left out.")),
    }
}

pub(super) fn ids(unreadable: Vec<String>) -> Vec<Uuid> {
    unreadable
        .iter()
        .filter_map(|s| Uuid::parse_str(s).ok())
        .collect()
}

pub(super) fn page<T>(all: Vec<T>, offset: u32, limit: u32) -> Vec<T> {
    all.into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect()
}

fn timeline_of(
    conn: &Connection,
    s: &Session,
    person: Uuid,
    unreadable: &mut Vec<String>,
) -> Result<Vec<TimelineEntry>> {
    let r = person_ref(&s.keys, &person);
    // The kind is written into each statement (not bound) so that SQLite's
    // planner picks the (person_ref, kind) index.
    fn of_kind<T: serde::de::DeserializeOwned>(
        conn: &Connection,
        s: &Session,
        kind: RecordKind,
        person: &[u8],
        unreadable: &mut Vec<String>,
    ) -> Result<Vec<T>> {
        let sql = format!(
            "SELECT id, version, body FROM records
             WHERE person_ref = ?1 AND kind = '{}' AND deleted = 0",
            kind.as_str()
        );
        store::read_many_skipping(conn, &s.keys, kind, &sql, [person], unreadable)
    }
    let mut entries = Vec::new();
    for contact in of_kind(conn, s, RecordKind::Contact, &r, unreadable)? {
        entries.push(TimelineEntry::Contact { contact });
    }
    for referral in of_kind(conn, s, RecordKind::Referral, &r, unreadable)? {
        entries.push(TimelineEntry::Referral { referral });
    }
    for consent in of_kind(conn, s, RecordKind::Consent, &r, unreadable)? {
        entries.push(TimelineEntry::Consent { consent });
    }
    for concern in of_kind(conn, s, RecordKind::Concern, &r, unreadable)? {
        entries.push(TimelineEntry::Concern { concern });
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.at()));
    Ok(entries)
}

impl Vault {
    /// People whose alias starts with `prefix` (case-insensitive), by alias,
    /// `limit` from `offset`. Aliases are sealed, so this opens every profile:
    /// a phone holds hundreds, not millions (measured in the vault bench).
    pub fn people_page(&self, prefix: &str, offset: u32, limit: u32) -> Result<PeoplePage> {
        let needle = prefix.trim().to_lowercase();
        self.with_session(|conn, s, _| {
            let mut unreadable = Vec::new();
            let mut people: Vec<Person> = store::read_many_skipping(
                conn,
                &s.keys,
                RecordKind::Person,
                "SELECT id, version, body FROM records WHERE kind = 'person' AND deleted = 0",
                [],
                &mut unreadable,
            )?;
            people.retain(|p| p.alias.to_lowercase().starts_with(&needle));
            people.sort_by_key(|p| p.alias.to_lowercase());
            let total = u32::try_from(people.len()).unwrap_or(u32::MAX);
            Ok(PeoplePage {
                people: page(people, offset, limit),
                total,
                notice: unreadable_notice(unreadable.len()),
                unreadable: ids(unreadable),
            })
        })
    }

    /// Everything recorded with one person, newest first, `limit` from
    /// `offset`. `NotFound` when she is not on this phone.
    pub fn timeline_page(&self, person: Uuid, offset: u32, limit: u32) -> Result<TimelinePage> {
        self.with_session(|conn, s, _| {
            if !store::exists(conn, RecordKind::Person, person)? {
                return Err(CoreError::NotFound("person"));
            }
            let mut unreadable = Vec::new();
            let entries = timeline_of(conn, s, person, &mut unreadable)?;
            let total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
            Ok(TimelinePage {
                entries: page(entries, offset, limit),
                total,
                notice: unreadable_notice(unreadable.len()),
                unreadable: ids(unreadable),
            })
        })
    }
}
