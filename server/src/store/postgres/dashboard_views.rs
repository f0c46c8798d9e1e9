//! The dashboard's indexes in the PostgreSQL backend (issue 11, ADR 0015),
//! as `sqlite/dashboard_views.rs` keeps and reads them: written with every
//! stored state ([`observe`], from `records::write_state_from`, in the
//! writer's transaction), left by a tombstone or a deleted record through
//! schema 7's triggers, filled once when an upgraded database opens
//! ([`fill_if_pending`]). The rows come from `store/dashboard_index`, shared
//! with SQLite, so both backends count the same figures.

use super::db::{get, Db, Param};
use super::records::PgFacts;
use super::rows::{ms, read_record, ts, uuid, RECORD_COLUMNS};
use crate::apply::NewState;
use crate::policy::{self, Viewer};
use crate::store::dashboard::{
    ContactTally, ContactsOf, PersonSeen, ReferralRow, SupplyTally, Whose,
};
use crate::store::dashboard_index;
use crate::store::sealed::open_record;
use crate::store::{RecordMeta, StoreError};
use nightround_core::crypto::DataKey;
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use serde_json::{Map, Value};
use uuid::Uuid;

/// Replaces what one record put in the indexes with what this state puts.
fn index_state(
    db: &Db<'_>,
    kind: RecordKind,
    id: &str,
    organisation_id: &str,
    person_id: Option<Uuid>,
    body: Option<&Map<String, Value>>,
) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM contact_index WHERE contact_id = $1",
        "DELETE FROM supply_index WHERE record_id = $1",
        "DELETE FROM referral_index WHERE referral_id = $1",
    ] {
        db.exec(sql, &[&id])?;
    }
    let rows = dashboard_index::rows_of(kind, body);
    if let Some(c) = rows.contact {
        db.exec(
            "INSERT INTO contact_index (contact_id, organisation_id, person_id, at, round)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &id,
                &organisation_id,
                &person_id.map(|p| p.to_string()),
                &ms(c.at),
                &c.round,
            ],
        )?;
    }
    for l in rows.supplies {
        db.exec(
            "INSERT INTO supply_index (record_id, item_id, organisation_id, round, quantity)
             VALUES ($1, $2, $3, $4, $5)",
            &[&id, &l.item_id, &organisation_id, &l.round, &l.quantity],
        )?;
    }
    if let Some(r) = rows.referral {
        db.exec(
            "INSERT INTO referral_index (referral_id, organisation_id, agency_id, urgency,
                 open, awaiting, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &id,
                &organisation_id,
                &r.agency_id,
                &r.urgency,
                &r.open,
                &r.awaiting,
                &ms(r.due_at),
            ],
        )?;
    }
    Ok(())
}

/// Keeps the indexes true for one stored state, in the caller's
/// transaction (a tombstone leaves them, here and by the schema's trigger).
pub(super) fn observe(db: &Db<'_>, s: &NewState) -> Result<(), StoreError> {
    if !dashboard_index::is_indexed(s.kind) {
        return Ok(());
    }
    let body = s.body.as_ref().filter(|_| !s.tombstone);
    index_state(
        db,
        s.kind,
        &s.id.to_string(),
        &s.organisation_id,
        s.person_id,
        body,
    )
}

/// Fills the indexes from the stored records when an upgrade asked for it
/// (schema 6 -> 7: the tables were there but nothing wrote them), and
/// clears the request, in the caller's transaction.
pub(super) fn fill_if_pending(db: &Db<'_>, key: &DataKey) -> Result<(), StoreError> {
    let pending: bool = db.one(
        "SELECT EXISTS (SELECT 1 FROM server_meta WHERE name = 'contact_index_pending')",
        &[],
    )?;
    if !pending {
        return Ok(());
    }
    db.batch("DELETE FROM contact_index; DELETE FROM supply_index; DELETE FROM referral_index")?;
    let rows = db.query(
        &format!(
            "SELECT {RECORD_COLUMNS} FROM records
             WHERE kind IN ('contact', 'supply_drop', 'referral') AND NOT tombstone"
        ),
        &[],
    )?;
    for row in &rows {
        let (meta, sealed) = read_record(row)?;
        let opened = open_record(key, &meta, sealed)?;
        index_state(
            db,
            meta.kind,
            &meta.id.to_string(),
            &meta.organisation_id,
            meta.person_id,
            opened.as_ref().map(|r| &r.body),
        )?;
    }
    db.exec(
        "DELETE FROM server_meta WHERE name = 'contact_index_pending'",
        &[],
    )?;
    Ok(())
}

/// The record columns of `records r`, without the body: metadata only.
fn meta_columns() -> String {
    RECORD_COLUMNS
        .split(',')
        .map(str::trim)
        .map(|c| match c {
            "body" => "NULL::BYTEA".to_owned(),
            c => format!("r.{c}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One live record's metadata, body left behind.
fn meta_of(db: &Db<'_>, id: &str) -> Result<Option<RecordMeta>, StoreError> {
    db.row(
        &format!(
            "SELECT {} FROM records r WHERE r.id = $1 AND NOT r.tombstone",
            meta_columns()
        ),
        &[&id],
    )?
    .map(|r| read_record(&r).map(|(meta, _)| meta))
    .transpose()
}

/// Who looks, when, and whether her organisation's records of the kind
/// read are hers to see without a lookup.
struct Looker<'a, 'c, 'd> {
    db: &'c Db<'d>,
    facts: &'c PgFacts<'c, 'd>,
    viewer: &'a Viewer<'a>,
    now: Timestamp,
    own_org: bool,
}

impl Looker<'_, '_, '_> {
    fn new<'a, 'c, 'd>(
        db: &'c Db<'d>,
        facts: &'c PgFacts<'c, 'd>,
        viewer: &'a Viewer<'a>,
        now: Timestamp,
        kind: RecordKind,
    ) -> Looker<'a, 'c, 'd> {
        Looker {
            db,
            facts,
            viewer,
            now,
            own_org: matches!(Whose::of(kind, viewer), Whose::Organisation(_)),
        }
    }

    /// Whether the viewer may see the indexed record `id` of `org`: her
    /// organisation's own when the policy gives her its records of the
    /// kind (nothing looked up), another's by the policy on its metadata
    /// (and, for `person`, only while the record is still about her).
    fn sees(&self, id: &str, org: &str, person: Option<Uuid>) -> Result<bool, StoreError> {
        if self.own_org && org == self.viewer.organisation_id {
            return Ok(true);
        }
        match meta_of(self.db, id)? {
            Some(meta) => Ok(person.is_none_or(|p| meta.person_id == Some(p))
                && policy::may_see(self.viewer, &meta, self.facts, self.now)?),
            None => Ok(false),
        }
    }
}

/// Her contacts `viewer` may see, counted, and the newest of them,
/// unopened (as SQLite's `contacts_of`).
pub(super) fn contacts_of(
    db: &Db<'_>,
    facts: &PgFacts<'_, '_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
    person: Uuid,
) -> Result<ContactsOf, StoreError> {
    Ok(contacts_of_many(db, facts, viewer, now, &[person], true)?
        .pop()
        .unwrap_or_default())
}

/// [`contacts_of`] for several women in two statements rather than one
/// per woman (each statement is a round trip to the database): her
/// organisation's own contacts counted in SQL when the viewer sees them
/// all, the others (shared by consent, or all of them for a viewer who
/// sees only some) looked at one by one, newest first, against the
/// policy. Without `count`, only a contact newer than her organisation's
/// last is looked at (it alone could be her last the viewer sees).
pub(super) fn contacts_of_many(
    db: &Db<'_>,
    facts: &PgFacts<'_, '_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
    people: &[Uuid],
    count: bool,
) -> Result<Vec<ContactsOf>, StoreError> {
    let looker = Looker::new(db, facts, viewer, now, RecordKind::Contact);
    let ids: Vec<String> = people.iter().map(Uuid::to_string).collect();
    let mut out: std::collections::HashMap<String, (ContactsOf, i64)> =
        std::collections::HashMap::new();
    let org = viewer.organisation_id.to_owned();
    if looker.own_org {
        for row in &db.query(
            "SELECT person_id, COUNT(*), (array_agg(contact_id ORDER BY at DESC))[1], MAX(at)
             FROM contact_index WHERE person_id = ANY($1) AND organisation_id = $2
             GROUP BY person_id",
            &[&ids, &org],
        )? {
            let n: i64 = get(row, 1)?;
            let id: String = get(row, 2)?;
            let at: i64 = get(row, 3)?;
            let seen = ContactsOf {
                count: usize::try_from(n).unwrap_or(0),
                last: Some((uuid(&id)?, ts(at)?)),
            };
            out.insert(get(row, 0)?, (seen, at));
        }
    }
    let others = if looker.own_org {
        "SELECT person_id, contact_id, organisation_id, at FROM contact_index
         WHERE person_id = ANY($1) AND organisation_id <> $2 ORDER BY at DESC"
    } else {
        "SELECT person_id, contact_id, organisation_id, at FROM contact_index
         WHERE person_id = ANY($1) AND $2::TEXT IS NOT NULL ORDER BY at DESC"
    };
    for row in &db.query(others, &[&ids, &org])? {
        let person: String = get(row, 0)?;
        let at: i64 = get(row, 3)?;
        let entry = out.entry(person.clone()).or_default();
        if !count && entry.0.last.is_some_and(|_| at <= entry.1) {
            continue;
        }
        let id: String = get(row, 1)?;
        let contact_org: String = get(row, 2)?;
        if !looker.sees(&id, &contact_org, Some(uuid(&person)?))? {
            continue;
        }
        entry.0.count += 1;
        if entry.0.last.is_none_or(|_| at > entry.1) {
            entry.0.last = Some((uuid(&id)?, ts(at)?));
            entry.1 = at;
        }
    }
    Ok(ids
        .iter()
        .map(|p| out.remove(p).map(|(c, _)| c).unwrap_or_default())
        .collect())
}

/// The people `viewer` may see, newest profile first, each with her last
/// contact the viewer may see; nothing opened.
pub(super) fn people_seen(
    db: &Db<'_>,
    facts: &PgFacts<'_, '_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
) -> Result<Vec<PersonSeen>, StoreError> {
    let rows = db.query(
        &format!(
            "SELECT {} FROM records r WHERE r.kind = 'person' AND NOT r.tombstone
             ORDER BY r.seq DESC",
            meta_columns()
        ),
        &[],
    )?;
    let mut metas = Vec::new();
    for row in &rows {
        let (meta, _) = read_record(row)?;
        if policy::may_see(viewer, &meta, facts, now)? {
            metas.push(meta);
        }
    }
    let ids: Vec<Uuid> = metas.iter().map(|m| m.id).collect();
    let contacts = contacts_of_many(db, facts, viewer, now, &ids, false)?;
    Ok(metas
        .into_iter()
        .zip(contacts)
        .map(|(meta, c)| PersonSeen {
            meta,
            last_contact: c.last,
        })
        .collect())
}

/// The evening rounds on which the organisation recorded a contact, oldest
/// first: one index probe per round (a loose index scan).
pub(super) fn contact_rounds(
    db: &Db<'_>,
    organisation_id: &str,
) -> Result<Vec<chrono::NaiveDate>, StoreError> {
    db.query(
        "WITH RECURSIVE r (round) AS (
             SELECT MIN(round) FROM contact_index WHERE organisation_id = $1
             UNION ALL
             SELECT (SELECT MIN(c.round) FROM contact_index c
                     WHERE c.organisation_id = $1 AND c.round > r.round)
             FROM r WHERE r.round IS NOT NULL)
         SELECT round FROM r WHERE round IS NOT NULL",
        &[&organisation_id],
    )?
    .iter()
    .map(|r| dashboard_index::round_date(&get::<String>(r, 0)?))
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

/// The join to her records for a viewer who counts only her own (its
/// parameter is the last); nothing for a whole organisation.
fn author_join(author: &Option<String>, table: &str, id: &str, n: usize) -> String {
    match author {
        Some(_) => format!(
            "JOIN records r ON r.id = {table}.{id} AND r.author_worker_id = ${n} \
             AND NOT r.tombstone"
        ),
        None => String::new(),
    }
}

/// The parameters `base` and, when counting one author's, her id.
fn with_author<'a>(mut base: Vec<Param<'a>>, author: &'a Option<String>) -> Vec<Param<'a>> {
    if let Some(a) = author {
        base.push(a);
    }
    base
}

/// The contacts counted for the viewer on rounds `from..=to`.
pub(super) fn contact_tallies(
    db: &Db<'_>,
    viewer: &Viewer<'_>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<ContactTally>, StoreError> {
    let Some((org, author)) = whose_params(RecordKind::Contact, viewer) else {
        return Ok(Vec::new());
    };
    let (from, to) = (from.to_string(), to.to_string());
    let join = author_join(&author, "c", "contact_id", 4);
    db.query(
        &format!(
            "SELECT c.person_id, c.round FROM contact_index c {join}
             WHERE c.organisation_id = $1 AND c.round BETWEEN $2 AND $3"
        ),
        &with_author(vec![&org, &from, &to], &author),
    )?
    .iter()
    .map(|r| {
        let person: Option<String> = get(r, 0)?;
        Ok(ContactTally {
            person_id: person.as_deref().map(uuid).transpose()?,
            round: dashboard_index::round_date(&get::<String>(r, 1)?)?,
        })
    })
    .collect()
}

/// Supplies counted for the viewer on rounds `from..=to`, by round and item.
pub(super) fn supply_tallies(
    db: &Db<'_>,
    viewer: &Viewer<'_>,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<SupplyTally>, StoreError> {
    let Some((org, author)) = whose_params(RecordKind::SupplyDrop, viewer) else {
        return Ok(Vec::new());
    };
    let (from, to) = (from.to_string(), to.to_string());
    let join = author_join(&author, "s", "record_id", 4);
    db.query(
        &format!(
            "SELECT s.round, s.item_id, SUM(s.quantity)::BIGINT FROM supply_index s {join}
             WHERE s.organisation_id = $1 AND s.round BETWEEN $2 AND $3
             GROUP BY s.round, s.item_id ORDER BY s.round, s.item_id"
        ),
        &with_author(vec![&org, &from, &to], &author),
    )?
    .iter()
    .map(|r| {
        let q: i64 = get(r, 2)?;
        Ok(SupplyTally {
            round: dashboard_index::round_date(&get::<String>(r, 0)?)?,
            item_id: get(r, 1)?,
            quantity: u64::try_from(q).map_err(|_| StoreError::Corrupt("a quantity"))?,
        })
    })
    .collect()
}

/// Referrals counted for the viewer awaiting an answer past their due time.
pub(super) fn overdue_referrals(
    db: &Db<'_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
) -> Result<std::collections::BTreeMap<String, usize>, StoreError> {
    let Some((org, author)) = whose_params(RecordKind::Referral, viewer) else {
        return Ok(Default::default());
    };
    let join = author_join(&author, "q", "referral_id", 3);
    let now = ms(now);
    db.query(
        &format!(
            "SELECT q.agency_id, COUNT(*) FROM referral_index q {join}
             WHERE q.organisation_id = $1 AND q.awaiting AND q.due_at < $2
             GROUP BY q.agency_id"
        ),
        &with_author(vec![&org, &now], &author),
    )?
    .iter()
    .map(|r| {
        let n: i64 = get(r, 1)?;
        Ok((get(r, 0)?, usize::try_from(n).unwrap_or(0)))
    })
    .collect()
}

/// Every referral `viewer` may see at `now`, as the referral index has it.
pub(super) fn referral_rows(
    db: &Db<'_>,
    facts: &PgFacts<'_, '_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
) -> Result<Vec<ReferralRow>, StoreError> {
    let looker = Looker::new(db, facts, viewer, now, RecordKind::Referral);
    let rows = db.query(
        "SELECT referral_id, organisation_id, agency_id, urgency, open, awaiting, due_at
         FROM referral_index",
        &[],
    )?;
    let mut out = Vec::new();
    for row in &rows {
        let id: String = get(row, 0)?;
        let org: String = get(row, 1)?;
        if !looker.sees(&id, &org, None)? {
            continue;
        }
        out.push(ReferralRow {
            id: uuid(&id)?,
            agency_id: get(row, 2)?,
            urgency: dashboard_index::urgency_of(&get::<String>(row, 3)?),
            open: get(row, 4)?,
            awaiting: get(row, 5)?,
            due_at: ts(get(row, 6)?)?,
        });
    }
    Ok(out)
}

/// How many of each woman's referrals `viewer` may see are open, in one
/// statement: the person index and the referral index; her organisation's
/// own need no lookup.
pub(super) fn open_referrals_of_many(
    db: &Db<'_>,
    facts: &PgFacts<'_, '_>,
    viewer: &Viewer<'_>,
    now: Timestamp,
    people: &[Uuid],
) -> Result<Vec<usize>, StoreError> {
    let looker = Looker::new(db, facts, viewer, now, RecordKind::Referral);
    let ids: Vec<String> = people.iter().map(Uuid::to_string).collect();
    let rows = db.query(
        "SELECT h.person_id, q.referral_id, q.organisation_id FROM records h
         JOIN referral_index q ON q.referral_id = h.id
         WHERE h.person_id = ANY($1) AND h.kind = 'referral' AND q.open",
        &[&ids],
    )?;
    let mut open: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in &rows {
        let person: String = get(row, 0)?;
        let id: String = get(row, 1)?;
        let org: String = get(row, 2)?;
        if looker.sees(&id, &org, None)? {
            *open.entry(person).or_default() += 1;
        }
    }
    Ok(ids
        .iter()
        .map(|p| open.get(p).copied().unwrap_or(0))
        .collect())
}
