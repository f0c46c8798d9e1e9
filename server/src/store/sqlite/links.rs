//! Profile links in the SQLite backend (`profile_links`, schema 7): each
//! link and unlink in one transaction with its audit row, the viewer's
//! sight checked through the policy on the stored records. The rules are
//! `store/links.rs`'s, shared with the PostgreSQL backend.

use super::records::SqlFacts;
use super::rows::{ms, read_directory, read_record, RECORD_COLUMNS};
use super::SqliteStore;
use crate::policy::Viewer;
use crate::store::dashboard::NewAuditEntry;
use crate::store::links::{
    actor, audit_entry, check_both, count_partnership_women, link_pair, new_link,
    partnership_contacts_sql, sees_both, LinkError, LinkRow, LinkStore, PartnershipWomen,
    ProfileLink, LINK_COLUMNS, LIVE_LINK_PAIRS,
};
use crate::store::{RecordMeta, StoreError};
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

fn read_link(r: &rusqlite::Row<'_>) -> rusqlite::Result<LinkRow> {
    Ok(LinkRow {
        id: r.get(0)?,
        person_a: r.get(1)?,
        person_b: r.get(2)?,
        linked_by: r.get(3)?,
        linked_at: r.get(4)?,
        unlinked_by: r.get(5)?,
        unlinked_at: r.get(6)?,
    })
}

/// A live person record's plaintext columns.
fn person_meta(conn: &Connection, id: Uuid) -> Result<Option<RecordMeta>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE id = ?1 AND kind = 'person'"
        ))?
        .query_row([id.to_string()], read_record)
        .optional()?;
    Ok(raw
        .map(|r| r.into_meta().map(|(m, _)| m))
        .transpose()?
        .filter(|m| !m.tombstone))
}

fn audit(conn: &Connection, e: &NewAuditEntry) -> Result<(), StoreError> {
    // Chained at the next append or read of the log.
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((ms(e.at), &e.actor, &e.action, &e.subject, &e.detail))?;
    Ok(())
}

impl LinkStore for SqliteStore {
    fn link_profiles(
        &self,
        by: Option<&Viewer<'_>>,
        a: Uuid,
        b: Uuid,
        now: Timestamp,
    ) -> Result<ProfileLink, LinkError> {
        let link = new_link(by, a, b, now)?;
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let dir = read_directory(&tx)?;
        let facts = SqlFacts {
            conn: &tx,
            dir: &dir,
        };
        check_both(by, link.a, link.b, &|id| person_meta(&tx, id), &facts, now)?;
        let live: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM profile_links WHERE person_a = ?1 AND person_b = ?2
                 AND unlinked_at IS NULL)",
                (link.a.to_string(), link.b.to_string()),
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        if live {
            return Err(LinkError::AlreadyLinked);
        }
        tx.execute(
            "INSERT INTO profile_links (id, person_a, person_b, linked_by, linked_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                link.id.to_string(),
                link.a.to_string(),
                link.b.to_string(),
                &link.linked_by,
                ms(now),
            ),
        )
        .map_err(StoreError::from)?;
        audit(
            &tx,
            &audit_entry(now, &link.linked_by, "link_profiles", &link),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(link)
    }

    fn unlink_profiles(
        &self,
        by: Option<&Viewer<'_>>,
        link: Uuid,
        now: Timestamp,
    ) -> Result<ProfileLink, LinkError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let raw = tx
            .query_row(
                &format!(
                    "SELECT {LINK_COLUMNS} FROM profile_links WHERE id = ?1
                     AND unlinked_at IS NULL"
                ),
                [link.to_string()],
                read_link,
            )
            .optional()
            .map_err(StoreError::from)?
            .ok_or(LinkError::NoSuchLink)?;
        let mut found = raw.into_link()?;
        let dir = read_directory(&tx)?;
        let facts = SqlFacts {
            conn: &tx,
            dir: &dir,
        };
        check_both(
            by,
            found.a,
            found.b,
            &|id| person_meta(&tx, id),
            &facts,
            now,
        )?;
        found.unlinked_by = Some(actor(by));
        found.unlinked_at = Some(now);
        tx.execute(
            "UPDATE profile_links SET unlinked_by = ?1, unlinked_at = ?2 WHERE id = ?3",
            (&found.unlinked_by, ms(now), link.to_string()),
        )
        .map_err(StoreError::from)?;
        audit(
            &tx,
            &audit_entry(now, &actor(by), "unlink_profiles", &found),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(found)
    }

    fn profile_links(
        &self,
        viewer: Option<&Viewer<'_>>,
        person: Uuid,
        now: Timestamp,
    ) -> Result<Vec<ProfileLink>, StoreError> {
        let conn = self.lock();
        let raws: Vec<LinkRow> = conn
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM profile_links
                 WHERE (person_a = ?1 OR person_b = ?1) AND unlinked_at IS NULL
                 ORDER BY linked_at, id"
            ))?
            .query_map([person.to_string()], read_link)?
            .collect::<Result<_, _>>()?;
        let dir = read_directory(&conn)?;
        let facts = SqlFacts {
            conn: &conn,
            dir: &dir,
        };
        let mut out = Vec::new();
        for raw in raws {
            let link = raw.into_link()?;
            if sees_both(viewer, &link, &|id| person_meta(&conn, id), &facts, now)? {
                out.push(link);
            }
        }
        Ok(out)
    }

    fn partnership_women(
        &self,
        in_period: &dyn Fn(Timestamp) -> bool,
    ) -> Result<PartnershipWomen, StoreError> {
        let conn = self.lock();
        let contacts = conn
            .prepare_cached(&partnership_contacts_sql(RECORD_COLUMNS))?
            .query_map([], read_record)?
            .map(|raw| raw?.into_meta())
            .collect::<Result<Vec<_>, StoreError>>()?;
        let links: Vec<(Uuid, Uuid)> = conn
            .prepare_cached(LIVE_LINK_PAIRS)?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .map(|row| {
                let (a, b) = row?;
                link_pair(&a, &b)
            })
            .collect::<Result<_, StoreError>>()?;
        count_partnership_women(&self.key, contacts, &links, in_period)
    }
}
