//! Screens the apps had no call for (issue 13, item 8): every concern
//! (anonymous ones and those without an alert too), supply drops, and one
//! contact or referral by id. Lists are paged in SQL through the
//! `(kind, occurred_at)` index, so only the page's rows are opened; a row
//! that fails to open is left out and named, as on the people list.

use super::queries::{supplies_of, ReferralView};
use super::screens::{ids, unreadable_notice};
use super::store;
use super::tonight::{aliases_of, row_of, who, TonightRow};
use super::{Session, Vault};
use crate::domain::{Concern, Contact, RecordKind, Referral, SupplyDrop, SupplyTotal};
use crate::error::{CoreError, Result};
use rusqlite::Connection;
use uuid::Uuid;

/// A concern as the concerns list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ConcernView {
    pub concern: Concern,
    pub area_name: String,
    /// Nobody is named as having reported it.
    pub anonymous: bool,
    /// Who reported it: her alias, or why there is none ("Anonymous").
    pub reported_by: String,
    /// Shared with the team as an alert that has not yet expired.
    pub alert_active: bool,
}

/// One page of the concerns list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ConcernsPage {
    pub concerns: Vec<ConcernView>,
    /// Concerns stored on this phone in all (readable or not).
    pub total: u32,
    /// Rows of this page that could not be read, left out.
    pub unreadable: Vec<Uuid>,
    pub notice: Option<String>,
}

/// A supply drop as the supplies list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SupplyDropView {
    pub drop: SupplyDrop,
    pub area_name: String,
    /// What went out, by name, in catalogue order.
    pub items: Vec<SupplyTotal>,
}

/// One page of supply drops, newest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SupplyDropsPage {
    pub drops: Vec<SupplyDropView>,
    /// Drops stored on this phone in all (readable or not).
    pub total: u32,
    pub unreadable: Vec<Uuid>,
    pub notice: Option<String>,
}

/// One contact with what its screen shows beside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ContactView {
    pub contact: Contact,
    /// As the row appears in tonight's list (alias, area and supply names).
    pub row: TonightRow,
}

/// `limit` live rows of `kind` from `offset`, newest first, opened; the
/// count of all live rows of the kind.
fn paged<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    offset: u32,
    limit: u32,
    unreadable: &mut Vec<String>,
) -> Result<(Vec<T>, u32)> {
    // The kind is written into the statement so that the planner walks the
    // (kind, occurred_at) index backwards and stops after the page.
    let sql = format!(
        "SELECT id, version, body FROM records
         WHERE kind = '{k}' AND deleted = 0
         ORDER BY occurred_at DESC, id DESC LIMIT ?1 OFFSET ?2",
        k = kind.as_str()
    );
    let rows = store::read_many_skipping(
        conn,
        &s.keys,
        kind,
        &sql,
        (i64::from(limit), i64::from(offset)),
        unreadable,
    )?;
    let total: u32 = conn
        .prepare_cached("SELECT COUNT(*) FROM records WHERE kind = ?1 AND deleted = 0")?
        .query_row([kind.as_str()], |r| r.get(0))?;
    Ok((rows, total))
}

fn area_name(s: &Session, id: &str) -> String {
    s.directory
        .area(id)
        .map_or_else(|| id.to_owned(), |a| a.name.clone())
}

fn read_one<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    id: Uuid,
) -> Result<T> {
    store::read(conn, &s.keys, kind, id)?.ok_or(CoreError::NotFound(kind.as_str()))
}

impl Vault {
    /// Every concern on this phone, newest first, `limit` from `offset`:
    /// anonymous ones and those never shared as an alert included.
    pub fn concerns_page(&self, offset: u32, limit: u32) -> Result<ConcernsPage> {
        self.with_session(|conn, s, now| {
            let mut unreadable = Vec::new();
            let (concerns, total): (Vec<Concern>, u32) =
                paged(conn, s, RecordKind::Concern, offset, limit, &mut unreadable)?;
            let aliases = aliases_of(
                conn,
                s,
                concerns.iter().filter_map(|c| c.reported_by),
                &mut unreadable,
            )?;
            let concerns = concerns
                .into_iter()
                .map(|c| ConcernView {
                    area_name: area_name(s, &c.area_id),
                    anonymous: c.reported_by.is_none(),
                    reported_by: who(c.reported_by, &aliases).1,
                    alert_active: c.alert_until.is_some_and(|t| t > now),
                    concern: c,
                })
                .collect();
            Ok(ConcernsPage {
                concerns,
                total,
                notice: unreadable_notice(unreadable.len()),
                unreadable: ids(unreadable),
            })
        })
    }

    /// Supply drops (restocks, supplies left with partners), newest first,
    /// `limit` from `offset`.
    pub fn supply_drops_page(&self, offset: u32, limit: u32) -> Result<SupplyDropsPage> {
        self.with_session(|conn, s, _| {
            let mut unreadable = Vec::new();
            let (drops, total): (Vec<SupplyDrop>, u32) = paged(
                conn,
                s,
                RecordKind::SupplyDrop,
                offset,
                limit,
                &mut unreadable,
            )?;
            let drops = drops
                .into_iter()
                .map(|d| SupplyDropView {
                    area_name: area_name(s, &d.area_id),
                    items: supplies_of(&[], std::slice::from_ref(&d), &s.directory),
                    drop: d,
                })
                .collect();
            Ok(SupplyDropsPage {
                drops,
                total,
                notice: unreadable_notice(unreadable.len()),
                unreadable: ids(unreadable),
            })
        })
    }

    /// One contact, with its display row. `NotFound` when it is not here,
    /// `Damaged` when it cannot be read.
    pub fn contact(&self, id: Uuid) -> Result<ContactView> {
        self.with_session(|conn, s, _| {
            let contact: Contact = read_one(conn, s, RecordKind::Contact, id)?;
            let aliases = aliases_of(conn, s, contact.person_id.into_iter(), &mut Vec::new())?;
            Ok(ContactView {
                row: row_of(contact.clone(), &s.directory, &aliases),
                contact,
            })
        })
    }

    /// One referral, with its agency's name, her alias and whether it is
    /// overdue now.
    pub fn referral(&self, id: Uuid) -> Result<ReferralView> {
        self.with_session(|conn, s, now| {
            let referral: Referral = read_one(conn, s, RecordKind::Referral, id)?;
            let aliases = aliases_of(
                conn,
                s,
                std::iter::once(referral.person_id),
                &mut Vec::new(),
            )?;
            Ok(ReferralView {
                agency_name: s
                    .directory
                    .agency(&referral.agency_id)
                    .map_or_else(|| referral.agency_id.clone(), |a| a.name.clone()),
                person_alias: who(Some(referral.person_id), &aliases).0,
                overdue: referral.is_overdue(now),
                referral,
            })
        })
    }
}
