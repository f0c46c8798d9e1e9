//! The outbox: every local change waits here until the server acknowledges it.
//!
//! An entry names a record version, not a copy of it, so a record is sealed
//! once. Entries leave only on acknowledgement (see `docs/sync-protocol.md`);
//! one that the server refuses is quarantined with its reason and stops
//! blocking the rest.

use crate::clock::to_millis;
use crate::domain::RecordKind;
use crate::error::Result;
use crate::Timestamp;
use rusqlite::Connection;
use uuid::Uuid;

/// Queues a record version for the next sync.
pub fn enqueue(
    conn: &Connection,
    kind: RecordKind,
    id: Uuid,
    version: &str,
    tombstone: bool,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO outbox (kind, id, version, tombstone, queued_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(rusqlite::params![kind.as_str(), id.to_string(), version, tombstone, to_millis(now)])?;
    Ok(())
}

/// How many changes have not yet reached the server (quarantined ones too:
/// they are not delivered either).
pub fn pending_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get::<_, i64>(0))? as u64)
}

/// How many changes are held back with a reason.
pub fn quarantined_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM outbox WHERE quarantined_reason IS NOT NULL",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64)
}
