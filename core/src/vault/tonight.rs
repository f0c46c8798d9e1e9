//! The "Tonight" screen in one call: the round's numbers and its contacts as
//! display rows (alias, area name, supplies by name), so that Android and
//! iOS stop joining contacts to aliases and area names themselves.
//!
//! Only tonight's rows are read, through the `(kind, occurred_at)` index,
//! and each once: the summary and the rows come from the same pass.

use super::queries::{far_future, kind_since, supplies_of, RoundSummary};
use super::screens::{ids, page, unreadable_notice};
use super::store;
use super::{Session, Vault};
use crate::clock::to_millis;
use crate::domain::{Contact, ContactKind, Person, RecordKind, SupplyDrop, SupplyTotal};
use crate::domain::{Directory, WellbeingFlag};
use crate::error::{CoreError, Result};
use crate::Timestamp;
use rusqlite::Connection;
use std::collections::HashMap;
use uuid::Uuid;

/// What "who" reads for a contact with no profile.
pub const ANONYMOUS: &str = "Anonymous";
/// What "who" reads when her profile is not on this phone.
pub const NOT_ON_PHONE: &str = "Someone not on this phone";
/// What "who" reads when her profile is here but could not be read.
pub const PROFILE_UNREADABLE: &str = "A profile that could not be read";

/// One contact as tonight's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct TonightRow {
    pub contact_id: Uuid,
    pub person_id: Option<Uuid>,
    /// Her alias, when she has a readable profile here.
    pub alias: Option<String>,
    /// The name to show: her alias, "Anonymous", or why there is none.
    pub who: String,
    pub at: Timestamp,
    pub area_id: String,
    /// The area's name from the directory (its id if no longer listed).
    pub area_name: String,
    pub kind: ContactKind,
    pub wellbeing: Vec<WellbeingFlag>,
    /// What she was given, by name, in catalogue order.
    pub supplies: Vec<SupplyTotal>,
    /// How many items in all.
    pub items_handed_out: u32,
    pub has_note: bool,
    /// The under-18 safeguarding flag was raised.
    pub safeguarding: bool,
}

/// Tonight's screen: the numbers, and one page of its contacts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct TonightScreen {
    pub summary: RoundSummary,
    pub rows: Vec<TonightRow>,
    /// Tonight's readable contacts in all (the summary's count).
    pub total: u32,
    /// Records that could not be read (contacts, drops, profiles), left out.
    pub unreadable: Vec<Uuid>,
    pub notice: Option<String>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Tonight's contacts (newest first) and the summary, from one pass over the
/// rows since `since`.
pub(super) fn read_tonight(
    conn: &Connection,
    s: &Session,
    since: Timestamp,
    unreadable: &mut Vec<String>,
) -> Result<(Vec<Contact>, RoundSummary)> {
    let until = far_future();
    let contacts: Vec<Contact> =
        kind_since(conn, s, RecordKind::Contact, since, until, unreadable)?;
    let drops: Vec<SupplyDrop> =
        kind_since(conn, s, RecordKind::SupplyDrop, since, until, unreadable)?;
    let concerns: u32 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM records
             WHERE kind = 'concern' AND occurred_at >= ?1 AND deleted = 0",
        )?
        .query_row([to_millis(since)], |r| r.get(0))?;
    let mut people: Vec<Uuid> = contacts.iter().filter_map(|c| c.person_id).collect();
    people.sort_unstable();
    people.dedup();
    let summary = RoundSummary {
        since,
        contacts: count(contacts.len()),
        people_seen: count(people.len()),
        anonymous_contacts: count(contacts.iter().filter(|c| c.person_id.is_none()).count()),
        first_contacts: count(
            contacts
                .iter()
                .filter(|c| c.wellbeing.contains(&WellbeingFlag::FirstContact))
                .count(),
        ),
        safeguarding_flags: count(contacts.iter().filter(|c| c.raises_safeguarding()).count()),
        concerns,
        supplies: supplies_of(&contacts, &drops, &s.directory),
    };
    Ok((contacts, summary))
}

/// What this phone knows of the person behind a row.
pub(super) enum Alias {
    Known(String),
    NotHere,
    Unreadable,
}

/// Aliases of `people`, one read per person. A profile that fails to open
/// is named in `unreadable` and reads as such.
pub(super) fn aliases_of(
    conn: &Connection,
    s: &Session,
    people: impl Iterator<Item = Uuid>,
    unreadable: &mut Vec<String>,
) -> Result<HashMap<Uuid, Alias>> {
    let mut out = HashMap::new();
    for id in people {
        if out.contains_key(&id) {
            continue;
        }
        let alias = match store::read::<Person>(conn, &s.keys, RecordKind::Person, id) {
            Ok(Some(p)) => Alias::Known(p.alias),
            Ok(None) => Alias::NotHere,
            Err(CoreError::Corrupt(_) | CoreError::Envelope(_)) => {
                unreadable.push(id.to_string());
                Alias::Unreadable
            }
            Err(e) => return Err(e),
        };
        out.insert(id, alias);
    }
    Ok(out)
}

/// The alias (if readable) and the name to show for a person id.
pub(super) fn who(
    person: Option<Uuid>,
    aliases: &HashMap<Uuid, Alias>,
) -> (Option<String>, String) {
    match person.map(|p| aliases.get(&p)) {
        None => (None, ANONYMOUS.to_owned()),
        Some(Some(Alias::Known(alias))) => (Some(alias.clone()), alias.clone()),
        Some(Some(Alias::Unreadable)) => (None, PROFILE_UNREADABLE.to_owned()),
        Some(Some(Alias::NotHere) | None) => (None, NOT_ON_PHONE.to_owned()),
    }
}

/// A contact as a display row.
pub(super) fn row_of(
    c: Contact,
    directory: &Directory,
    aliases: &HashMap<Uuid, Alias>,
) -> TonightRow {
    let (alias, who) = who(c.person_id, aliases);
    let supplies = supplies_of(std::slice::from_ref(&c), &[], directory);
    let items: u64 = c.supplies.iter().map(|l| u64::from(l.quantity)).sum();
    let safeguarding = c.raises_safeguarding();
    TonightRow {
        contact_id: c.id,
        person_id: c.person_id,
        alias,
        who,
        at: c.at,
        area_name: directory
            .area(&c.area_id)
            .map_or_else(|| c.area_id.clone(), |a| a.name.clone()),
        area_id: c.area_id,
        kind: c.kind,
        safeguarding,
        wellbeing: c.wellbeing,
        supplies,
        items_handed_out: u32::try_from(items).unwrap_or(u32::MAX),
        has_note: c.note.as_deref().is_some_and(|n| !n.trim().is_empty()),
    }
}

impl Vault {
    /// Tonight's screen: the round's numbers since `since` and its contacts
    /// as display rows, `limit` from `offset`, newest first. Reads only
    /// tonight's rows (indexed), each once, and the profiles of this page.
    pub fn tonight(&self, since: Timestamp, offset: u32, limit: u32) -> Result<TonightScreen> {
        self.with_session(|conn, s, _| {
            let mut unreadable = Vec::new();
            let (contacts, summary) = read_tonight(conn, s, since, &mut unreadable)?;
            let total = count(contacts.len());
            let shown = page(contacts, offset, limit);
            let aliases = aliases_of(
                conn,
                s,
                shown.iter().filter_map(|c| c.person_id),
                &mut unreadable,
            )?;
            let rows = shown
                .into_iter()
                .map(|c| row_of(c, &s.directory, &aliases))
                .collect();
            Ok(TonightScreen {
                summary,
                rows,
                total,
                notice: unreadable_notice(unreadable.len()),
                unreadable: ids(unreadable),
            })
        })
    }
}
