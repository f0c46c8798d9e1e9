//! Choosing a backend: one value that is the phones' store, the dashboard's
//! and the watchdog's at once, whichever database holds them.

use super::dashboard::DashboardStore;
use super::data_protection::DataProtectionStore;
use super::postgres::{is_postgres_url, PgStore};
use super::safety::SafetyStore;
use super::sqlite::SqliteStore;
use super::{Store, StoreError};
use crate::watchdog::Bell;
use nightround_core::crypto::DataKey;
use nightround_core::Timestamp;
use std::path::Path;
use std::sync::Arc;

/// Everything the server keeps, behind the four store traits.
pub trait Backend: Store + DashboardStore + SafetyStore + DataProtectionStore {
    /// Which backend this is, for logs and the CLI.
    fn backend_name(&self) -> &'static str;

    /// Rings `bell` when another process sharing the database stores
    /// something urgent. One process owns a SQLite file: nothing to do.
    fn relay_bell(&self, bell: &Bell) {
        let _ = bell;
    }
}

impl Backend for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

impl Backend for PgStore {
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    fn relay_bell(&self, bell: &Bell) {
        let bell = bell.clone();
        self.on_urgent(move || bell.ring());
    }
}

/// Opens the PostgreSQL database at `database` when given, else the SQLite
/// file at `sqlite_path`; both sealed under `key`.
pub fn open_backend(
    database: Option<&str>,
    sqlite_path: &Path,
    key: DataKey,
    now: Timestamp,
) -> Result<Arc<dyn Backend>, StoreError> {
    match database {
        Some(url) if is_postgres_url(url) => Ok(Arc::new(PgStore::open(url, key, now)?)),
        Some(_) => Err(StoreError::Config(
            "--database takes a postgres:// or postgresql:// URL",
        )),
        None => Ok(Arc::new(SqliteStore::open(sqlite_path, key, now)?)),
    }
}
