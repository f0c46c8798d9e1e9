//! Keystore entries that may outlive their use: the new entry of a PIN change
//! is listed before it is made, the old one in the same transaction as the
//! new key row. Whatever point the app dies at, the list names every entry no
//! key row uses; the next open and every wipe destroy them. Only names are
//! kept (the vault id and a salt tag), never a secret.

use crate::error::{CoreError, Result};
use crate::keystore::KeyStore;
use rusqlite::Connection;

/// Lists `name` for destruction (committed with the caller's transaction).
pub fn add(conn: &Connection, name: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO keystore_garbage (name) VALUES (?1)",
        [name],
    )?;
    Ok(())
}

/// Takes `name` off the list: a key row now uses it.
pub fn remove(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM keystore_garbage WHERE name = ?1", [name])?;
    Ok(())
}

/// Every listed name.
pub fn names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM keystore_garbage ORDER BY name")?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(names)
}

/// Destroys every listed entry the current key row does not use, and clears
/// the list.
pub fn collect(conn: &Connection, keystore: &dyn KeyStore) -> Result<()> {
    let vault_id: Option<String> = conn
        .query_row("SELECT vault_id FROM vault_info", [], |r| r.get(0))
        .ok();
    let current = match vault_id {
        Some(id) => super::keyring::current_keystore_name(conn, &id)?,
        None => None,
    };
    for name in names(conn)? {
        if Some(&name) != current.as_ref() {
            keystore
                .delete_secret(&name)
                .map_err(|e| CoreError::KeyStore(e.0))?;
        }
        remove(conn, &name)?;
    }
    Ok(())
}
