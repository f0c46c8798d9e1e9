//! Her profile screen in one call: the profile, her consents with where each
//! stands now (valid, due for review, withdrawn) and her open referrals, so
//! the shells stop filtering every open referral by id and working out
//! "due for review" themselves (iOS README wish 6). Her timeline stays paged
//! on its own (`timeline_page`). Damaged consents and referrals are left out
//! and named.

use super::queries::ReferralView;
use super::screens::{ids, unreadable_notice};
use super::store::{self, person_ref};
use super::{Session, Vault};
use crate::domain::{Consent, ConsentState, Person, RecordKind, Referral};
use crate::error::{CoreError, Result};
use crate::Timestamp;
use rusqlite::Connection;
use uuid::Uuid;

/// A consent with the agency's name and where it stands now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ConsentView {
    pub consent: Consent,
    pub agency_name: String,
    /// Computed at the moment of asking, never stored.
    pub state: ConsentState,
}

/// Her profile screen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct PersonScreen {
    pub person: Person,
    /// Newest first.
    pub consents: Vec<ConsentView>,
    /// Hers only: overdue first, then by due time.
    pub open_referrals: Vec<ReferralView>,
    /// Consents or referrals that could not be read, left out.
    pub unreadable: Vec<Uuid>,
    pub notice: Option<String>,
}

fn agency_name(s: &Session, id: &str) -> String {
    s.directory
        .agency(id)
        .map_or_else(|| id.to_owned(), |a| a.name.clone())
}

fn hers<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    extra: &str,
    person: &[u8],
    unreadable: &mut Vec<String>,
) -> Result<Vec<T>> {
    // The kind is written into the statement so that the planner takes the
    // (person_ref, kind) index.
    let sql = format!(
        "SELECT id, version, body FROM records
         WHERE person_ref = ?1 AND kind = '{}' AND deleted = 0 {extra}",
        kind.as_str()
    );
    store::read_many_skipping(conn, &s.keys, kind, &sql, [person], unreadable)
}

fn build(conn: &Connection, s: &Session, id: Uuid, now: Timestamp) -> Result<PersonScreen> {
    let person: Person =
        store::read(conn, &s.keys, RecordKind::Person, id)?.ok_or(CoreError::NotFound("person"))?;
    let r = person_ref(&s.keys, &id);
    let mut unreadable = Vec::new();
    let mut consents: Vec<Consent> = hers(conn, s, RecordKind::Consent, "", &r, &mut unreadable)?;
    consents.sort_by_key(|c| std::cmp::Reverse(c.given_at));
    let mut referrals: Vec<Referral> = hers(
        conn,
        s,
        RecordKind::Referral,
        "AND is_open = 1",
        &r,
        &mut unreadable,
    )?;
    referrals.sort_by_key(|r| (!r.is_overdue(now), r.due_at));
    Ok(PersonScreen {
        consents: consents
            .into_iter()
            .map(|c| ConsentView {
                agency_name: agency_name(s, &c.agency_id),
                state: c.state(now),
                consent: c,
            })
            .collect(),
        open_referrals: referrals
            .into_iter()
            .map(|r| ReferralView {
                agency_name: agency_name(s, &r.agency_id),
                person_alias: Some(person.alias.clone()),
                overdue: r.is_overdue(now),
                referral: r,
            })
            .collect(),
        person,
        notice: unreadable_notice(unreadable.len()),
        unreadable: ids(unreadable),
    })
}

impl Vault {
    /// Her profile, her consents with their state now, and her open
    /// referrals. `NotFound` when she is not on this phone, `Damaged` when
    /// her profile cannot be read.
    pub fn person_screen(&self, id: Uuid) -> Result<PersonScreen> {
        self.with_session(|conn, s, now| build(conn, s, id, now))
    }
}
