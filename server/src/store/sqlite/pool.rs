//! Read-only connections to the server's database, pooled by r2d2, so reads
//! (a device's token on every request, the dashboard's pages) run beside the
//! one writer instead of queueing behind it: in WAL, readers see the last
//! committed state and never block the writer, nor it them.
//!
//! `r2d2_sqlite` and `deadpool-sqlite` pin rusqlite 0.40 and SQLite may be
//! linked once, so the manager for rusqlite 0.42 is the few lines below.

use super::group_commit::WriterGuard;
use crate::store::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Readers per server: the machine's cores, at least two, at most eight
/// (SQLite reads are CPU-bound once the pages are cached).
fn pool_size() -> u32 {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get() as u32)
        .clamp(2, 8)
}

/// How long a read waits for a free reader before failing as busy.
const WAIT: Duration = Duration::from_secs(10);

/// Opens read-only connections to one database file.
#[derive(Debug)]
pub(super) struct ReaderManager {
    path: PathBuf,
}

impl r2d2::ManageConnection for ReaderManager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "query_only", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.execute_batch("")
    }

    fn has_broken(&self, _: &mut Connection) -> bool {
        false
    }
}

/// The pool of readers for a database file.
pub(super) type Readers = r2d2::Pool<ReaderManager>;

/// A pool of read-only connections to `path` (the writer has already
/// created and migrated it, in WAL).
pub(super) fn readers(path: &Path) -> Result<Readers, StoreError> {
    r2d2::Pool::builder()
        .max_size(pool_size())
        .min_idle(Some(1))
        .connection_timeout(WAIT)
        .test_on_check_out(false)
        .build(ReaderManager {
            path: path.to_path_buf(),
        })
        .map_err(|_| busy("the database's readers would not open"))
}

/// A pool that could not hand out a reader: SQLite's own "busy".
pub(super) fn busy(why: &str) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some(why.to_owned()),
    ))
}

/// A connection for reading: a pooled reader, or the writer itself for an
/// in-memory database (which has no second connection to share it).
pub(super) enum Reader<'a> {
    Pooled(r2d2::PooledConnection<ReaderManager>),
    Writer(WriterGuard<'a>),
}

impl Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Reader::Pooled(c) => c,
            Reader::Writer(c) => c,
        }
    }
}
