//! The partnership's settings in the SQLite backend: rows of `server_meta`
//! (no schema change), the agreement as its JSON.

use super::SqliteStore;
use crate::store::partnership::{DirectoryOrigin, PartnershipStore};
use crate::store::StoreError;
use nightround_core::domain::agreement::SharingAgreement;
use rusqlite::{Connection, OptionalExtension};

const AGREEMENT: &str = "sharing_agreement";
const DIRECTORY_ORIGIN: &str = "directory_origin";

fn read_meta(conn: &Connection, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM server_meta WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

fn write_meta(conn: &Connection, name: &str, value: &[u8]) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO server_meta (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )?;
    Ok(())
}

/// The stored agreement read inside a transaction already open (the pull's).
pub(super) fn stored_agreement(conn: &Connection) -> Result<Option<SharingAgreement>, StoreError> {
    let Some(bytes) = read_meta(conn, AGREEMENT)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| StoreError::Corrupt("the sharing agreement"))
}

impl PartnershipStore for SqliteStore {
    fn agreement(&self) -> Result<Option<SharingAgreement>, StoreError> {
        stored_agreement(&self.lock())
    }

    fn set_agreement(&self, agreement: &SharingAgreement) -> Result<(), StoreError> {
        let json = serde_json::to_vec(agreement)
            .map_err(|_| StoreError::Corrupt("the sharing agreement"))?;
        write_meta(&self.lock(), AGREEMENT, &json)
    }

    fn directory_origin(&self) -> Result<DirectoryOrigin, StoreError> {
        match read_meta(&self.lock(), DIRECTORY_ORIGIN)? {
            None => Ok(DirectoryOrigin::Unchosen),
            Some(bytes) => std::str::from_utf8(&bytes)
                .ok()
                .and_then(DirectoryOrigin::parse)
                .ok_or(StoreError::Corrupt("the directory's origin")),
        }
    }

    fn set_directory_origin(&self, origin: DirectoryOrigin) -> Result<(), StoreError> {
        write_meta(&self.lock(), DIRECTORY_ORIGIN, origin.as_str().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nightround_core::crypto::DataKey;

    #[test]
    fn the_agreement_and_the_directory_origin_round_trip() {
        let store = SqliteStore::open_in_memory(DataKey::generate(1), chrono::Utc::now()).unwrap();
        assert_eq!(store.agreement().unwrap(), None);
        assert_eq!(store.directory_origin().unwrap(), DirectoryOrigin::Unchosen);
        let mut a = SharingAgreement::southend_example();
        store.set_agreement(&a).unwrap();
        assert_eq!(store.agreement().unwrap().as_ref(), Some(&a));
        a.revision += 1;
        store.set_agreement(&a).unwrap();
        assert_eq!(store.agreement().unwrap().unwrap().revision, a.revision);
        store.set_directory_origin(DirectoryOrigin::Own).unwrap();
        assert_eq!(store.directory_origin().unwrap(), DirectoryOrigin::Own);
    }
}
