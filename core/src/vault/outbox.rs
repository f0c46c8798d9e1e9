//! The outbox: every local change waits here until the server acknowledges it.
//!
//! An entry names a record version, not a copy of it, so a record is sealed
//! once. Entries leave only on acknowledgement (see `docs/sync-protocol.md`);
//! one that the server refuses is quarantined with its reason and stops
//! blocking the rest.

use crate::clock::to_millis;
use crate::crypto::sealed_box::{change_aad, SealingSession};
use crate::crypto::session_rng::SessionRng;
use crate::domain::RecordKind;
use crate::error::Result;
use crate::Timestamp;
use rusqlite::Connection;
use uuid::Uuid;
use zeroize::Zeroizing;

/// Queues a record version for the next sync (check-ins and help calls ahead
/// of the rest: [`RecordKind::is_urgent`]), with its copy sealed to the
/// server's public key when the phone knows it (`body` is the record's JSON,
/// `None` for a tombstone; the nonce from the session's generator, `rng`).
#[allow(clippy::too_many_arguments)]
pub fn enqueue(
    conn: &Connection,
    kind: RecordKind,
    id: Uuid,
    version: &str,
    tombstone: bool,
    now: Timestamp,
    sealing: Option<&SealingSession>,
    rng: &SessionRng,
    body: Option<&[u8]>,
) -> Result<()> {
    let id_text = id.to_string();
    let sealed_copy = sealing.map(|s| {
        let change = change_json(kind, &id_text, version, body);
        s.seal_using(rng, &change_aad(kind.as_str(), &id_text, version), &change)
    });
    conn.prepare_cached(
        "INSERT OR IGNORE INTO outbox (kind, id, version, tombstone, queued_at, sealed_copy,
             priority)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        kind.as_str(),
        id_text,
        version,
        tombstone,
        to_millis(now),
        sealed_copy,
        i64::from(kind.is_urgent()),
    ])?;
    Ok(())
}

/// The wire form of one change (`protocol::Change`) written directly around
/// the record's JSON, so it is not serialised twice. The buffer is sized
/// exactly first: growing it would hand a copy of the record's plaintext
/// back to the allocator unwiped.
pub(crate) fn change_json(
    kind: RecordKind,
    id: &str,
    version: &str,
    body: Option<&[u8]>,
) -> Zeroizing<Vec<u8>> {
    let parts: [&[u8]; 11] = [
        b"{\"kind\":\"",
        kind.as_str().as_bytes(),
        b"\",\"id\":\"",
        id.as_bytes(),
        b"\",\"version\":\"",
        version.as_bytes(),
        b"\",\"tombstone\":",
        if body.is_some() { b"false" } else { b"true" },
        b",\"body\":",
        body.unwrap_or(b"null"),
        b"}",
    ];
    let mut out = Zeroizing::new(Vec::with_capacity(parts.iter().map(|p| p.len()).sum()));
    for part in parts {
        out.extend_from_slice(part);
    }
    out
}

/// Settles one outbox entry on the server's ack: acknowledged, it leaves the
/// outbox and its record is marked synced; refused, it is quarantined with
/// the reason (kept short) and stops blocking the rest.
pub fn settle(
    conn: &Connection,
    seq: i64,
    kind: RecordKind,
    id: Uuid,
    version: &str,
    ack: &crate::sync::protocol::Ack,
) -> Result<()> {
    if ack.status == crate::sync::protocol::AckStatus::Rejected {
        let reason: String = ack
            .reason
            .as_deref()
            .unwrap_or("refused")
            .chars()
            .take(200)
            .collect();
        conn.execute(
            "UPDATE outbox SET quarantined_reason = ?1, attempts = attempts + 1 WHERE seq = ?2",
            (reason, seq),
        )?;
    } else {
        conn.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        conn.execute(
            "UPDATE records SET sync_state = ?1 WHERE kind = ?2 AND id = ?3 AND version = ?4",
            (
                super::store::SyncState::Synced as i64,
                kind.as_str(),
                id.to_string(),
                version,
            ),
        )?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::protocol::Change;

    #[test]
    fn the_hand_built_change_is_the_wire_change() {
        let id = Uuid::now_v7();
        let body = br#"{"alias":"x \"q\""}"#;
        let json = change_json(RecordKind::Person, &id.to_string(), "v1", Some(body));
        let parsed: Change = serde_json::from_slice(&json).unwrap();
        assert_eq!(parsed.kind, RecordKind::Person);
        assert_eq!(parsed.id, id);
        assert!(!parsed.tombstone);
        assert_eq!(parsed.body.unwrap()["alias"], "x \"q\"");
        let tomb = change_json(RecordKind::Contact, &id.to_string(), "v2", None);
        let parsed: Change = serde_json::from_slice(&tomb).unwrap();
        assert!(parsed.tombstone && parsed.body.is_none());
    }

    #[test]
    fn the_change_is_built_without_growing_its_buffer() {
        // A buffer that grew would have freed a copy of the plaintext.
        let id = Uuid::now_v7().to_string();
        for body in [Some(&[b'x'; 700][..]), Some(b"{}"), None] {
            let json = change_json(
                RecordKind::Contact,
                &id,
                "1795201200000-00000-be0c4a11",
                body,
            );
            assert_eq!(json.capacity(), json.len());
        }
    }
}
