//! A shred after too many wrong PINs keeps the unsent changes' sealed copies
//! in a small file beside the vault, with what it takes to deliver them, so
//! that the phone's next start hands them to the server (ADR 0003).
//!
//! The server address and device token are kept, while the vault is
//! unlocked, in a package sealed under a key from a keystore secret alone (no
//! PIN: after ten wrong PINs there is none). When the vault is shredded the
//! package is opened with that secret, written out with the sealed copies,
//! and the secret is destroyed with the rest. The server revokes the device
//! once the delivery is applied, so the token in the file is good for that one
//! delivery only.

use super::keyring::keystore_name;
use super::sync_store::SyncMeta;
use super::{get_meta, Session};
use crate::crypto::{envelope, random, Aad, DataKey};
use crate::error::{CoreError, CorruptKind, Result};
use crate::keystore::KeyStore;
use crate::sync::protocol::SealedEntry;
use hkdf::Hkdf;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use uuid::Uuid;
use zeroize::Zeroizing;

/// Where a sync server is and how this device proves itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryCredentials {
    pub server_url: String,
    pub pinned_cert_pem: Option<String>,
    pub device_id: Uuid,
    pub token: String,
    /// Who she is, for a check-in made from a notification while the vault
    /// is locked (ADR 0004). Packages from before rounds have none.
    #[serde(default)]
    pub identity: Option<crate::domain::WorkerIdentity>,
    /// The server's X25519 key (base64), to seal such a check-in to.
    #[serde(default)]
    pub server_sealing_key: Option<String>,
}

/// The file a shred leaves: the credentials and the sealed changes.
#[derive(Debug, Serialize, Deserialize)]
pub struct Undelivered {
    pub credentials: DeliveryCredentials,
    pub entries: Vec<SealedEntry>,
}

/// The file beside `vault_path` that a shred leaves undelivered changes in.
pub fn undelivered_path(vault_path: &Path) -> PathBuf {
    let mut p = vault_path.as_os_str().to_owned();
    p.push(".undelivered");
    PathBuf::from(p)
}

fn aad() -> Aad<'static> {
    Aad {
        table: "delivery",
        record_id: "package",
        version: "1",
    }
}

fn key_from(secret: &[u8], salt: &[u8]) -> DataKey {
    let hk = Hkdf::<Sha256>::new(Some(salt), secret);
    let mut out = Zeroizing::new([0u8; 32]);
    #[allow(clippy::expect_used)]
    hk.expand(b"nightround.delivery.v1", out.as_mut())
        .expect("32-byte HKDF output");
    DataKey::from_bytes(0, *out)
}

/// A sealed copy as it goes on the wire; `None` for a row whose kind or id
/// this code cannot read (it is skipped, never sent half-formed).
pub(crate) fn sealed_entry(
    kind: &str,
    id: &str,
    version: String,
    sealed: &[u8],
) -> Option<SealedEntry> {
    use base64::Engine;
    Some(SealedEntry {
        kind: crate::domain::RecordKind::parse(kind)?,
        id: Uuid::parse_str(id).ok()?,
        version,
        sealed: base64::engine::general_purpose::STANDARD.encode(sealed),
    })
}

/// Opens the delivery package with its keystore secret alone; `None` when
/// there is no package or no secret.
pub(crate) fn open_package(
    conn: &Connection,
    keystore: &dyn KeyStore,
    vault_id: &str,
) -> Result<Option<DeliveryCredentials>> {
    let row: Option<(Vec<u8>, Vec<u8>)> = conn
        .query_row("SELECT salt, package FROM delivery", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((salt, package)) = row else {
        return Ok(None);
    };
    let Some(secret) = keystore
        .load_secret(&keystore_name(vault_id, &salt))
        .map_err(|e| CoreError::KeyStore(e.0))?
    else {
        return Ok(None);
    };
    let plain = envelope::open(&key_from(&secret, &salt), &aad(), &package)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))
}

/// Keeps the delivery package up to date with the enrolment.
pub(crate) fn refresh(
    conn: &Connection,
    s: &Session,
    keystore: &dyn KeyStore,
    vault_id: &str,
) -> Result<()> {
    let meta: SyncMeta = get_meta(conn, &s.keys, "sync")?.unwrap_or_default();
    let (Some(server_url), Some(device_id), Some(token)) =
        (meta.server_url, meta.device_id, meta.token)
    else {
        return Ok(());
    };
    let existing: Option<Vec<u8>> = conn
        .query_row("SELECT salt FROM delivery", [], |r| r.get(0))
        .optional()?;
    let salt = existing.unwrap_or_else(|| random::array::<16>().to_vec());
    let name = keystore_name(vault_id, &salt);
    let secret = match keystore
        .load_secret(&name)
        .map_err(|e| CoreError::KeyStore(e.0))?
    {
        Some(s) => s,
        None => keystore
            .create_secret(&name)
            .map_err(|e| CoreError::KeyStore(e.0))?,
    };
    let package = DeliveryCredentials {
        server_url,
        pinned_cert_pem: meta.pinned_cert_pem,
        device_id,
        token,
        identity: Some(s.identity.clone()),
        server_sealing_key: meta.server_sealing_key,
    };
    let plain = Zeroizing::new(
        serde_json::to_vec(&package).map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))?,
    );
    let sealed = envelope::seal(&key_from(&secret, &salt), &aad(), &plain);
    conn.execute(
        "INSERT OR REPLACE INTO delivery (singleton, salt, package) VALUES (1, ?1, ?2)",
        rusqlite::params![salt, sealed],
    )?;
    Ok(())
}

/// The keystore entry the delivery package uses, if any.
pub(crate) fn keystore_entry(conn: &Connection, vault_id: &str) -> Result<Option<String>> {
    let salt: Option<Vec<u8>> = conn
        .query_row("SELECT salt FROM delivery", [], |r| r.get(0))
        .optional()?;
    Ok(salt.map(|s| keystore_name(vault_id, &s)))
}

/// Before a shred for wrong PINs: writes the sealed copies and the
/// credentials beside the vault. Nothing to deliver, nothing written.
pub(crate) fn write_undelivered(
    conn: &Connection,
    keystore: &dyn KeyStore,
    vault_id: &str,
    vault_path: &Path,
) -> Result<()> {
    let Some(mut credentials) = open_package(conn, keystore, vault_id)? else {
        return Ok(());
    };
    // The file needs only what delivery needs: not who she is.
    credentials.identity = None;
    let entries: Vec<SealedEntry> = super::duress::sealed_copies(conn)?
        .into_iter()
        .filter_map(|(kind, id, version, sealed)| sealed_entry(&kind, &id, version, &sealed))
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    let json = Zeroizing::new(
        serde_json::to_vec(&Undelivered {
            credentials,
            entries,
        })
        .map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))?,
    );
    let path = undelivered_path(vault_path);
    let tmp = path.with_extension("undelivered.tmp");
    write_private(&tmp, &json)?;
    std::fs::rename(&tmp, &path)
        .map_err(|_| CoreError::Storage("could not keep the undelivered changes".into()))?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|_| CoreError::Storage("could not keep the undelivered changes".into()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|_| CoreError::Storage("could not keep the undelivered changes".into()))
}

/// A row of the locked batch: outbox seq (none for sealed-only), kind, id,
/// version, sealed copy.
type LockedRow = (Option<i64>, String, String, String, Vec<u8>);

/// An entry sent while the vault is locked, by its sealed copy: an outbox
/// entry (`seq`), or one that exists only sealed (`seq` `None`: a check-in
/// made while locked, or a copy a shred handed on).
pub(crate) struct LockedEntry {
    pub seq: Option<i64>,
    pub entry: SealedEntry,
}

impl super::Vault {
    /// While locked: the credentials (from the keystore-only package) and
    /// the oldest outbox entries that have sealed copies. `None` when the
    /// vault has no delivery package (not enrolled with a sealing server).
    pub(crate) fn locked_outbox(
        &self,
        limit: usize,
    ) -> Result<Option<(DeliveryCredentials, Vec<LockedEntry>)>> {
        let keystore = self.keystore.clone();
        self.with_conn(|conn, vault_id| {
            let Some(credentials) = open_package(conn, keystore.as_ref(), vault_id)? else {
                return Ok(None);
            };
            // Sealed-only entries first (check-ins made while locked), then
            // the outbox, urgent first.
            let mut st = conn.prepare(
                "SELECT seq, kind, id, version, sealed FROM (
                     SELECT 0 AS source, NULL AS seq, 0 AS priority, seq AS k, kind, id, version,
                         sealed
                     FROM sealed_outbox
                     UNION ALL
                     SELECT 1, seq, priority, seq, kind, id, version, sealed_copy FROM outbox
                     WHERE sealed_copy IS NOT NULL AND quarantined_reason IS NULL)
                 ORDER BY source, priority DESC, k LIMIT ?1",
            )?;
            let rows: Vec<LockedRow> = st
                .query_map([limit as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<std::result::Result<_, _>>()?;
            let entries = rows
                .into_iter()
                .filter_map(|(seq, kind, id, version, sealed)| {
                    Some(LockedEntry {
                        seq,
                        entry: sealed_entry(&kind, &id, version, &sealed)?,
                    })
                })
                .collect();
            Ok(Some((credentials, entries)))
        })
    }

    /// While locked: the credentials for the live channel and where it
    /// listens from. `Locked` without a delivery package.
    pub(crate) fn locked_listen_start(&self) -> Result<(DeliveryCredentials, u64)> {
        let keystore = self.keystore.clone();
        self.with_conn(|conn, vault_id| {
            let creds =
                open_package(conn, keystore.as_ref(), vault_id)?.ok_or(CoreError::Locked)?;
            let after: i64 =
                conn.query_row("SELECT live_after FROM vault_info", [], |r| r.get(0))?;
            Ok((creds, u64::try_from(after).unwrap_or(0)))
        })
    }

    /// A locked phone heard up to `seq`: it will not ring again for those.
    pub(crate) fn locked_listen_heard(&self, seq: u64) -> Result<()> {
        self.with_conn(|conn, _| {
            conn.execute(
                "UPDATE vault_info SET live_after = MAX(live_after, ?1)",
                [i64::try_from(seq).unwrap_or(i64::MAX)],
            )?;
            Ok(())
        })
    }

    /// Applies the acks of a locked delivery: plaintext bookkeeping only.
    pub(crate) fn locked_acks(
        &self,
        sent: &[LockedEntry],
        acks: &[crate::sync::protocol::Ack],
    ) -> Result<()> {
        self.with_conn(|conn, _| {
            let tx = conn.transaction()?;
            for ack in acks {
                if let Some(e) = sent
                    .iter()
                    .find(|e| e.entry.id == ack.id && e.entry.version == ack.version)
                {
                    let en = &e.entry;
                    match e.seq {
                        Some(seq) => {
                            super::outbox::settle(&tx, seq, en.kind, en.id, &en.version, ack)?
                        }
                        // Nobody here can read or mend it: acknowledged or
                        // refused, it goes (the server keeps the reason).
                        None => {
                            tx.execute(
                                "DELETE FROM sealed_outbox WHERE id = ?1 AND version = ?2",
                                (en.id.to_string(), &en.version),
                            )?;
                        }
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })
    }
}
