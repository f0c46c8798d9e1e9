//! The partnership's settings in the PostgreSQL backend: rows of
//! `server_meta`, as in the SQLite backend (the agreement as its JSON).

use super::db::Db;
use super::PgStore;
use crate::store::partnership::{DirectoryOrigin, PartnershipStore};
use crate::store::StoreError;
use nightround_core::domain::agreement::SharingAgreement;

const AGREEMENT: &str = "sharing_agreement";
const DIRECTORY_ORIGIN: &str = "directory_origin";

fn read_meta(db: &Db<'_>, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(db
        .opt::<Option<Vec<u8>>>("SELECT value FROM server_meta WHERE name = $1", &[&name])?
        .flatten())
}

fn write_meta(db: &Db<'_>, name: &str, value: &[u8]) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO server_meta (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        &[&name, &value],
    )?;
    Ok(())
}

/// The stored sharing agreement, in the caller's transaction (a pull reads
/// it once per page).
pub(super) fn read_agreement(db: &Db<'_>) -> Result<Option<SharingAgreement>, StoreError> {
    let Some(bytes) = read_meta(db, AGREEMENT)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| StoreError::Corrupt("the sharing agreement"))
}

impl PartnershipStore for PgStore {
    fn agreement(&self) -> Result<Option<SharingAgreement>, StoreError> {
        self.pg.read(read_agreement)
    }

    fn set_agreement(&self, agreement: &SharingAgreement) -> Result<(), StoreError> {
        let json = serde_json::to_vec(agreement)
            .map_err(|_| StoreError::Corrupt("the sharing agreement"))?;
        self.pg.write(|db| write_meta(db, AGREEMENT, &json))
    }

    fn directory_origin(&self) -> Result<DirectoryOrigin, StoreError> {
        match self.pg.read(|db| read_meta(db, DIRECTORY_ORIGIN))? {
            None => Ok(DirectoryOrigin::Unchosen),
            Some(bytes) => std::str::from_utf8(&bytes)
                .ok()
                .and_then(DirectoryOrigin::parse)
                .ok_or(StoreError::Corrupt("the directory's origin")),
        }
    }

    fn set_directory_origin(&self, origin: DirectoryOrigin) -> Result<(), StoreError> {
        self.pg
            .write(|db| write_meta(db, DIRECTORY_ORIGIN, origin.as_str().as_bytes()))
    }
}
