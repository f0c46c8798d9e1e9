//! What the dashboard keeps beside the sealed records so its pages read only
//! what they show (issue 11): the contact index (each live contact's
//! organisation, person, time and evening round), the supply index (each
//! contact's and drop's quantities by item and round) and the referral
//! index (agency, awaiting an answer or not, due time). Nothing else leaves
//! the sealed bodies: no area, note, wellbeing, alias or needs.
//!
//! The indexes are written with every stored state ([`observe`], called from
//! `records::write_state_from`, so the push, the dashboard's writes and the
//! server's own writes all keep them, in their transaction); a record that
//! becomes a tombstone or is deleted (erasure, retention) leaves them by the
//! triggers of schema 10. A database upgraded to schema 10 has its rows
//! filled in once, when the store opens ([`fill_if_pending`]).

use super::records::SqlFacts;
use super::rows::{ms, read_record, ts, RECORD_COLUMNS};
use crate::apply::NewState;
use crate::policy::{self, Viewer};
use crate::store::dashboard::{
    ContactTally, ContactsOf, PersonSeen, ReferralRow, SupplyTally, Whose,
};
use crate::store::dashboard_index;
use crate::store::sealed::open_record;
use crate::store::StoreError;
use nightround_core::crypto::DataKey;
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Writes what one stored state puts in the indexes (`store/dashboard_index`,
/// shared with PostgreSQL) after removing what it put there before.
fn index_state(
    conn: &Connection,
    kind: RecordKind,
    id: &str,
    organisation_id: &str,
    person_id: Option<Uuid>,
    body: Option<&Map<String, Value>>,
) -> Result<(), StoreError> {
    for table in [
        "DELETE FROM contact_index WHERE contact_id = ?1",
        "DELETE FROM supply_index WHERE record_id = ?1",
        "DELETE FROM referral_index WHERE referral_id = ?1",
    ] {
        conn.prepare_cached(table)?.execute([id])?;
    }
    let rows = dashboard_index::rows_of(kind, body);
    if let Some(c) = rows.contact {
        conn.prepare_cached(
            "INSERT INTO contact_index (contact_id, organisation_id, person_id, at, round)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((
            id,
            organisation_id,
            person_id.map(|p| p.to_string()),
            ms(c.at),
            &c.round,
        ))?;
    }
    for l in rows.supplies {
        conn.prepare_cached(
            "INSERT INTO supply_index (record_id, item_id, organisation_id, round, quantity)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((id, &l.item_id, organisation_id, &l.round, l.quantity))?;
    }
    if let Some(r) = rows.referral {
        conn.prepare_cached(
            "INSERT INTO referral_index (referral_id, organisation_id, agency_id, urgency,
                 open, awaiting, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            id,
            organisation_id,
            &r.agency_id,
            r.urgency,
            r.open,
            r.awaiting,
            ms(r.due_at),
        ))?;
    }
    Ok(())
}

/// Keeps the indexes true for one stored state, in the caller's
/// transaction (a tombstone leaves them, here and by the schema's trigger).
pub(super) fn observe(conn: &Connection, s: &NewState) -> Result<(), StoreError> {
    if !dashboard_index::is_indexed(s.kind) {
        return Ok(());
    }
    let body = s.body.as_ref().filter(|_| !s.tombstone);
    index_state(
        conn,
        s.kind,
        &s.id.to_string(),
        &s.organisation_id,
        s.person_id,
        body,
    )
}

/// Fills the indexes from the stored records when an upgrade asked for it
/// (schema 9 -> 10), in one transaction, and clears the request.
pub(super) fn fill_if_pending(conn: &mut Connection, key: &DataKey) -> Result<(), StoreError> {
    let pending: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM server_meta WHERE name = 'contact_index_pending')",
        [],
        |r| r.get(0),
    )?;
    if !pending {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let raws: Vec<_> = tx
        .prepare(&format!(
            "SELECT {RECORD_COLUMNS} FROM records
             WHERE kind IN ('contact', 'supply_drop', 'referral') AND tombstone = 0"
        ))?
        .query_map([], read_record)?
        .collect::<Result<_, _>>()?;
    for raw in raws {
        let (meta, sealed) = raw.into_meta()?;
        let opened = open_record(key, &meta, sealed)?;
        index_state(
            &tx,
            meta.kind,
            &meta.id.to_string(),
            &meta.organisation_id,
            meta.person_id,
            opened.as_ref().map(|r| &r.body),
        )?;
    }
    tx.execute(
        "DELETE FROM server_meta WHERE name = 'contact_index_pending'",
        [],
    )?;
    tx.commit()?;
    Ok(())
}

/// The record columns of `records r`, without the body: metadata only.
fn meta_columns() -> String {
    RECORD_COLUMNS
        .split(',')
        .map(str::trim)
        .map(|c| match c {
            "body" => "NULL".to_owned(),
            c => format!("r.{c}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Her contacts `viewer` may see, newest first, unopened; the walk stops at
/// the first when `count` is false. Her organisation's own contacts are
/// the viewer's to see whenever the policy gives her organisation's
/// contacts (no record is looked up for them); another organisation's are
/// checked one by one against the policy (shared by consent, her own).
pub(super) fn contacts_of(
    conn: &Connection,
    facts: &SqlFacts<'_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
    person: Uuid,
    count: bool,
) -> Result<ContactsOf, StoreError> {
    let own_org = matches!(
        Whose::of(RecordKind::Contact, viewer),
        Whose::Organisation(_)
    );
    let mut index = conn.prepare_cached(
        "SELECT contact_id, organisation_id, at FROM contact_index
         WHERE person_id = ?1 ORDER BY at DESC",
    )?;
    let mut meta_of = conn.prepare_cached(&format!(
        "SELECT {} FROM records r WHERE r.id = ?1 AND r.tombstone = 0",
        meta_columns()
    ))?;
    let mut rows = index.query([person.to_string()])?;
    let mut out = ContactsOf::default();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let org: String = row.get(1)?;
        let visible = if own_org && org == viewer.organisation_id {
            true
        } else {
            match meta_of.query_row([&id], read_record).optional()? {
                Some(raw) => {
                    let (meta, _) = raw.into_meta()?;
                    meta.person_id == Some(person) && policy::may_see(viewer, &meta, facts, now)?
                }
                None => false,
            }
        };
        if !visible {
            continue;
        }
        out.count += 1;
        if out.last.is_none() {
            out.last = Some((super::rows::uuid(&id)?, ts(row.get(2)?)?));
            if !count {
                break;
            }
        }
    }
    Ok(out)
}

/// The people `viewer` may see, newest profile first, each with her last
/// contact the viewer may see: profiles by the kind index, contacts by the
/// contact index; nothing opened.
pub(super) fn people_seen(
    conn: &Connection,
    facts: &SqlFacts<'_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
) -> Result<Vec<PersonSeen>, StoreError> {
    let metas: Vec<_> = conn
        .prepare_cached(&format!(
            "SELECT {} FROM records r WHERE r.kind = 'person' AND r.tombstone = 0
             ORDER BY r.seq DESC",
            meta_columns()
        ))?
        .query_map([], read_record)?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for raw in metas {
        let (meta, _) = raw.into_meta()?;
        if !policy::may_see(viewer, &meta, facts, now)? {
            continue;
        }
        let last_contact = contacts_of(conn, facts, viewer, now, meta.id, false)?.last;
        out.push(PersonSeen { meta, last_contact });
    }
    Ok(out)
}

/// The evening rounds on which the organisation recorded a contact, oldest
/// first: one index probe per round, however many contacts each holds.
pub(super) fn contact_rounds(
    conn: &Connection,
    organisation_id: &str,
) -> Result<Vec<chrono::NaiveDate>, StoreError> {
    let rounds: Vec<String> = conn
        .prepare_cached(
            "WITH RECURSIVE r (round) AS (
                 SELECT MIN(round) FROM contact_index WHERE organisation_id = ?1
                 UNION ALL
                 SELECT (SELECT MIN(round) FROM contact_index
                         WHERE organisation_id = ?1 AND round > r.round)
                 FROM r WHERE r.round IS NOT NULL)
             SELECT round FROM r WHERE round IS NOT NULL",
        )?
        .query_map([organisation_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    rounds
        .iter()
        .map(|d| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt("a contact's round"))
        })
        .collect()
}

/// The organisation and, for a viewer who counts only her own, the author
/// whose rows count (`None`: nothing counts).
fn whose_params(kind: RecordKind, viewer: &Viewer<'_>) -> Option<(String, Option<String>)> {
    match Whose::of(kind, viewer) {
        Whose::Organisation(o) => Some((o.to_owned(), None)),
        Whose::Author(w) => Some((viewer.organisation_id.to_owned(), Some(w.to_owned()))),
        Whose::Nobody => None,
    }
}

/// Rows of one organisation by the round index; for one author, joined to
/// her records (a worker belongs to one organisation). The indexes are kept
/// in the writes' transactions and lose tombstones by trigger, so the
/// organisation's rows need no join.
fn author_join(author: &Option<String>, table: &str, id: &str) -> String {
    match author {
        Some(_) => format!(
            "CROSS JOIN records r ON r.id = {table}.{id} AND r.author_worker_id = ?4 AND r.tombstone = 0"
        ),
        None => "WHERE ?4 IS NULL".to_owned(),
    }
}

/// The contacts counted for the viewer on rounds `from..=to`: the round
/// index, no body opened.
pub(super) fn contact_tallies(
    conn: &Connection,
    viewer: &Viewer<'_>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<ContactTally>, StoreError> {
    let Some((org, author)) = whose_params(RecordKind::Contact, viewer) else {
        return Ok(Vec::new());
    };
    let join = author_join(&author, "c", "contact_id");
    let glue = if author.is_some() { "WHERE" } else { "AND" };
    let rows: Vec<(Option<String>, String)> = conn
        .prepare_cached(&format!(
            "SELECT c.person_id, c.round FROM contact_index c {join}
             {glue} c.organisation_id = ?1 AND c.round BETWEEN ?2 AND ?3"
        ))?
        .query_map((&org, from.to_string(), to.to_string(), &author), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(p, round)| {
            Ok(ContactTally {
                person_id: p.as_deref().map(super::rows::uuid).transpose()?,
                round: dashboard_index::round_date(&round)?,
            })
        })
        .collect()
}

/// Supplies counted for the viewer on rounds `from..=to`, by round and item.
pub(super) fn supply_tallies(
    conn: &Connection,
    viewer: &Viewer<'_>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<SupplyTally>, StoreError> {
    let Some((org, author)) = whose_params(RecordKind::SupplyDrop, viewer) else {
        return Ok(Vec::new());
    };
    let join = author_join(&author, "s", "record_id");
    let glue = if author.is_some() { "WHERE" } else { "AND" };
    let rows: Vec<(String, String, i64)> = conn
        .prepare_cached(&format!(
            "SELECT s.round, s.item_id, SUM(s.quantity) FROM supply_index s {join}
             {glue} s.organisation_id = ?1 AND s.round BETWEEN ?2 AND ?3
             GROUP BY s.round, s.item_id ORDER BY s.round, s.item_id"
        ))?
        .query_map((&org, from.to_string(), to.to_string(), &author), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(round, item_id, q)| {
            Ok(SupplyTally {
                round: dashboard_index::round_date(&round)?,
                item_id,
                quantity: u64::try_from(q).map_err(|_| StoreError::Corrupt("a quantity"))?,
            })
        })
        .collect()
}

/// Referrals counted for the viewer awaiting an answer past their due time.
pub(super) fn overdue_referrals(
    conn: &Connection,
    viewer: &Viewer<'_>,
    now: Timestamp,
) -> Result<std::collections::BTreeMap<String, usize>, StoreError> {
    let Some((org, author)) = whose_params(RecordKind::Referral, viewer) else {
        return Ok(Default::default());
    };
    let join = author_join(&author, "q", "referral_id");
    let glue = if author.is_some() { "WHERE" } else { "AND" };
    let rows: Vec<(String, i64)> = conn
        .prepare_cached(&format!(
            "SELECT q.agency_id, COUNT(*) FROM referral_index q {join}
             {glue} q.organisation_id = ?1 AND q.awaiting = 1 AND q.due_at < ?2
                 AND ?3 IS NULL
             GROUP BY q.agency_id"
        ))?
        .query_map((&org, ms(now), Option::<String>::None, &author), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(a, n)| (a, usize::try_from(n).unwrap_or(0)))
        .collect())
}

/// Every referral `viewer` may see at `now`, as the referral index has it:
/// nothing opened, and her organisation's own need no record lookup.
pub(super) fn referral_rows(
    conn: &Connection,
    facts: &SqlFacts<'_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
) -> Result<Vec<ReferralRow>, StoreError> {
    let own_org = matches!(
        Whose::of(RecordKind::Referral, viewer),
        Whose::Organisation(_)
    );
    let mut index = conn.prepare_cached(
        "SELECT referral_id, organisation_id, agency_id, urgency, open, awaiting, due_at
         FROM referral_index",
    )?;
    let mut meta_of = conn.prepare_cached(&format!(
        "SELECT {} FROM records r WHERE r.id = ?1 AND r.tombstone = 0",
        meta_columns()
    ))?;
    let mut rows = index.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let org: String = row.get(1)?;
        let visible = if own_org && org == viewer.organisation_id {
            true
        } else {
            match meta_of.query_row([&id], read_record).optional()? {
                Some(raw) => policy::may_see(viewer, &raw.into_meta()?.0, facts, now)?,
                None => false,
            }
        };
        if !visible {
            continue;
        }
        let urgency = dashboard_index::urgency_of(&row.get::<_, String>(3)?);
        out.push(ReferralRow {
            id: super::rows::uuid(&id)?,
            agency_id: row.get(2)?,
            urgency,
            open: row.get(4)?,
            awaiting: row.get(5)?,
            due_at: ts(row.get(6)?)?,
        });
    }
    Ok(out)
}

/// How many of her referrals `viewer` may see are open: the person index
/// and the referral index; her organisation's own need no lookup.
pub(super) fn open_referrals_of(
    conn: &Connection,
    facts: &SqlFacts<'_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
    person: Uuid,
) -> Result<usize, StoreError> {
    let own_org = matches!(
        Whose::of(RecordKind::Referral, viewer),
        Whose::Organisation(_)
    );
    let mut index = conn.prepare_cached(
        "SELECT q.referral_id, q.organisation_id FROM
         (SELECT id AS her_id FROM records WHERE person_id = ?1 AND kind = 'referral')
         CROSS JOIN referral_index q ON q.referral_id = her_id WHERE q.open = 1",
    )?;
    let mut meta_of = conn.prepare_cached(&format!(
        "SELECT {} FROM records r WHERE r.id = ?1 AND r.tombstone = 0",
        meta_columns()
    ))?;
    let mut rows = index.query([person.to_string()])?;
    let mut open = 0;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let org: String = row.get(1)?;
        let visible = if own_org && org == viewer.organisation_id {
            true
        } else {
            match meta_of.query_row([&id], read_record).optional()? {
                Some(raw) => policy::may_see(viewer, &raw.into_meta()?.0, facts, now)?,
                None => false,
            }
        };
        open += usize::from(visible);
    }
    Ok(open)
}
