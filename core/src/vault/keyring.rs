//! The wrapped data key and how it is unwrapped, rewrapped and destroyed.
//!
//! The key row holds only the wrapped key, its KDF parameters and salt, and a
//! checksum over them. The checksum tells a damaged row (corrupt file) from a
//! row that is intact but will not open (a wrong PIN). A canary sealed under
//! the data key then tells a key that opened from a key that belongs to
//! these records.

use crate::clock::to_millis;
use crate::crypto::keys::{self, DataKey, KdfParams};
use crate::crypto::{envelope, random, Aad, RecordKeys};
use crate::error::{CoreError, CorruptKind, Result};
use crate::keystore::KeyStore;
use crate::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// The id of the first data key; rotation would add the next.
pub const FIRST_KEY_ID: u32 = 1;
const CANARY: &[u8] = b"nightround canary v1";

/// The keystore entry that holds this vault's half of the wrapping key. It
/// names the salt too, so that a PIN change makes a new entry and removes the
/// old one only after the new wrapped key has committed: a crash in between
/// leaves a stray entry, never a vault that cannot open.
pub fn keystore_name(vault_id: &str, salt: &[u8]) -> String {
    let tag: String = salt.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("nightround.vault.{vault_id}.{tag}")
}

struct KeyRow {
    key_id: u32,
    kdf_json: String,
    salt: Vec<u8>,
    nonce: Vec<u8>,
    wrapped: Vec<u8>,
    checksum: Vec<u8>,
}

fn checksum(key_id: u32, kdf_json: &str, salt: &[u8], nonce: &[u8], wrapped: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"nightround.keyrow.v1");
    h.update(key_id.to_be_bytes());
    for part in [kdf_json.as_bytes(), salt, nonce, wrapped] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part);
    }
    h.finalize().to_vec()
}

fn wrapping_key_for(
    keystore: &dyn KeyStore,
    vault_id: &str,
    pin: &str,
    salt: &[u8],
    kdf: &KdfParams,
    key_id: u32,
    create_secret: bool,
) -> Result<DataKey> {
    let name = keystore_name(vault_id, salt);
    let secret = if create_secret {
        keystore
            .create_secret(&name)
            .map_err(|e| CoreError::KeyStore(e.0))?
    } else {
        keystore
            .load_secret(&name)
            .map_err(|e| CoreError::KeyStore(e.0))?
            .ok_or(CoreError::KeyStoreSecretMissing)?
    };
    let stretched = keys::stretch_pin(pin, salt, kdf)
        .map_err(|_| CoreError::Corrupt(CorruptKind::KeyRecord))?;
    Ok(keys::wrapping_key(&stretched, &secret, salt, key_id))
}

fn store_row(conn: &Connection, row: &KeyRow, now: Timestamp) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO vault_keys (key_id, kdf, salt, nonce, wrapped, checksum, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            row.key_id,
            row.kdf_json,
            row.salt,
            row.nonce,
            row.wrapped,
            row.checksum,
            to_millis(now)
        ],
    )?;
    Ok(())
}

fn wrap_into_row(wrapping: &DataKey, data_key: &DataKey, kdf: &KdfParams, salt: Vec<u8>) -> KeyRow {
    let (nonce, wrapped) = keys::wrap(wrapping, data_key);
    // Serialising a struct of integers cannot fail.
    #[allow(clippy::expect_used)]
    let kdf_json = serde_json::to_string(kdf).expect("KDF params serialise");
    let sum = checksum(data_key.id(), &kdf_json, &salt, &nonce, &wrapped);
    KeyRow {
        key_id: data_key.id(),
        kdf_json,
        salt,
        nonce: nonce.to_vec(),
        wrapped,
        checksum: sum,
    }
}

/// Makes the vault's data key, a fresh keystore secret and the canary.
pub fn create(
    conn: &Connection,
    keystore: &dyn KeyStore,
    vault_id: &str,
    pin: &str,
    now: Timestamp,
) -> Result<DataKey> {
    let kdf = KdfParams::default();
    let salt = random::array::<16>().to_vec();
    let data_key = DataKey::generate(FIRST_KEY_ID);
    let wrapping = wrapping_key_for(keystore, vault_id, pin, &salt, &kdf, FIRST_KEY_ID, true)?;
    store_row(conn, &wrap_into_row(&wrapping, &data_key, &kdf, salt), now)?;
    let keys = RecordKeys::from_data_key(&data_key);
    let canary = envelope::seal(&keys.records, &canary_aad(), CANARY);
    conn.execute(
        "INSERT OR REPLACE INTO sealed_meta (name, version, body) VALUES ('canary', '1', ?1)",
        [canary],
    )?;
    Ok(data_key)
}

fn canary_aad() -> Aad<'static> {
    Aad {
        table: "meta",
        record_id: "canary",
        version: "1",
    }
}

fn load_row(conn: &Connection) -> Result<KeyRow> {
    conn.query_row(
        "SELECT key_id, kdf, salt, nonce, wrapped, checksum FROM vault_keys ORDER BY key_id DESC LIMIT 1",
        [],
        |r| {
            Ok(KeyRow {
                key_id: r.get(0)?,
                kdf_json: r.get(1)?,
                salt: r.get(2)?,
                nonce: r.get(3)?,
                wrapped: r.get(4)?,
                checksum: r.get(5)?,
            })
        },
    )
    .optional()?
    .ok_or(CoreError::Shredded)
}

/// What an unlock attempt found.
pub enum Unwrapped {
    Key(DataKey),
    WrongPin,
}

/// Tries `pin`. Damage is an error; a PIN that does not open an intact row is
/// [`Unwrapped::WrongPin`].
pub fn unwrap(
    conn: &Connection,
    keystore: &dyn KeyStore,
    vault_id: &str,
    pin: &str,
) -> Result<Unwrapped> {
    let row = load_row(conn)?;
    if checksum(
        row.key_id,
        &row.kdf_json,
        &row.salt,
        &row.nonce,
        &row.wrapped,
    ) != row.checksum
    {
        return Err(CoreError::Corrupt(CorruptKind::KeyRecord));
    }
    let kdf: KdfParams = serde_json::from_slice(row.kdf_json.as_bytes())
        .map_err(|_| CoreError::Corrupt(CorruptKind::KeyRecord))?;
    if !kdf.is_acceptable() {
        return Err(CoreError::Corrupt(CorruptKind::KeyRecord));
    }
    let wrapping = wrapping_key_for(keystore, vault_id, pin, &row.salt, &kdf, row.key_id, false)?;
    let Some(data_key) = keys::unwrap(&wrapping, row.key_id, &row.nonce, &row.wrapped) else {
        return Ok(Unwrapped::WrongPin);
    };
    let canary: Option<Vec<u8>> = conn
        .query_row(
            "SELECT body FROM sealed_meta WHERE name = 'canary'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let keys = RecordKeys::from_data_key(&data_key);
    match canary.map(|c| envelope::open(&keys.records, &canary_aad(), &c)) {
        Some(Ok(plain)) if plain.as_slice() == CANARY => Ok(Unwrapped::Key(data_key)),
        _ => Err(CoreError::Corrupt(CorruptKind::Canary)),
    }
}

/// A salt for a new key row; its keystore entry's name follows from it
/// ([`keystore_name`]), so the caller can note the name before it exists.
pub fn fresh_salt() -> Vec<u8> {
    random::array::<16>().to_vec()
}

/// Wraps the same data key under a new PIN, with the fresh `salt` and a new
/// keystore secret. Records are untouched. Returns the keystore entry the old
/// row used, for the caller to delete once this has committed.
pub fn rewrap(
    conn: &Connection,
    keystore: &dyn KeyStore,
    vault_id: &str,
    data_key: &DataKey,
    new_pin: &str,
    salt: Vec<u8>,
    now: Timestamp,
) -> Result<String> {
    let old = load_row(conn)?;
    let kdf = KdfParams::default();
    let wrapping = wrapping_key_for(
        keystore,
        vault_id,
        new_pin,
        &salt,
        &kdf,
        data_key.id(),
        true,
    )?;
    store_row(conn, &wrap_into_row(&wrapping, data_key, &kdf, salt), now)?;
    Ok(keystore_name(vault_id, &old.salt))
}

/// The keystore entry the current key row uses, if there is a key row.
pub fn current_keystore_name(conn: &Connection, vault_id: &str) -> Result<Option<String>> {
    match load_row(conn) {
        Ok(row) => Ok(Some(keystore_name(vault_id, &row.salt))),
        Err(CoreError::Shredded) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Overwrites and deletes every wrapped key: after this commits, no PIN and
/// no keystore secret can open the records again.
pub fn destroy(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE vault_keys SET wrapped = zeroblob(length(wrapped)), salt = zeroblob(length(salt)),
                               nonce = zeroblob(length(nonce))",
        [],
    )?;
    conn.execute("DELETE FROM vault_keys", [])?;
    conn.execute("DELETE FROM sealed_meta", [])?;
    Ok(())
}
