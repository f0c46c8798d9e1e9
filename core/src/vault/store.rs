//! Sealed record rows: the only code that reads or writes `records.body`.
//!
//! A body is the record serialised to JSON and sealed in an envelope whose
//! associated data names the row (`records/<kind>`, id, version, key id).
//! When a mutable record changes, the row it replaces moves to
//! `record_history` unchanged, so no earlier value is ever silently lost.

use super::Session;
use crate::clock::to_millis;
use crate::crypto::{envelope, index, Aad, RecordKeys};
use crate::domain::RecordKind;
use crate::error::{CoreError, CorruptKind, Result};
use crate::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

/// Whether a row still has to reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// Made or changed here; in the outbox.
    Pending = 0,
    /// Acknowledged by the server.
    Synced = 1,
    /// Received from the server.
    Remote = 2,
}

/// The plaintext index columns of a row. Each is a time, a flag or a keyed
/// hash: nothing a person said.
#[derive(Debug, Clone, Default)]
pub struct IndexColumns {
    pub occurred_at: Option<Timestamp>,
    pub person: Option<Uuid>,
    pub due_at: Option<Timestamp>,
    pub alert_until: Option<Timestamp>,
    pub open: Option<bool>,
}

/// The associated-data table name of a kind.
pub fn table_of(kind: RecordKind) -> String {
    format!("records/{}", kind.as_str())
}

/// Seals and writes one record version, moving any row it replaces to history.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write<T: Serialize>(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    id: Uuid,
    version: &str,
    record: &T,
    index_cols: &IndexColumns,
    state: SyncState,
    now: Timestamp,
    replaces: bool,
) -> Result<()> {
    let plain = to_plain(record)?;
    write_plain(
        conn, s, kind, id, version, &plain, index_cols, state, now, replaces,
    )
}

/// A record's JSON, in a buffer wiped when dropped. The buffer starts big
/// enough for any record a worker can type (the longest free-text field is
/// 1,000 characters), so it is not grown on the way: `serde_json::to_vec`
/// starts at 128 bytes and grows, and each outgrown buffer went back to the
/// allocator unwiped, holding the start of the record's plaintext. (A
/// writer that wipes what it outgrows would cover bodies over this size too,
/// but adds a second copy of every record's serialiser to the phones'
/// library: ~9.6 kB, measured with scripts/lib-size.sh.)
pub fn to_plain<T: Serialize>(record: &T) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::with_capacity(PLAIN_CAPACITY));
    serde_json::to_writer(&mut *out, record)
        .map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))?;
    Ok(out)
}

/// Room for a record's JSON: a referral whose needs fill their 1,000
/// characters is 1-3 kB.
const PLAIN_CAPACITY: usize = 4096;

/// As [`write`], with the record already serialised, under the session's
/// keys; the envelope's nonce comes from the session's generator, not a
/// system call, and the person index hash from its memo.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_plain(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    id: Uuid,
    version: &str,
    plain: &[u8],
    index_cols: &IndexColumns,
    state: SyncState,
    now: Timestamp,
    replaces: bool,
) -> Result<()> {
    let id_text = id.to_string();
    let table = table_of(kind);
    let keys = &s.keys;
    let sealed = envelope::seal_using(
        &s.rng,
        &keys.records,
        &Aad {
            table: &table,
            record_id: &id_text,
            version,
        },
        plain,
    );
    if replaces {
        archive_current(conn, kind, &id_text, now)?;
    }
    let person_ref = index_cols.person.map(|p| s.person_refs.get(keys, &p));
    conn.prepare_cached(
        "INSERT OR REPLACE INTO records
           (kind, id, version, key_id, occurred_at, person_ref, due_at, alert_until, is_open, deleted, body, sync_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11)",
    )?
    .execute(rusqlite::params![
            kind.as_str(),
            id_text,
            version,
            keys.records.id(),
            to_millis(index_cols.occurred_at.unwrap_or(now)),
            person_ref,
            index_cols.due_at.map(to_millis),
            index_cols.alert_until.map(to_millis),
            index_cols.open,
            sealed,
            state as i64,
        ])?;
    Ok(())
}

/// Replaces a record with a tombstone: the body is gone, the id and version
/// remain so that the deletion syncs.
pub fn write_tombstone(
    conn: &Connection,
    kind: RecordKind,
    id: Uuid,
    version: &str,
    key_id: u32,
    now: Timestamp,
) -> Result<()> {
    let id_text = id.to_string();
    archive_current(conn, kind, &id_text, now)?;
    conn.execute(
        "INSERT OR REPLACE INTO records
           (kind, id, version, key_id, occurred_at, person_ref, due_at, alert_until, is_open, deleted, body, sync_state)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL, NULL, NULL, 1, NULL, 0)",
        rusqlite::params![kind.as_str(), id_text, version, key_id, to_millis(now)],
    )?;
    Ok(())
}

fn archive_current(conn: &Connection, kind: RecordKind, id: &str, now: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO record_history (kind, id, version, key_id, body, replaced_at)
         SELECT kind, id, version, key_id, body, ?3 FROM records WHERE kind = ?1 AND id = ?2",
    )?
    .execute(rusqlite::params![kind.as_str(), id, to_millis(now)])?;
    Ok(())
}

/// Opens one sealed body read from the row (`kind`, `id`, `version`).
pub fn open_body<T: DeserializeOwned>(
    keys: &RecordKeys,
    kind: RecordKind,
    id: &str,
    version: &str,
    body: &[u8],
) -> Result<T> {
    let table = table_of(kind);
    let plain = envelope::open(
        &keys.records,
        &Aad {
            table: &table,
            record_id: id,
            version,
        },
        body,
    )?;
    // serde's messages can quote the value it choked on: keep only the kind.
    serde_json::from_slice(&plain).map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))
}

/// The current version of one record, if it exists and is not deleted.
pub fn read<T: DeserializeOwned>(
    conn: &Connection,
    keys: &RecordKeys,
    kind: RecordKind,
    id: Uuid,
) -> Result<Option<T>> {
    let id_text = id.to_string();
    let row: Option<(String, Option<Vec<u8>>)> = conn
        .prepare_cached(
            "SELECT version, body FROM records WHERE kind = ?1 AND id = ?2 AND deleted = 0",
        )?
        .query_row((kind.as_str(), &id_text), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(None),
        Some((_, None)) => Err(CoreError::Corrupt(CorruptKind::Column)),
        Some((version, Some(body))) => open_body(keys, kind, &id_text, &version, &body).map(Some),
    }
}

/// Runs `sql` (which must select `id, version, body` of live rows of `kind`)
/// and opens every row.
pub fn read_many<T: DeserializeOwned, P: rusqlite::Params>(
    conn: &Connection,
    keys: &RecordKeys,
    kind: RecordKind,
    sql: &str,
    params: P,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let version: String = row.get(1)?;
        let body: Option<Vec<u8>> = row.get(2)?;
        let body = body.ok_or(CoreError::Corrupt(CorruptKind::Column))?;
        out.push(open_body(keys, kind, &id, &version, &body)?);
    }
    Ok(out)
}

/// As [`read_many`], but a row that fails to open (a flipped byte, a body
/// that does not decode) is skipped and its id pushed to `unreadable`, so
/// one damaged record cannot blank a whole screen. Storage errors still
/// fail the call.
pub fn read_many_skipping<T: DeserializeOwned, P: rusqlite::Params>(
    conn: &Connection,
    keys: &RecordKeys,
    kind: RecordKind,
    sql: &str,
    params: P,
    unreadable: &mut Vec<String>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let version: String = row.get(1)?;
        let body: Option<Vec<u8>> = row.get(2)?;
        let opened = body
            .ok_or(CoreError::Corrupt(CorruptKind::Column))
            .and_then(|b| open_body(keys, kind, &id, &version, &b));
        match opened {
            Ok(v) => out.push(v),
            Err(CoreError::Corrupt(_) | CoreError::Envelope(_)) => {
                tracing::warn!(target: "nightround::vault", kind = kind.as_str(), "a record could not be read");
                unreadable.push(id);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Whether a live (not deleted) record exists, without opening it.
pub fn exists(conn: &Connection, kind: RecordKind, id: Uuid) -> Result<bool> {
    // One step of a plain lookup on the primary key (no EXISTS subquery,
    // no column read): this runs before every contact with someone known.
    Ok(conn
        .prepare_cached("SELECT 1 FROM records WHERE kind = ?1 AND id = ?2 AND deleted = 0")?
        .exists((
            kind.as_str(),
            &*id.as_hyphenated().encode_lower(&mut Uuid::encode_buffer()),
        ))?)
}

/// Earlier versions of a record, oldest first, as they were stored.
pub fn history<T: DeserializeOwned>(
    conn: &Connection,
    keys: &RecordKeys,
    kind: RecordKind,
    id: Uuid,
) -> Result<Vec<T>> {
    read_many(
        conn,
        keys,
        kind,
        "SELECT id, version, body FROM record_history
         WHERE kind = ?1 AND id = ?2 AND body IS NOT NULL ORDER BY version",
        (kind.as_str(), id.to_string()),
    )
}

/// The keyed hash a query uses to find a person's records.
pub fn person_ref(keys: &RecordKeys, person: &Uuid) -> Vec<u8> {
    index::person_ref(&keys.index, person)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plaintext_is_the_json_whatever_its_size() {
        for len in [0usize, 10, PLAIN_CAPACITY, 5 * PLAIN_CAPACITY] {
            let record = serde_json::json!({ "note": "n".repeat(len), "n": len });
            let plain = to_plain(&record).unwrap();
            assert_eq!(&plain[..], &serde_json::to_vec(&record).unwrap()[..]);
        }
    }

    #[test]
    fn a_record_with_its_longest_fields_full_never_grows_its_buffer() {
        // A referral's needs (1,000 characters) and a note (500), all of
        // them two-byte characters, beside a contact's usual fields.
        let record = serde_json::json!({
            "needs": "é".repeat(1000),
            "note": "é".repeat(500),
            "recorded_by": { "worker_id": "w-sam", "display_name": "Sam",
                             "role": "outreach_worker", "organisation": "Aspirations" },
            "supplies": [{ "item_id": "condoms", "quantity": 20 }],
        });
        let plain = to_plain(&record).unwrap();
        assert_eq!(plain.capacity(), PLAIN_CAPACITY);
    }
}
