//! The duress PIN (ADR 0003). Entered at the unlock screen instead of her
//! PIN, it opens an empty, working app — a fresh vault for the same worker,
//! still enrolled — while the real vault is crypto-shredded. The unsent
//! changes survive only as copies sealed to the server's public key, which
//! the fresh vault delivers on its next sync, telling the server quietly that
//! the duress PIN was used.
//!
//! What the fresh vault needs (who she is, the directory, the enrolment) is
//! kept in a package sealed under a key from the duress PIN and its own
//! keystore secret, so it opens without the real PIN. The package key is
//! also kept under the data key so that an unlocked vault can refresh the
//! package when the enrolment changes.

use super::keyring::keystore_name;
use super::sync_store::SyncMeta;
use super::{get_meta, put_meta, Session, Vault};
use crate::crypto::keys::{self, DataKey, KdfParams};
use crate::crypto::{envelope, random, Aad};
use crate::domain::validation::check_pin;
use crate::domain::{Directory, ValidationError, WorkerIdentity};
use crate::error::{CoreError, CorruptKind, Result};
use crate::keystore::KeyStore;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Key id of the duress key (never a data key's id).
const DURESS_KEY_ID: u32 = 0;

/// What the fresh vault is made from.
#[derive(Serialize, Deserialize)]
pub(crate) struct DuressPackage {
    pub identity: WorkerIdentity,
    pub directory: Directory,
    pub sync: SyncMeta,
}

fn package_aad() -> Aad<'static> {
    Aad {
        table: "duress",
        record_id: "package",
        version: "1",
    }
}

fn duress_key(
    keystore: &dyn KeyStore,
    vault_id: &str,
    pin: &str,
    salt: &[u8],
    kdf: &KdfParams,
    create: bool,
) -> Result<Option<DataKey>> {
    let name = keystore_name(vault_id, salt);
    let secret = if create {
        Some(
            keystore
                .create_secret(&name)
                .map_err(|e| CoreError::KeyStore(e.0))?,
        )
    } else {
        keystore
            .load_secret(&name)
            .map_err(|e| CoreError::KeyStore(e.0))?
    };
    let Some(secret) = secret else {
        return Ok(None);
    };
    let stretched = keys::stretch_pin(pin, salt, kdf)
        .map_err(|_| CoreError::Corrupt(CorruptKind::KeyRecord))?;
    Ok(Some(keys::wrapping_key(
        &stretched,
        &secret,
        salt,
        DURESS_KEY_ID,
    )))
}

/// Re-seals the package with the session's current identity, directory and
/// enrolment, if a duress PIN is set.
pub(crate) fn refresh_package(conn: &Connection, s: &Session) -> Result<()> {
    let exists: bool = conn.query_row("SELECT EXISTS(SELECT 1 FROM duress)", [], |r| r.get(0))?;
    if !exists {
        return Ok(());
    }
    let key_bytes: Option<Vec<u8>> = get_meta(conn, &s.keys, "duress_key")?;
    let bytes: [u8; 32] = key_bytes
        .and_then(|b| b.try_into().ok())
        .ok_or(CoreError::Corrupt(CorruptKind::KeyRecord))?;
    let key = DataKey::from_bytes(DURESS_KEY_ID, bytes);
    let mut sync: SyncMeta = get_meta(conn, &s.keys, "sync")?.unwrap_or_default();
    // The fresh vault starts its own history: no cursor, no old problems.
    sync.cursor = 0;
    sync.last_error = None;
    sync.duress_pending = true;
    let package = DuressPackage {
        identity: s.identity.clone(),
        directory: s.directory.clone(),
        sync,
    };
    let plain = Zeroizing::new(
        serde_json::to_vec(&package).map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))?,
    );
    let sealed = envelope::seal(&key, &package_aad(), &plain);
    conn.execute("UPDATE duress SET package = ?1", [sealed])?;
    Ok(())
}

/// Opens the package if `pin` is the duress PIN.
pub(crate) fn try_open(
    conn: &Connection,
    keystore: &dyn KeyStore,
    vault_id: &str,
    pin: &str,
) -> Result<Option<DuressPackage>> {
    let row: Option<(String, Vec<u8>, Vec<u8>)> = conn
        .query_row("SELECT kdf, salt, package FROM duress", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((kdf_json, salt, package)) = row else {
        return Ok(None);
    };
    let kdf: KdfParams = serde_json::from_slice(kdf_json.as_bytes())
        .map_err(|_| CoreError::Corrupt(CorruptKind::KeyRecord))?;
    if !kdf.is_acceptable() {
        return Err(CoreError::Corrupt(CorruptKind::KeyRecord));
    }
    let Some(key) = duress_key(keystore, vault_id, pin, &salt, &kdf, false)? else {
        return Ok(None);
    };
    match envelope::open(&key, &package_aad(), &package) {
        Ok(plain) => serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody)),
        Err(_) => Ok(None),
    }
}

/// The keystore entry the duress key uses, if one is set.
pub(crate) fn keystore_entry(conn: &Connection, vault_id: &str) -> Result<Option<String>> {
    let salt: Option<Vec<u8>> = conn
        .query_row("SELECT salt FROM duress", [], |r| r.get(0))
        .optional()?;
    Ok(salt.map(|s| keystore_name(vault_id, &s)))
}

/// An unsent change's sealed copy: (kind, id, version, sealed box).
pub(crate) type SealedCopy = (String, String, String, Vec<u8>);

/// The unsent changes' sealed copies.
pub(crate) fn sealed_copies(conn: &Connection) -> Result<Vec<SealedCopy>> {
    let mut st = conn.prepare(
        "SELECT kind, id, version, sealed_copy FROM outbox WHERE sealed_copy IS NOT NULL
         UNION ALL SELECT kind, id, version, sealed FROM sealed_outbox",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

impl Vault {
    /// Sets the duress PIN (six or more digits, not her PIN). Entering it at
    /// the unlock screen opens an empty app and erases this vault.
    pub fn set_duress_pin(&self, duress_pin: &str) -> Result<()> {
        check_pin(duress_pin)?;
        let keystore = self.keystore.clone();
        let vault_id = self.vault_id();
        self.with_session(|conn, s, _| {
            // The duress PIN must not also open the real vault.
            if let super::keyring::Unwrapped::Key(_) =
                super::keyring::unwrap(conn, keystore.as_ref(), &vault_id, duress_pin)?
            {
                return Err(ValidationError::DuressPinIsPin.into());
            }
            let old_entry = keystore_entry(conn, &vault_id)?;
            let kdf = KdfParams::default();
            let salt = random::array::<16>().to_vec();
            let key = duress_key(keystore.as_ref(), &vault_id, duress_pin, &salt, &kdf, true)?
                .ok_or(CoreError::KeyStoreSecretMissing)?;
            let tx = conn.transaction()?;
            #[allow(clippy::expect_used)]
            let kdf_json = serde_json::to_string(&kdf).expect("KDF params serialise");
            tx.execute(
                "INSERT OR REPLACE INTO duress (singleton, kdf, salt, package) VALUES (1, ?1, ?2, x'')",
                rusqlite::params![kdf_json, salt],
            )?;
            put_meta(&tx, &s.keys, "duress_key", &key.bytes().to_vec())?;
            refresh_package(&tx, s)?;
            tx.commit()?;
            if let Some(old) = old_entry {
                let _ = keystore.delete_secret(&old);
            }
            Ok(())
        })
    }

    /// Whether a duress PIN is set.
    pub fn has_duress_pin(&self) -> Result<bool> {
        self.with_session(|conn, _, _| {
            Ok(conn.query_row("SELECT EXISTS(SELECT 1 FROM duress)", [], |r| r.get(0))?)
        })
    }

    /// Removes the duress PIN.
    pub fn clear_duress_pin(&self) -> Result<()> {
        let keystore = self.keystore.clone();
        let vault_id = self.vault_id();
        self.with_session(|conn, _, _| {
            let entry = keystore_entry(conn, &vault_id)?;
            conn.execute("DELETE FROM duress", [])?;
            conn.execute("DELETE FROM sealed_meta WHERE name = 'duress_key'", [])?;
            if let Some(e) = entry {
                keystore
                    .delete_secret(&e)
                    .map_err(|e| CoreError::KeyStore(e.0))?;
            }
            Ok(())
        })
    }
}
