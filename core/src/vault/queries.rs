//! What each screen shows, computed here so that Android and iOS show the
//! same thing. Queries use the plaintext index columns to choose rows and open
//! only the rows they return.

use super::store::{self, person_ref};
use super::{outbox, Session, Vault};
use crate::clock::to_millis;
use crate::domain::supplies::totals;
use crate::domain::{
    Concern, Consent, Contact, Directory, Person, RecordKind, Referral, SupplyDrop, SupplyTotal,
    WorkerIdentity,
};
use crate::error::{CoreError, Result};
use crate::Timestamp;
use rusqlite::Connection;
use uuid::Uuid;

/// One line of a person's timeline, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum TimelineEntry {
    Contact { contact: Contact },
    Referral { referral: Referral },
    Consent { consent: Consent },
    Concern { concern: Concern },
}

impl TimelineEntry {
    /// When it happened, for ordering.
    pub fn at(&self) -> Timestamp {
        match self {
            TimelineEntry::Contact { contact } => contact.at,
            TimelineEntry::Referral { referral } => referral.created_at,
            TimelineEntry::Consent { consent } => consent.given_at,
            TimelineEntry::Concern { concern } => concern.at,
        }
    }
}

/// A referral with what the board needs to show about it now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ReferralView {
    pub referral: Referral,
    pub agency_name: String,
    pub person_alias: Option<String>,
    /// Computed at the moment of asking, never stored.
    pub overdue: bool,
}

/// An active team alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct AlertView {
    pub concern: Concern,
    pub area_name: String,
}

/// Tonight's round at a glance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct RoundSummary {
    pub since: Timestamp,
    pub contacts: u32,
    pub people_seen: u32,
    pub anonymous_contacts: u32,
    pub first_contacts: u32,
    pub safeguarding_flags: u32,
    pub concerns: u32,
    pub supplies: Vec<SupplyTotal>,
}

pub(crate) fn consents_of(conn: &Connection, s: &Session, person: Uuid) -> Result<Vec<Consent>> {
    store::read_many(
        conn,
        &s.keys,
        RecordKind::Consent,
        "SELECT id, version, body FROM records
         WHERE person_ref = ?1 AND kind = 'consent' AND deleted = 0 ORDER BY occurred_at",
        [person_ref(&s.keys, &person)],
    )
}

/// Live records of `kind` that happened in `[from, to)`, newest first, read
/// through the `(kind, occurred_at)` index so that only those rows are
/// opened. A damaged row is left out and its id pushed to `unreadable`
/// rather than failing the screen.
pub(super) fn kind_since<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    from: Timestamp,
    to: Timestamp,
    unreadable: &mut Vec<String>,
) -> Result<Vec<T>> {
    store::read_many_skipping(
        conn,
        &s.keys,
        kind,
        "SELECT id, version, body FROM records
         WHERE kind = ?1 AND occurred_at >= ?2 AND occurred_at < ?3 AND deleted = 0
         ORDER BY occurred_at DESC, id DESC",
        (kind.as_str(), to_millis(from), to_millis(to)),
        unreadable,
    )
}

/// Supplies given out with `contacts` and in `drops`, in catalogue order.
pub(super) fn supplies_of(
    contacts: &[Contact],
    drops: &[SupplyDrop],
    directory: &Directory,
) -> Vec<SupplyTotal> {
    let lines = contacts
        .iter()
        .flat_map(|c| c.supplies.iter())
        .chain(drops.iter().flat_map(|d| d.lines.iter()));
    totals(lines, directory)
}

fn supplies_between(
    conn: &Connection,
    s: &Session,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<SupplyTotal>> {
    let mut unreadable = Vec::new();
    let contacts: Vec<Contact> =
        kind_since(conn, s, RecordKind::Contact, from, to, &mut unreadable)?;
    let drops: Vec<SupplyDrop> =
        kind_since(conn, s, RecordKind::SupplyDrop, from, to, &mut unreadable)?;
    Ok(supplies_of(&contacts, &drops, &s.directory))
}

pub(super) fn far_future() -> Timestamp {
    chrono::DateTime::<chrono::Utc>::MAX_UTC
}

impl Vault {
    /// The worker this phone is enrolled for.
    pub fn identity(&self) -> Result<WorkerIdentity> {
        // Allowed past the lease: the sync screen shows who this phone is.
        self.with_sync_session(|_, s, _| Ok(s.identity.clone()))
    }

    /// Agencies, areas and the supplies catalogue.
    pub fn directory(&self) -> Result<Directory> {
        // Allowed past the lease: the leaflet is not about anyone.
        self.with_sync_session(|_, s, _| Ok(s.directory.clone()))
    }

    /// The area the last contact was in, for the quick-contact default.
    pub fn last_area(&self) -> Result<Option<String>> {
        self.with_session(|_, s, _| {
            let prefs = s.prefs.lock().unwrap_or_else(|p| p.into_inner());
            Ok(prefs.last_area_id.clone())
        })
    }

    /// One person's profile.
    pub fn person(&self, id: Uuid) -> Result<Person> {
        self.with_session(|conn, s, _| {
            store::read(conn, &s.keys, RecordKind::Person, id)?.ok_or(CoreError::NotFound("person"))
        })
    }

    /// Earlier versions of a person's profile, oldest first.
    pub fn person_history(&self, id: Uuid) -> Result<Vec<Person>> {
        self.with_session(|conn, s, _| store::history(conn, &s.keys, RecordKind::Person, id))
    }

    /// People whose alias starts with `prefix` (case-insensitive), for
    /// type-ahead. Aliases are sealed, so this opens every profile: a phone
    /// holds hundreds, not millions (measured in the vault bench).
    pub fn find_people(&self, prefix: &str) -> Result<Vec<Person>> {
        Ok(self.people_page(prefix, 0, u32::MAX)?.people)
    }

    /// Contacts since `since`, newest first, with their supplies.
    pub fn contacts_since(&self, since: Timestamp) -> Result<Vec<Contact>> {
        self.with_session(|conn, s, now| {
            kind_since(
                conn,
                s,
                RecordKind::Contact,
                since,
                now + chrono::Duration::hours(1),
                &mut Vec::new(),
            )
        })
    }

    /// The round so far: counts and supplies since `since`. Reads only the
    /// rows since then (indexed), each once.
    pub fn round_summary(&self, since: Timestamp) -> Result<RoundSummary> {
        self.with_session(|conn, s, _| {
            let mut unreadable = Vec::new();
            Ok(super::tonight::read_tonight(conn, s, since, &mut unreadable)?.1)
        })
    }

    /// Supplies given out between `from` and `to`, in catalogue order.
    pub fn supplies_totals(&self, from: Timestamp, to: Timestamp) -> Result<Vec<SupplyTotal>> {
        self.with_session(|conn, s, _| supplies_between(conn, s, from, to))
    }

    /// Everything on this phone about one person, newest first.
    pub fn person_timeline(&self, person: Uuid) -> Result<Vec<TimelineEntry>> {
        Ok(self.timeline_page(person, 0, u32::MAX)?.entries)
    }

    /// Her consents, agency by agency, newest first.
    pub fn consents(&self, person: Uuid) -> Result<Vec<Consent>> {
        self.with_session(|conn, s, _| {
            let mut c = consents_of(conn, s, person)?;
            c.reverse();
            Ok(c)
        })
    }

    /// Team alerts still in force, most severe and most recent first.
    pub fn active_alerts(&self) -> Result<Vec<AlertView>> {
        self.with_session(|conn, s, now| {
            let mut concerns: Vec<Concern> = store::read_many(
                conn,
                &s.keys,
                RecordKind::Concern,
                "SELECT id, version, body FROM records
                 WHERE alert_until > ?1 AND kind = 'concern' AND deleted = 0",
                [to_millis(now)],
            )?;
            concerns.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.at.cmp(&a.at)));
            Ok(concerns
                .into_iter()
                .map(|c| AlertView {
                    area_name: s
                        .directory
                        .area(&c.area_id)
                        .map_or_else(|| c.area_id.clone(), |a| a.name.clone()),
                    concern: c,
                })
                .collect())
        })
    }

    /// Open referrals, overdue first, then by due time.
    pub fn open_referrals(&self) -> Result<Vec<ReferralView>> {
        self.with_session(|conn, s, now| {
            let referrals: Vec<Referral> = store::read_many(
                conn,
                &s.keys,
                RecordKind::Referral,
                "SELECT id, version, body FROM records
                 WHERE kind = 'referral' AND is_open = 1 AND deleted = 0 ORDER BY due_at",
                [],
            )?;
            let mut aliases = std::collections::HashMap::new();
            let mut views = Vec::with_capacity(referrals.len());
            for r in referrals {
                if let std::collections::hash_map::Entry::Vacant(e) = aliases.entry(r.person_id) {
                    let p: Option<Person> =
                        store::read(conn, &s.keys, RecordKind::Person, r.person_id)?;
                    e.insert(p.map(|p| p.alias));
                }
                views.push(ReferralView {
                    agency_name: s
                        .directory
                        .agency(&r.agency_id)
                        .map_or_else(|| r.agency_id.clone(), |a| a.name.clone()),
                    person_alias: aliases.get(&r.person_id).cloned().flatten(),
                    overdue: r.is_overdue(now),
                    referral: r,
                });
            }
            // Stable sort keeps due order within each group.
            views.sort_by_key(|v| !v.overdue);
            Ok(views)
        })
    }

    /// The current version of a record, if it is here and not deleted: what
    /// the server must hold once this phone has synced.
    pub fn record_version(&self, kind: RecordKind, id: Uuid) -> Result<Option<String>> {
        self.with_sync_session(|conn, _, _| {
            use rusqlite::OptionalExtension;
            Ok(conn
                .prepare_cached(
                    "SELECT version FROM records WHERE kind = ?1 AND id = ?2 AND deleted = 0",
                )?
                .query_row((kind.as_str(), id.to_string()), |r| r.get(0))
                .optional()?)
        })
    }

    /// Changes not yet acknowledged by the server.
    pub fn pending_changes(&self) -> Result<u64> {
        self.with_session(|conn, _, _| outbox::pending_count(conn))
    }

    /// Changes held back because the server refused them.
    pub fn quarantined_changes(&self) -> Result<u64> {
        self.with_session(|conn, _, _| outbox::quarantined_count(conn))
    }
}
