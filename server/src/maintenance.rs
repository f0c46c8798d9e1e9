//! A deployment's upkeep from the command line: backing the database up,
//! restoring it into a data directory, and moving from SQLite to
//! PostgreSQL. None of these touch the key file: a backup holds sealed
//! bodies only, and is useless without `keys/server-records.key`, which is
//! backed up separately (and kept apart from the database's backups).
//!
//! - SQLite: SQLite's online backup API, safe while the server runs; a
//!   restore checks the copy opens under the data directory's key before it
//!   replaces anything (stop the server first).
//! - PostgreSQL: `pg_dump --format=custom` and `pg_restore` into an empty
//!   database (found on PATH or in `$PG_BIN`).

use crate::config::ServerConfig;
use crate::error::{Result, ServerError};
use crate::keys;
use crate::store::copy::{self, CopyReport};
use crate::store::sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::process::Command;

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ServerError {
    let path = path.to_path_buf();
    move |source| ServerError::Io { what, path, source }
}

/// The data directory's keys, without making new ones: a backup or copy
/// of a directory that has no key is refused.
fn existing_keys(config: &ServerConfig) -> Result<keys::ServerKeys> {
    let paths = config.paths();
    if !paths.records_key().exists() {
        return Err(ServerError::Key(format!(
            "{} is missing; restore the key file first (a backup never holds it)",
            paths.records_key().display()
        )));
    }
    keys::load_or_create(&paths)
}

/// Writes a backup of the server's database to `to`.
pub fn backup(config: &ServerConfig, to: &Path) -> Result<()> {
    existing_keys(config)?;
    match &config.database {
        Some(url) => {
            run_pg_tool(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    &to.display().to_string(),
                    url,
                ],
            )?;
            owner_only(to)
        }
        None => {
            let db = config.paths().database();
            if !db.exists() {
                return Err(ServerError::NotFound("database in the data directory"));
            }
            let conn = rusqlite::Connection::open(&db).map_err(crate::store::StoreError::from)?;
            conn.backup(rusqlite::MAIN_DB, to, rusqlite::backup::NO_PROGRESS)
                .map_err(crate::store::StoreError::from)?;
            owner_only(to)
        }
    }
}

/// Restores the backup at `from` into the data directory (SQLite) or into
/// the empty PostgreSQL database of `config.database`. The data directory's
/// key must be the one the backup was sealed under.
pub fn restore(config: &ServerConfig, from: &Path) -> Result<()> {
    let keys = existing_keys(config)?;
    if !from.exists() {
        return Err(ServerError::NotFound("backup file"));
    }
    let now = config.clock.now();
    match &config.database {
        Some(url) => {
            run_pg_tool(
                "pg_restore",
                &[
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    url,
                    &from.display().to_string(),
                ],
            )?;
            // Opens it: the schema version and the key are checked.
            crate::store::postgres::PgStore::open(url, keys.records, now)?;
            Ok(())
        }
        None => {
            let db = config.paths().database();
            let staged: PathBuf = db.with_extension("db.restoring");
            std::fs::copy(from, &staged).map_err(io("copying the backup", &staged))?;
            owner_only(&staged)?;
            // Refuses a backup from another key, and brings an older one up
            // to this server's schema, before anything is replaced.
            match SqliteStore::open(&staged, keys.records, now) {
                Ok(store) => drop(store),
                Err(e) => {
                    let _ = std::fs::remove_file(&staged);
                    return Err(e.into());
                }
            }
            for ext in ["db-wal", "db-shm"] {
                let side = db.with_extension(ext);
                if side.exists() {
                    std::fs::remove_file(&side).map_err(io("removing the old journal", &side))?;
                }
            }
            std::fs::rename(&staged, &db).map_err(io("replacing the database", &db))?;
            Ok(())
        }
    }
}

/// Copies the data directory's SQLite database into the empty PostgreSQL
/// database at `url` (then serve with `--database url`).
pub fn copy_to_postgres(config: &ServerConfig, url: &str) -> Result<CopyReport> {
    let keys = existing_keys(config)?;
    Ok(copy::sqlite_to_postgres(
        &config.paths().database(),
        url,
        keys.records,
        config.clock.now(),
    )?)
}

/// A backup names organisations, workers and devices in plain columns:
/// readable by its owner only, like the data directory's files.
fn owner_only(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(io("making the file private", path))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Runs a PostgreSQL client tool from PATH or `$PG_BIN`.
fn run_pg_tool(tool: &str, args: &[&str]) -> Result<()> {
    let program = std::env::var_os("PG_BIN")
        .map(|dir| PathBuf::from(dir).join(tool))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(tool));
    let out = Command::new(&program)
        .args(args)
        .output()
        .map_err(io("running the PostgreSQL tool", &program))?;
    if !out.status.success() {
        // Its message names objects, never rows.
        return Err(ServerError::Config(format!(
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}
