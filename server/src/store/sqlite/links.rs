//! Profile links in the SQLite backend (`profile_links`, schema 7): each
//! link and unlink in one transaction with its audit row, the viewer's
//! sight checked through the policy on the stored records.

use super::records::SqlFacts;
use super::rows::{ms, read_directory, read_record, ts, RECORD_COLUMNS};
use super::SqliteStore;
use crate::policy::{self, Viewer};
use crate::shared_profiles;
use crate::store::links::{LinkError, LinkStore, PartnershipWomen, ProfileLink};
use crate::store::sealed::open_record;
use crate::store::{RecordMeta, StoreError};
use nightround_core::domain::Directory;
use nightround_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashSet;
use uuid::Uuid;

const LINK_COLUMNS: &str = "id, person_a, person_b, linked_by, linked_at, unlinked_by, unlinked_at";

type RawLink = (
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
);

fn read_link(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawLink> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| StoreError::Corrupt("a profile link's id"))
}

fn into_link(raw: RawLink) -> Result<ProfileLink, StoreError> {
    let (id, a, b, linked_by, linked_at, unlinked_by, unlinked_at) = raw;
    Ok(ProfileLink {
        id: uuid(&id)?,
        a: uuid(&a)?,
        b: uuid(&b)?,
        linked_by,
        linked_at: ts(linked_at)?,
        unlinked_by,
        unlinked_at: unlinked_at.map(ts).transpose()?,
    })
}

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

/// Whether `by` (`None`: the command line) may act on both profiles.
fn check_both(
    conn: &Connection,
    dir: &Directory,
    by: Option<&Viewer<'_>>,
    a: Uuid,
    b: Uuid,
    now: Timestamp,
) -> Result<(), LinkError> {
    if by.is_some_and(|v| !shared_profiles::may_link(v.role)) {
        return Err(LinkError::NotSupervisor);
    }
    let facts = SqlFacts { conn, dir };
    for id in [a, b] {
        let meta = person_meta(conn, id)?.ok_or(LinkError::NoSuchProfile)?;
        if let Some(v) = by {
            if !policy::may_see(v, &meta, &facts, now)? {
                return Err(LinkError::NotVisible);
            }
        }
    }
    Ok(())
}

fn audit(
    conn: &Connection,
    now: Timestamp,
    actor: &str,
    action: &str,
    link: &ProfileLink,
) -> Result<(), StoreError> {
    // Chained at the next append or read of the log. Ids only, no content.
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((
        ms(now),
        actor,
        action,
        link.id.to_string(),
        format!("profiles {} and {}", link.a, link.b),
    ))?;
    Ok(())
}

fn actor(by: Option<&Viewer<'_>>) -> String {
    by.map_or_else(|| "admin".to_owned(), |v| v.worker_id.to_owned())
}

impl LinkStore for SqliteStore {
    fn link_profiles(
        &self,
        by: Option<&Viewer<'_>>,
        a: Uuid,
        b: Uuid,
        now: Timestamp,
    ) -> Result<ProfileLink, LinkError> {
        if a == b {
            return Err(LinkError::SameProfile);
        }
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let dir = read_directory(&tx)?;
        check_both(&tx, &dir, by, a, b, now)?;
        let live: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM profile_links WHERE person_a = ?1 AND person_b = ?2
                 AND unlinked_at IS NULL)",
                (a.to_string(), b.to_string()),
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        if live {
            return Err(LinkError::AlreadyLinked);
        }
        let link = ProfileLink {
            id: Uuid::now_v7(),
            a,
            b,
            linked_by: actor(by),
            linked_at: now,
            unlinked_by: None,
            unlinked_at: None,
        };
        tx.execute(
            "INSERT INTO profile_links (id, person_a, person_b, linked_by, linked_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                link.id.to_string(),
                a.to_string(),
                b.to_string(),
                &link.linked_by,
                ms(now),
            ),
        )
        .map_err(StoreError::from)?;
        audit(&tx, now, &link.linked_by, "link_profiles", &link)?;
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
        let mut found = into_link(raw)?;
        let dir = read_directory(&tx)?;
        check_both(&tx, &dir, by, found.a, found.b, now)?;
        found.unlinked_by = Some(actor(by));
        found.unlinked_at = Some(now);
        tx.execute(
            "UPDATE profile_links SET unlinked_by = ?1, unlinked_at = ?2 WHERE id = ?3",
            (&found.unlinked_by, ms(now), link.to_string()),
        )
        .map_err(StoreError::from)?;
        audit(&tx, now, &actor(by), "unlink_profiles", &found)?;
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
        let raws: Vec<RawLink> = conn
            .prepare_cached(&format!(
                "SELECT {LINK_COLUMNS} FROM profile_links
                 WHERE (person_a = ?1 OR person_b = ?1) AND unlinked_at IS NULL ORDER BY linked_at"
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
            let link = into_link(raw)?;
            let visible = match viewer {
                None => true,
                Some(v) => {
                    let mut both = true;
                    for id in [link.a, link.b] {
                        both &= match person_meta(&conn, id)? {
                            Some(m) => policy::may_see(v, &m, &facts, now)?,
                            None => false,
                        };
                    }
                    both
                }
            };
            if visible {
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
        let raws: Vec<_> = conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE kind = 'contact' AND tombstone = 0
                 AND person_id IS NOT NULL AND person_id IN
                     (SELECT id FROM records WHERE kind = 'person' AND tombstone = 0)"
            ))?
            .query_map([], read_record)?
            .collect::<Result<_, _>>()?;
        let mut profiles = HashSet::new();
        for raw in raws {
            let (meta, sealed) = raw.into_meta()?;
            let Some(person) = meta.person_id else {
                continue;
            };
            if profiles.contains(&person) {
                continue;
            }
            let Some(opened) = open_record(&self.key, &meta, sealed)? else {
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
        let links: Vec<(Uuid, Uuid)> = conn
            .prepare_cached(
                "SELECT person_a, person_b FROM profile_links WHERE unlinked_at IS NULL",
            )?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .map(|row| {
                let (a, b) = row?;
                Ok((uuid(&a)?, uuid(&b)?))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(PartnershipWomen {
            profiles: profiles.len(),
            women: shared_profiles::count_women(&profiles, &links),
        })
    }
}
