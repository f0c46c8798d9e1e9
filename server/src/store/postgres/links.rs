//! Profile links (issue 14) on PostgreSQL, as `store/sqlite/links.rs`: each
//! link and unlink in one transaction (under the writers' lock, so two
//! processes cannot both link the same pair) with its audit row, the
//! viewer's sight checked through the policy on the stored records. The
//! rules are `store/links.rs`'s, shared with the SQLite backend.

use super::db::{get, Db};
use super::records::PgFacts;
use super::rows::{ms, read_directory, read_record, RECORD_COLUMNS};
use super::PgStore;
use crate::policy::Viewer;
use crate::store::dashboard::NewAuditEntry;
use crate::store::links::{
    actor, audit_entry, check_both, count_partnership_women, link_pair, new_link,
    partnership_contacts_sql, sees_both, LinkError, LinkRow, LinkStore, PartnershipWomen,
    ProfileLink, LINK_COLUMNS, LIVE_LINK_PAIRS,
};
use crate::store::{RecordMeta, StoreError};
use nightround_core::Timestamp;
use tokio_postgres::Row;
use uuid::Uuid;

fn read_link(r: &Row) -> Result<LinkRow, StoreError> {
    Ok(LinkRow {
        id: get(r, 0)?,
        person_a: get(r, 1)?,
        person_b: get(r, 2)?,
        linked_by: get(r, 3)?,
        linked_at: get(r, 4)?,
        unlinked_by: get(r, 5)?,
        unlinked_at: get(r, 6)?,
    })
}

/// A live person record's plaintext columns.
fn person_meta(db: &Db<'_>, id: Uuid) -> Result<Option<RecordMeta>, StoreError> {
    let row = db.row(
        &format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1 AND kind = 'person'"),
        &[&id.to_string()],
    )?;
    Ok(row
        .map(|r| read_record(&r).map(|(m, _)| m))
        .transpose()?
        .filter(|m| !m.tombstone))
}

fn audit(db: &Db<'_>, e: &NewAuditEntry) -> Result<(), StoreError> {
    // Chained at the next append or read of the log.
    db.exec(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        &[&ms(e.at), &e.actor, &e.action, &e.subject, &e.detail],
    )?;
    Ok(())
}

/// Runs a write whose refusals are [`LinkError`]s in one transaction: a
/// refusal rolls it back as a store error does.
fn link_write<T>(
    store: &PgStore,
    f: impl FnOnce(&Db<'_>) -> Result<T, LinkError>,
) -> Result<T, LinkError> {
    let mut refused = None;
    let out = store.pg.write(|db| match f(db) {
        Ok(v) => Ok(Some(v)),
        Err(LinkError::Store(e)) => Err(e),
        Err(e) => {
            refused = Some(e);
            // Rolls the transaction back.
            Err(StoreError::Config("refused"))
        }
    });
    match (out, refused) {
        (_, Some(e)) => Err(e),
        (Ok(Some(v)), None) => Ok(v),
        (Ok(None), None) => Err(LinkError::Store(StoreError::Corrupt("a link write"))),
        (Err(e), None) => Err(LinkError::Store(e)),
    }
}

impl LinkStore for PgStore {
    fn link_profiles(
        &self,
        by: Option<&Viewer<'_>>,
        a: Uuid,
        b: Uuid,
        now: Timestamp,
    ) -> Result<ProfileLink, LinkError> {
        let link = new_link(by, a, b, now)?;
        link_write(self, |db| {
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            check_both(by, link.a, link.b, &|id| person_meta(db, id), &facts, now)?;
            let live: bool = db.one(
                "SELECT EXISTS (SELECT 1 FROM profile_links WHERE person_a = $1 AND person_b = $2
                 AND unlinked_at IS NULL)",
                &[&link.a.to_string(), &link.b.to_string()],
            )?;
            if live {
                return Err(LinkError::AlreadyLinked);
            }
            db.exec(
                "INSERT INTO profile_links (id, person_a, person_b, linked_by, linked_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &link.id.to_string(),
                    &link.a.to_string(),
                    &link.b.to_string(),
                    &link.linked_by,
                    &ms(now),
                ],
            )?;
            audit(
                db,
                &audit_entry(now, &link.linked_by, "link_profiles", &link),
            )?;
            Ok(link)
        })
    }

    fn unlink_profiles(
        &self,
        by: Option<&Viewer<'_>>,
        link: Uuid,
        now: Timestamp,
    ) -> Result<ProfileLink, LinkError> {
        link_write(self, |db| {
            let row = db
                .row(
                    &format!(
                        "SELECT {LINK_COLUMNS} FROM profile_links WHERE id = $1
                         AND unlinked_at IS NULL"
                    ),
                    &[&link.to_string()],
                )?
                .ok_or(LinkError::NoSuchLink)?;
            let mut found = read_link(&row)?.into_link()?;
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            check_both(by, found.a, found.b, &|id| person_meta(db, id), &facts, now)?;
            found.unlinked_by = Some(actor(by));
            found.unlinked_at = Some(now);
            db.exec(
                "UPDATE profile_links SET unlinked_by = $1, unlinked_at = $2 WHERE id = $3",
                &[&found.unlinked_by, &ms(now), &link.to_string()],
            )?;
            audit(db, &audit_entry(now, &actor(by), "unlink_profiles", &found))?;
            Ok(found)
        })
    }

    fn profile_links(
        &self,
        viewer: Option<&Viewer<'_>>,
        person: Uuid,
        now: Timestamp,
    ) -> Result<Vec<ProfileLink>, StoreError> {
        self.pg.snapshot(|db| {
            let rows = db.query(
                &format!(
                    "SELECT {LINK_COLUMNS} FROM profile_links
                     WHERE (person_a = $1 OR person_b = $1) AND unlinked_at IS NULL
                     ORDER BY linked_at, id"
                ),
                &[&person.to_string()],
            )?;
            let dir = read_directory(db)?;
            let facts = PgFacts { db, dir: &dir };
            let mut out = Vec::new();
            for row in rows {
                let link = read_link(&row)?.into_link()?;
                if sees_both(viewer, &link, &|id| person_meta(db, id), &facts, now)? {
                    out.push(link);
                }
            }
            Ok(out)
        })
    }

    fn partnership_women(
        &self,
        in_period: &dyn Fn(Timestamp) -> bool,
    ) -> Result<PartnershipWomen, StoreError> {
        let (contacts, links) = self.pg.snapshot(|db| {
            let contacts = db
                .query(&partnership_contacts_sql(RECORD_COLUMNS), &[])?
                .iter()
                .map(read_record)
                .collect::<Result<Vec<_>, _>>()?;
            let links = db
                .query(LIVE_LINK_PAIRS, &[])?
                .iter()
                .map(|r| link_pair(&get::<String>(r, 0)?, &get::<String>(r, 1)?))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((contacts, links))
        })?;
        count_partnership_women(&self.key, contacts, &links, in_period)
    }
}
