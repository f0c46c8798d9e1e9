//! The vault's side of sync: the enrolment and cursor it keeps (sealed: the
//! device token is in it), the outbox batches it hands out, the acks and
//! pulled pages it applies. The network side is in `crate::sync`.

use super::indexing::incoming;
use super::store::{self, SyncState};
use super::{get_meta, put_meta, Session, Vault};
use crate::domain::RecordKind;
use crate::error::{CoreError, CorruptKind, Result};
use crate::sync::protocol::{Ack, Change, PullResponse};
use crate::Timestamp;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What enrolment gave this phone, and where sync has got to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncMeta {
    pub server_url: Option<String>,
    /// The server's certificate (PEM), the only one the client will trust.
    pub pinned_cert_pem: Option<String>,
    pub device_id: Option<Uuid>,
    pub token: Option<String>,
    pub lease_days: u32,
    pub cursor: u64,
    pub last_success: Option<Timestamp>,
    pub last_attempt: Option<Timestamp>,
    pub last_error: Option<String>,
    /// The server's X25519 public key (base64): outbox copies are sealed to it.
    #[serde(default)]
    pub server_sealing_key: Option<String>,
    /// The duress PIN was used: the next sync tells the server, quietly.
    #[serde(default)]
    pub duress_pending: bool,
}

impl SyncMeta {
    /// The server's sealing key, decoded; `None` if absent or malformed.
    pub fn sealing_key(&self) -> Option<[u8; 32]> {
        use base64::Engine;
        let b64 = self.server_sealing_key.as_ref()?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        bytes.try_into().ok()
    }

    /// A sealing session for this unlock, if the server published a key.
    pub fn sealing_session(&self) -> Option<crate::crypto::sealed_box::SealingSession> {
        crate::crypto::sealed_box::SealingSession::new(&self.sealing_key()?)
    }

    /// When the phone locks itself for want of a sync.
    pub fn lease_deadline(&self) -> Option<Timestamp> {
        if self.token.is_none() || self.lease_days == 0 {
            return None;
        }
        self.last_success
            .map(|t| t + chrono::Duration::days(i64::from(self.lease_days)))
    }
}

/// What the sync screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SyncStatus {
    pub enrolled: bool,
    /// Where this phone syncs (never the token).
    pub server_url: Option<String>,
    pub device_id: Option<Uuid>,
    /// Changes waiting for the server.
    pub pending: u64,
    /// Changes the server refused, held back with a reason.
    pub quarantined: u64,
    pub last_success: Option<Timestamp>,
    /// The last problem, in plain words; cleared by a successful sync.
    pub last_error: Option<String>,
    /// After this the phone locks until it syncs.
    pub lease_expires: Option<Timestamp>,
}

/// What enrolment returns, to be kept in the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct Enrolment {
    pub server_url: String,
    pub pinned_cert_pem: Option<String>,
    pub device_id: Uuid,
    pub token: String,
    pub lease_days: u32,
    /// The server's X25519 public key (base64), if it publishes one.
    pub server_sealing_key: Option<String>,
}

/// An outbox entry ready to send.
pub(crate) struct Outgoing {
    pub seq: i64,
    pub change: Change,
}

pub(crate) fn load_meta(conn: &Connection, s: &Session) -> Result<SyncMeta> {
    Ok(get_meta(conn, &s.keys, "sync")?.unwrap_or_default())
}

fn save_meta(conn: &Connection, s: &Session, meta: &SyncMeta) -> Result<()> {
    put_meta(conn, &s.keys, "sync", meta)
}

/// Opens the body of one record version, from the live row or its history.
fn body_at(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    id: &str,
    version: &str,
) -> Result<Option<serde_json::Value>> {
    let live: Option<Option<Vec<u8>>> = conn
        .query_row(
            "SELECT body FROM records WHERE kind = ?1 AND id = ?2 AND version = ?3",
            (kind.as_str(), id, version),
            |r| r.get(0),
        )
        .optional()?;
    let body = match live {
        Some(b) => b,
        None => conn
            .query_row(
                "SELECT body FROM record_history WHERE kind = ?1 AND id = ?2 AND version = ?3",
                (kind.as_str(), id, version),
                |r| r.get(0),
            )
            .optional()?
            .ok_or(CoreError::NotFound("record version"))?,
    };
    match body {
        None => Ok(None),
        Some(b) => store::open_body(&s.keys, kind, id, version, &b).map(Some),
    }
}

/// The version an edit of a mutable record started from (the newest older
/// version this phone holds in the record's history) and the top-level
/// fields the edit changed from it; `None` for a record made here.
fn base_of(
    conn: &Connection,
    s: &Session,
    kind: RecordKind,
    id: &str,
    version: &str,
    body: &serde_json::Value,
) -> Result<Option<(String, Vec<String>)>> {
    let base: Option<String> = conn
        .query_row(
            "SELECT version FROM record_history WHERE kind = ?1 AND id = ?2 AND version < ?3
             ORDER BY version DESC LIMIT 1",
            (kind.as_str(), id, version),
            |r| r.get(0),
        )
        .optional()?;
    let Some(base) = base else { return Ok(None) };
    let before = body_at(conn, s, kind, id, &base)?;
    let empty = serde_json::Map::new();
    let before = before
        .as_ref()
        .and_then(|b| b.as_object())
        .unwrap_or(&empty);
    let after = body.as_object().unwrap_or(&empty);
    let mut edited: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .chain(before.keys().filter(|k| !after.contains_key(*k)).cloned())
        .collect();
    edited.sort();
    Ok(Some((base, edited)))
}

/// Removes what the server retracted, inside the page's transaction: a
/// whole record (its row with the index columns, its history, any outbox
/// entry for it) or some fields of it (re-sealed without them; its history,
/// which still holds them, goes). Free pages are overwritten
/// (`secure_delete`) and the WAL truncated after the commit, by the caller.
fn purge_retracted(
    tx: &Connection,
    s: &Session,
    r: &crate::sync::protocol::Retraction,
    now: Timestamp,
) -> Result<bool> {
    let id = r.id.to_string();
    let kind = r.kind.as_str();
    let row: Option<(String, Option<Vec<u8>>, i64)> = tx
        .query_row(
            "SELECT version, body, sync_state FROM records WHERE kind = ?1 AND id = ?2",
            (kind, &id),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((version, body, _state)) = row else {
        return Ok(false);
    };
    tx.execute(
        "DELETE FROM record_history WHERE kind = ?1 AND id = ?2",
        (kind, &id),
    )?;
    // What is left after dropping the fields, if it is still a record of
    // its kind; otherwise the whole record goes (holding less is the safe
    // side).
    let kept = match (&r.fields, body) {
        (Some(fields), Some(sealed)) => {
            let mut value: serde_json::Value =
                store::open_body(&s.keys, r.kind, &id, &version, &sealed)?;
            let mut removed = 0;
            if let Some(obj) = value.as_object_mut() {
                for f in fields {
                    removed += usize::from(obj.remove(f).is_some());
                }
            }
            if removed == 0 {
                // Already purged (a retraction repeated): nothing to do.
                return Ok(false);
            }
            incoming(r.kind, r.id, &value).ok().map(|inc| (value, inc))
        }
        _ => None,
    };
    match kept {
        Some((value, inc)) => {
            store::write(
                tx,
                s,
                r.kind,
                r.id,
                &version,
                &value,
                &inc.index,
                SyncState::Remote,
                now,
                false,
            )?;
        }
        None => {
            tx.execute(
                "DELETE FROM records WHERE kind = ?1 AND id = ?2",
                (kind, &id),
            )?;
            for table in ["outbox", "sealed_outbox"] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE kind = ?1 AND id = ?2"),
                    (kind, &id),
                )?;
            }
        }
    }
    Ok(true)
}

impl Vault {
    /// Keeps what enrolment returned; the next sync uses it.
    pub fn set_enrolment(&self, enrolment: Enrolment) -> Result<()> {
        let keystore = self.keystore.clone();
        let vault_id = self.vault_id();
        self.with_sync_session_mut(|conn, s, now| {
            let mut meta = load_meta(conn, s)?;
            meta.server_url = Some(enrolment.server_url);
            meta.pinned_cert_pem = enrolment.pinned_cert_pem;
            meta.device_id = Some(enrolment.device_id);
            meta.token = Some(enrolment.token);
            meta.lease_days = enrolment.lease_days;
            meta.server_sealing_key = enrolment.server_sealing_key;
            // Enrolment is contact with the server: the lease starts now.
            meta.last_success = Some(now);
            save_meta(conn, s, &meta)?;
            s.sealing = meta.sealing_session();
            s.lease_deadline = meta.lease_deadline();
            super::duress::refresh_package(conn, s)?;
            super::delivery::refresh(conn, s, keystore.as_ref(), &vault_id)?;
            Ok(())
        })
    }

    /// Pending count, last success, last problem and lease, for the screen.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.with_sync_session(|conn, s, _| {
            let meta = load_meta(conn, s)?;
            Ok(SyncStatus {
                enrolled: meta.token.is_some(),
                server_url: meta.server_url.clone(),
                device_id: meta.device_id,
                pending: super::outbox::pending_count(conn)?
                    + conn.query_row("SELECT COUNT(*) FROM sealed_outbox", [], |r| {
                        r.get::<_, i64>(0)
                    })? as u64,
                quarantined: super::outbox::quarantined_count(conn)?,
                last_success: meta.last_success,
                last_error: meta.last_error.clone(),
                lease_expires: meta.lease_deadline(),
            })
        })
    }

    /// Why each quarantined change was refused, for the sync screen.
    pub fn quarantine_reasons(&self) -> Result<Vec<String>> {
        self.with_sync_session(|conn, _, _| {
            let mut st = conn.prepare(
                "SELECT kind || ': ' || quarantined_reason FROM outbox
                 WHERE quarantined_reason IS NOT NULL ORDER BY seq",
            )?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<std::result::Result<Vec<String>, _>>()?)
        })
    }

    pub(crate) fn sync_meta(&self) -> Result<SyncMeta> {
        self.with_sync_session(|conn, s, _| load_meta(conn, s))
    }

    pub(crate) fn note_sync_attempt(&self, error: Option<String>) -> Result<()> {
        let deadline = self.with_sync_session(|conn, s, now| {
            let mut meta = load_meta(conn, s)?;
            meta.last_attempt = Some(now);
            match error {
                None => {
                    meta.last_success = Some(now);
                    meta.last_error = None;
                }
                Some(e) => meta.last_error = Some(e),
            }
            save_meta(conn, s, &meta)?;
            Ok(meta.lease_deadline())
        })?;
        self.set_lease_deadline(deadline);
        Ok(())
    }

    /// The outbox entries not quarantined, urgent first then oldest first,
    /// opened for sending. An entry
    /// whose record cannot be opened is quarantined here, not sent.
    pub(crate) fn outbox_batch(&self, limit: usize) -> Result<Vec<Outgoing>> {
        self.with_sync_session(|conn, s, _| {
            let rows: Vec<(i64, String, String, String, bool)> = {
                let mut st = conn.prepare(
                    "SELECT seq, kind, id, version, tombstone FROM outbox
                     WHERE quarantined_reason IS NULL ORDER BY priority DESC, seq LIMIT ?1",
                )?;
                let mapped = st.query_map([limit as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?;
                mapped.collect::<std::result::Result<_, _>>()?
            };
            let mut out = Vec::with_capacity(rows.len());
            for (seq, kind, id, version, tombstone) in rows {
                let parsed = RecordKind::parse(&kind)
                    .zip(Uuid::parse_str(&id).ok())
                    .ok_or(CoreError::Corrupt(CorruptKind::Column));
                let opened = parsed.and_then(|(k, uuid)| {
                    let body = if tombstone {
                        None
                    } else {
                        body_at(conn, s, k, &id, &version)?
                    };
                    let base = match &body {
                        Some(b) if k.is_mutable() => base_of(conn, s, k, &id, &version, b)?,
                        _ => None,
                    };
                    Ok((k, uuid, body, base))
                });
                match opened {
                    Ok((kind, id, body, base)) => {
                        let mut change = Change::new(kind, id, version, tombstone, body);
                        if let Some((base_version, edited)) = base {
                            change.base_version = Some(base_version);
                            change.edited = Some(edited);
                        }
                        out.push(Outgoing { seq, change })
                    }
                    Err(e) => {
                        conn.execute(
                            "UPDATE outbox SET quarantined_reason = ?1 WHERE seq = ?2",
                            (format!("could not be read on this phone ({e})"), seq),
                        )?;
                    }
                }
            }
            Ok(out)
        })
    }

    /// Applies the server's acks: an acknowledged entry leaves the outbox and
    /// its record is marked synced; a rejected one is quarantined.
    pub(crate) fn apply_acks(&self, sent: &[Outgoing], acks: &[Ack]) -> Result<()> {
        self.with_sync_session(|conn, _, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for ack in acks {
                let Some(entry) = sent
                    .iter()
                    .find(|o| o.change.id == ack.id && o.change.version == ack.version)
                else {
                    continue; // an ack for something not sent: ignore it
                };
                let c = &entry.change;
                super::outbox::settle(&tx, entry.seq, c.kind, c.id, &c.version, ack)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// Applies one pulled page and its cursor in one transaction, so that a
    /// page applied twice (after a dropped connection) changes nothing. Also
    /// the vault's bulk write: the benchmark times it on 10,000 records.
    pub fn apply_pull(&self, page: &PullResponse) -> Result<usize> {
        self.with_sync_session_mut(|conn, s, now| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut applied = 0;
            // Records (or fields) removed from this file: the WAL is
            // truncated after the commit when there are any.
            let mut purged = 0;
            for pulled in &page.changes {
                let c = &pulled.change;
                s.observe(&c.version, now);
                let local: Option<(String, i64)> = tx
                    .query_row(
                        "SELECT version, sync_state FROM records WHERE kind = ?1 AND id = ?2",
                        (c.kind.as_str(), c.id.to_string()),
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((v, state)) = &local {
                    // The same version, or an older one (a page fetched again
                    // after a dropped connection, or overtaken by a local
                    // edit): keep what is here. The server answers a merge
                    // with a version greater than both sides, so nothing newer
                    // is ever skipped. One exception: the same version of a
                    // record received from the server with other fields (its
                    // projection widened or shrank, protocol version 2)
                    // replaces the copy here, and the history, which may hold
                    // fields no longer shared, goes.
                    let reshaped = *v == c.version
                        && *state == SyncState::Remote as i64
                        && !c.tombstone
                        && c.body.is_some()
                        && body_at(&tx, s, c.kind, &c.id.to_string(), v)? != c.body;
                    if *v >= c.version && !reshaped {
                        continue;
                    }
                    if reshaped {
                        tx.execute(
                            "DELETE FROM record_history WHERE kind = ?1 AND id = ?2",
                            (c.kind.as_str(), c.id.to_string()),
                        )?;
                        purged += 1;
                    }
                }
                if c.tombstone {
                    store::write_tombstone(
                        &tx,
                        c.kind,
                        c.id,
                        &c.version,
                        s.keys.records.id(),
                        now,
                    )?;
                    tx.execute(
                        "UPDATE records SET sync_state = ?1 WHERE kind = ?2 AND id = ?3",
                        (SyncState::Remote as i64, c.kind.as_str(), c.id.to_string()),
                    )?;
                    // A deletion from the server (an erasure, the retention
                    // schedule) leaves no body here: the history that
                    // write_tombstone kept goes too, and the WAL is truncated.
                    purged += tx.execute(
                        "DELETE FROM record_history WHERE kind = ?1 AND id = ?2",
                        (c.kind.as_str(), c.id.to_string()),
                    )?;
                } else {
                    let body = c
                        .body
                        .as_ref()
                        .ok_or(CoreError::Corrupt(CorruptKind::RecordBody))?;
                    let inc = incoming(c.kind, c.id, body)?;
                    store::write(
                        &tx,
                        s,
                        c.kind,
                        c.id,
                        &c.version,
                        body,
                        &inc.index,
                        SyncState::Remote,
                        now,
                        // The same version re-sent wider is not a new version:
                        // nothing to keep in the history.
                        local.as_ref().is_some_and(|(v, _)| *v != c.version),
                    )?;
                }
                applied += 1;
            }
            let mut purged_by_retraction = 0;
            for r in &page.retract {
                purged_by_retraction += usize::from(purge_retracted(&tx, s, r, now)?);
            }
            purged += purged_by_retraction;
            let mut meta = load_meta(&tx, s)?;
            meta.cursor = meta.cursor.max(page.next_cursor);
            save_meta(&tx, s, &meta)?;
            // Where the live channel listens from while the vault is locked.
            tx.execute(
                "UPDATE vault_info SET live_after = MAX(live_after, ?1)",
                [i64::try_from(meta.cursor).unwrap_or(i64::MAX)],
            )?;
            if let Some(dir) = &page.directory {
                if dir.revision > s.directory.revision {
                    put_meta(&tx, &s.keys, "directory", dir)?;
                }
            }
            if let Some(team) = &page.team {
                put_meta(&tx, &s.keys, "team", team)?;
            }
            tx.commit()?;
            if purged > 0 {
                // secure_delete (set when the vault opens) zeroed the freed
                // pages; the WAL still holds the old pages until it is
                // checkpointed and truncated.
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            }
            if let Some(dir) = &page.directory {
                if dir.revision > s.directory.revision {
                    s.directory = dir.clone();
                }
            }
            Ok(applied + purged_by_retraction)
        })
    }

    /// The sealed copies handed on by a shred, and whether to report duress.
    pub(crate) fn sealed_to_deliver(
        &self,
        limit: usize,
    ) -> Result<(bool, Vec<crate::sync::protocol::SealedEntry>)> {
        self.with_sync_session(|conn, s, _| {
            let duress = load_meta(conn, s)?.duress_pending;
            let mut st = conn.prepare(
                "SELECT kind, id, version, sealed FROM sealed_outbox ORDER BY seq LIMIT ?1",
            )?;
            let rows: Vec<(String, String, String, Vec<u8>)> = st
                .query_map([limit as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<std::result::Result<_, _>>()?;
            let entries = rows
                .into_iter()
                .filter_map(|(kind, id, version, sealed)| {
                    super::delivery::sealed_entry(&kind, &id, version, &sealed)
                })
                .collect();
            Ok((duress, entries))
        })
    }

    /// Forgets delivered sealed copies and the reported duress flag.
    pub(crate) fn sealed_delivered(&self, acks: &[Ack]) -> Result<()> {
        self.with_sync_session(|conn, s, _| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // A refused copy cannot be mended here (nobody can read it): it
            // goes too; the server keeps the reason.
            for ack in acks {
                tx.execute(
                    "DELETE FROM sealed_outbox WHERE id = ?1 AND version = ?2",
                    (ack.id.to_string(), &ack.version),
                )?;
            }
            let mut meta = load_meta(&tx, s)?;
            if meta.duress_pending {
                meta.duress_pending = false;
                save_meta(&tx, s, &meta)?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// The directory revision this phone holds.
    pub(crate) fn directory_revision(&self) -> Result<u32> {
        self.with_sync_session(|_, s, _| Ok(s.directory.revision))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::domain::*;
    use crate::keystore::MemoryKeyStore;
    use crate::sync::protocol::{Ack, AckStatus, PulledChange};
    use std::sync::Arc;

    fn identity(id: &str) -> WorkerIdentity {
        WorkerIdentity {
            worker_id: id.into(),
            display_name: id.into(),
            role: Role::OutreachWorker,
            organisation: "Aspirations".into(),
        }
    }

    fn vault(dir: &tempfile::TempDir, name: &str) -> (Vault, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
        let v = Vault::create(
            dir.path().join(format!("{name}.db")),
            Arc::new(MemoryKeyStore::new()),
            clock.clone(),
            "246810",
            identity(name),
            Directory::southend_defaults(),
        )
        .unwrap();
        (v, clock)
    }

    fn draft(alias: &str) -> PersonDraft {
        PersonDraft {
            alias: alias.into(),
            ..Default::default()
        }
    }

    /// What a server would send for the outbox of `from`.
    fn page_from(from: &Vault, start_seq: u64) -> PullResponse {
        let batch = from.outbox_batch(100).unwrap();
        PullResponse {
            changes: batch
                .into_iter()
                .enumerate()
                .map(|(i, o)| PulledChange {
                    seq: start_seq + i as u64,
                    change: o.change,
                })
                .collect(),
            next_cursor: start_seq + 100,
            more: false,
            directory: None,
            server_time: chrono::Utc::now(),
            team: None,
            retract: Vec::new(),
        }
    }

    #[test]
    fn acks_empty_the_outbox_and_rejections_quarantine() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = vault(&dir, "a");
        a.add_person(draft("Jade")).unwrap();
        a.add_person(draft("Amy")).unwrap();
        let sent = a.outbox_batch(10).unwrap();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|o| o.change.body.is_some()));
        let acks = vec![
            Ack {
                id: sent[0].change.id,
                version: sent[0].change.version.clone(),
                status: AckStatus::Applied,
                reason: None,
                code: None,
            },
            Ack {
                id: sent[1].change.id,
                version: sent[1].change.version.clone(),
                status: AckStatus::Rejected,
                reason: Some("author mismatch".into()),
                code: None,
            },
        ];
        a.apply_acks(&sent, &acks).unwrap();
        let status = a.sync_status().unwrap();
        assert_eq!((status.pending, status.quarantined), (1, 1));
        assert!(
            a.outbox_batch(10).unwrap().is_empty(),
            "quarantined entries are not resent"
        );
        assert_eq!(a.quarantine_reasons().unwrap(), ["person: author mismatch"]);
        // An ack for something never sent changes nothing.
        a.apply_acks(&sent[..0], &acks).unwrap();
        assert_eq!(a.sync_status().unwrap().pending, 1);
    }

    #[test]
    fn a_pulled_page_applied_twice_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = vault(&dir, "a");
        let (b, _) = vault(&dir, "b");
        let jade = a.add_person(draft("Jade")).unwrap();
        a.record_contact(ContactDraft {
            person_id: Some(jade.id),
            at: None,
            area_id: "york_road".into(),
            kind: ContactKind::OutreachConversation,
            wellbeing: vec![],
            note: Some("hello".into()),
            supplies: vec![],
            safeguarding_acknowledged: false,
        })
        .unwrap();
        let page = page_from(&a, 1);
        assert_eq!(b.apply_pull(&page).unwrap(), 2);
        assert_eq!(b.apply_pull(&page).unwrap(), 0, "same versions are skipped");
        assert_eq!(b.find_people("").unwrap().len(), 1);
        assert_eq!(b.person_timeline(jade.id).unwrap().len(), 1);
        assert_eq!(b.sync_meta().unwrap().cursor, 101);
        assert_eq!(
            b.pending_changes().unwrap(),
            0,
            "pulled records are not re-pushed"
        );
    }

    #[test]
    fn a_retraction_purges_the_record_or_its_fields_and_a_wider_copy_replaces_it() {
        use crate::sync::protocol::Retraction;
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = vault(&dir, "a");
        let (b, _) = vault(&dir, "b");
        let jade = a
            .add_person(PersonDraft {
                alias: "Jade".into(),
                description: Some("red coat".into()),
                ..Default::default()
            })
            .unwrap();
        let amy = a.add_person(draft("Amy")).unwrap();
        let full = page_from(&a, 1);
        assert_eq!(b.apply_pull(&full).unwrap(), 2);
        // Her description is retracted (the projection shrank), Amy entirely.
        let mut retract = page_from(&a, 1);
        retract.changes.clear();
        retract.retract = vec![
            Retraction {
                kind: RecordKind::Person,
                id: jade.id,
                fields: Some(vec!["description".into()]),
            },
            Retraction {
                kind: RecordKind::Person,
                id: amy.id,
                fields: None,
            },
        ];
        assert_eq!(b.apply_pull(&retract).unwrap(), 2);
        assert_eq!(b.person(jade.id).unwrap().description, None);
        assert_eq!(b.person(jade.id).unwrap().alias, "Jade");
        assert_eq!(b.person(amy.id), Err(CoreError::NotFound("person")));
        // Again: nothing left to purge, nothing fails.
        assert_eq!(b.apply_pull(&retract).unwrap(), 0);
        // The same version sent wider again (a consent renewed) replaces it.
        assert_eq!(b.apply_pull(&full).unwrap(), 2);
        assert_eq!(
            b.person(jade.id).unwrap().description.as_deref(),
            Some("red coat")
        );
        assert_eq!(b.apply_pull(&full).unwrap(), 0, "and only once");
    }

    #[test]
    fn an_edit_names_its_base_version_and_the_fields_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, clock) = vault(&dir, "a");
        let jade = a.add_person(draft("Jade")).unwrap();
        let first = a.outbox_batch(10).unwrap();
        assert_eq!(first[0].change.base_version, None, "a new record has none");
        let acks: Vec<Ack> = first
            .iter()
            .map(|o| Ack {
                id: o.change.id,
                version: o.change.version.clone(),
                status: AckStatus::Applied,
                reason: None,
                code: None,
            })
            .collect();
        a.apply_acks(&first, &acks).unwrap();
        clock.advance(chrono::Duration::seconds(1));
        a.update_person(
            jade.id,
            PersonDraft {
                alias: "Jade".into(),
                key_worker: Some("Ann".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let edit = a.outbox_batch(10).unwrap();
        let c = &edit[0].change;
        assert_eq!(
            c.base_version.as_deref(),
            Some(first[0].change.version.as_str())
        );
        let edited = c.edited.clone().unwrap();
        assert!(edited.contains(&"key_worker".to_owned()), "{edited:?}");
        assert!(!edited.contains(&"alias".to_owned()), "{edited:?}");
    }

    #[test]
    fn a_bad_pulled_body_is_typed_and_applies_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = vault(&dir, "a");
        let (b, _) = vault(&dir, "b");
        a.add_person(draft("Jade")).unwrap();
        a.add_person(draft("Amy")).unwrap();
        let mut page = page_from(&a, 1);
        page.changes[1].change.body = Some(serde_json::json!({"alias": 7}));
        assert_eq!(
            b.apply_pull(&page),
            Err(CoreError::Corrupt(CorruptKind::RecordBody))
        );
        assert!(
            b.find_people("").unwrap().is_empty(),
            "the page is all or nothing"
        );
        assert_eq!(b.sync_meta().unwrap().cursor, 0, "the cursor did not move");
        // A body whose id is not the change's id is refused too.
        let mut page = page_from(&a, 1);
        page.changes[0].change.id = uuid::Uuid::now_v7();
        assert!(b.apply_pull(&page).is_err());
    }

    #[test]
    fn a_newer_local_edit_survives_an_older_pulled_version() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = vault(&dir, "a");
        let (b, clock_b) = vault(&dir, "b");
        let jade = a.add_person(draft("Jade")).unwrap();
        let page = page_from(&a, 1);
        b.apply_pull(&page).unwrap();
        clock_b.advance(chrono::Duration::seconds(5));
        b.update_person(jade.id, draft("Jade B")).unwrap();
        // The same old version arrives again: b's pending edit stays.
        b.apply_pull(&page).unwrap();
        assert_eq!(b.person(jade.id).unwrap().alias, "Jade B");
        // A tombstone from elsewhere with a newer version deletes it.
        let mut tomb = page.clone();
        tomb.changes[0].change.tombstone = true;
        tomb.changes[0].change.body = None;
        tomb.changes[0].change.version = crate::vault::Hlc {
            physical_ms: chrono::Utc::now().timestamp_millis() + 60_000,
            logical: 0,
            node: "zzzz".into(),
        }
        .encode();
        b.apply_pull(&tomb).unwrap();
        assert_eq!(b.person(jade.id), Err(CoreError::NotFound("person")));
    }

    #[test]
    fn the_lease_locks_user_actions_but_not_sync() {
        let dir = tempfile::tempdir().unwrap();
        let (a, clock) = vault(&dir, "a");
        a.set_lock_policy(crate::vault::LockPolicy {
            idle_timeout: chrono::Duration::days(365),
            ..Default::default()
        })
        .unwrap();
        a.set_enrolment(Enrolment {
            server_url: "http://127.0.0.1:9".into(),
            pinned_cert_pem: None,
            device_id: uuid::Uuid::now_v7(),
            token: "t".into(),
            lease_days: 14,
            server_sealing_key: None,
        })
        .unwrap();
        clock.advance(chrono::Duration::days(13));
        assert!(a.find_people("").is_ok());
        clock.advance(chrono::Duration::days(2));
        assert_eq!(a.find_people(""), Err(CoreError::LeaseExpired));
        assert!(a.sync_status().is_ok(), "the sync screen still works");
        a.note_sync_attempt(Some("offline".into())).unwrap();
        assert_eq!(
            a.find_people(""),
            Err(CoreError::LeaseExpired),
            "a failed sync does not renew"
        );
        a.note_sync_attempt(None).unwrap();
        assert!(
            a.find_people("").is_ok(),
            "a successful sync renews the lease"
        );
        // The lease survives a restart.
        a.lock();
        clock.advance(chrono::Duration::days(15));
        a.unlock("246810").unwrap();
        assert_eq!(a.find_people(""), Err(CoreError::LeaseExpired));
    }
}
