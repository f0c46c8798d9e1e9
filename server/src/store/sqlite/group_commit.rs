//! Group commit on the SQLite writer (issue 11, ADR 0020).
//!
//! Why: in WAL with `synchronous=FULL` every COMMIT waits for an fsync, so
//! N phones pushing at once paid N fsyncs in a row, one after another, on
//! the single writer. Here pushes that arrive while the writer is busy join
//! one transaction and share one COMMIT.
//!
//! How: a push announces itself ([`Writer::run`] counts it as waiting),
//! takes the writer, opens the group's `BEGIN IMMEDIATE` if none is open,
//! and runs its own work inside its own `SAVEPOINT`, so an error rolls back
//! only that push and goes back only to its caller. Then, if nobody else is
//! waiting for the writer (or the group reached its bound), it COMMITs and
//! wakes every member; otherwise it leaves the transaction open, hands the
//! writer on and waits for the COMMIT the last member runs. No member
//! returns its result before the COMMIT that made it durable has returned;
//! if that COMMIT fails, every member gets the error. A push alone finds
//! nobody waiting and commits at once, as before: no timer, no added wait.
//!
//! Each caller runs its own work on its own thread (nothing borrowed moves
//! between threads, no extra thread); the writer mutex orders them and the
//! open transaction passes from one to the next. Every other write takes
//! the writer through [`Writer::lock`], which commits an open group first,
//! so a write outside the group never lands inside one nor delays it.

use crate::store::StoreError;
use rusqlite::Connection;
use std::ops::{Deref, DerefMut};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// The default bound on the writes one COMMIT carries. The server runs at
/// most 16 blocking threads (ADR 0018), so in practice a group is smaller;
/// the bound keeps the first member's wait finite under any load.
pub(crate) const DEFAULT_LIMIT: usize = 64;

/// The records one COMMIT carries before the group ends. Grouping pays for
/// small writes (a phone after a contact pushes a handful; a pull writes a
/// page row): many share one fsync. A big write pays for its own fsync
/// already, and a group of big writes outgrows the writer's page cache, so
/// SQLite spills dirty pages to the WAL mid-transaction and writes the
/// same index pages again and again: measured with the 200 × 500 load
/// bench (500-record pushes), grouping without this bound took 50% more
/// wall time and server CPU than no grouping at all.
pub(crate) const RECORDS_PER_COMMIT: usize = 256;

/// A write of this many records or more runs alone: an open group is
/// committed first, and it runs as the first of a new one, with no savepoint
/// (see [`first_in_group`]), and commits at once. A backlog push (up to 200
/// records) has its own fsync's worth of work; inside a savepoint every page
/// it touches that existed before is copied to the statement journal first.
pub(crate) const ALONE_FROM: usize = 50;

/// The writer connection, shared by grouped and ungrouped writes.
pub(super) struct Writer {
    state: Mutex<State>,
    /// Callers of [`Writer::run`] that have not yet taken the writer.
    waiting: AtomicUsize,
    limit: AtomicUsize,
    commits: AtomicU64,
}

struct State {
    conn: Connection,
    /// The group whose transaction is open, if any.
    open: Option<Group>,
}

/// The open group: how many have written in it, and where its end is told.
struct Group {
    members: usize,
    /// Records written in it so far (see [`RECORDS_PER_COMMIT`]).
    records: usize,
    end: Arc<End>,
}

/// How a group ended, awaited by its members.
#[derive(Default)]
struct End {
    outcome: Mutex<Option<Result<(), rusqlite::ffi::Error>>>,
    told: Condvar,
}

impl End {
    fn tell(&self, outcome: Result<(), rusqlite::ffi::Error>) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        self.told.notify_all();
    }

    /// Waits for the group's COMMIT; its error if it failed.
    fn wait(&self) -> Result<(), StoreError> {
        let mut outcome = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match *outcome {
                Some(Ok(())) => return Ok(()),
                Some(Err(e)) => {
                    return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                        e,
                        Some("the group's commit failed".to_owned()),
                    )))
                }
                None => {
                    outcome = self
                        .told
                        .wait(outcome)
                        .unwrap_or_else(PoisonError::into_inner)
                }
            }
        }
    }
}

/// The writer connection held alone, outside any group.
pub(crate) struct WriterGuard<'a>(MutexGuard<'a, State>);

impl Deref for WriterGuard<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0.conn
    }
}

impl DerefMut for WriterGuard<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0.conn
    }
}

impl Writer {
    pub(super) fn new(conn: Connection) -> Self {
        Self {
            state: Mutex::new(State { conn, open: None }),
            waiting: AtomicUsize::new(0),
            limit: AtomicUsize::new(DEFAULT_LIMIT),
            commits: AtomicU64::new(0),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection for a write of its own (one transaction, committed
    /// by the caller); an open group is committed first.
    pub(super) fn lock(&self) -> WriterGuard<'_> {
        let mut state = self.state();
        if let Some(group) = state.open.take() {
            // Its members hear how it went; this write starts clean either way.
            let _ = self.commit(&state.conn, group);
        }
        WriterGuard(state)
    }

    /// Runs `work` in its own savepoint in the open group (opening one if
    /// none is), and returns its result once the group has committed. An
    /// error from `work` rolls back only its own writes and returns at once.
    /// `records` is about how many rows it writes (a push's records), which
    /// ends a group at [`RECORDS_PER_COMMIT`].
    pub(super) fn run<T>(
        &self,
        records: usize,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut state = self.state();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        if records >= ALONE_FROM {
            if let Some(group) = state.open.take() {
                // Its members hear how it went; this write starts its own.
                let _ = self.commit(&state.conn, group);
            }
        }
        let (mut group, result) = match state.open.take() {
            Some(group) => (group, in_savepoint(&state.conn, work)),
            None => {
                state.conn.execute_batch("BEGIN IMMEDIATE")?;
                let group = Group {
                    members: 0,
                    records: 0,
                    end: Arc::default(),
                };
                (group, first_in_group(&state.conn, work))
            }
        };
        group.members += 1;
        group.records += records;
        let end = Arc::clone(&group.end);
        let last = self.waiting.load(Ordering::SeqCst) == 0
            || group.members >= self.limit.load(Ordering::SeqCst)
            || group.records >= RECORDS_PER_COMMIT
            || records >= ALONE_FROM;
        let committed = if state.conn.is_autocommit() {
            // The transaction is gone (SQLite rolls all of it back on some
            // errors, a full disk or an I/O error): nobody's writes stand.
            group.end.tell(Err(ABANDONED));
            Some(Err(abandoned()))
        } else if last {
            Some(self.commit(&state.conn, group))
        } else {
            state.open = Some(group);
            None
        };
        drop(state);
        let value = match result {
            Ok(value) => value,
            Err(Unwound::Failed(e)) => return Err(e),
            Err(Unwound::Panicked(payload)) => panic::resume_unwind(payload),
        };
        match committed {
            Some(outcome) => outcome?,
            None => end.wait()?,
        }
        Ok(value)
    }

    /// COMMITs `group` (rolling back if that fails) and tells its members.
    fn commit(&self, conn: &Connection, group: Group) -> Result<(), StoreError> {
        self.commits.fetch_add(1, Ordering::SeqCst);
        let outcome = conn.execute_batch("COMMIT");
        if outcome.is_err() && !conn.is_autocommit() {
            // Nothing of the group may stay half-open for the next writer.
            let _ = conn.execute_batch("ROLLBACK");
        }
        group.end.tell(match &outcome {
            Ok(()) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _)) => Err(*e),
            Err(_) => Err(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR)),
        });
        Ok(outcome?)
    }

    /// Group COMMITs run so far (tests and benches compare it with the
    /// writes made).
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// Bounds the writes one COMMIT carries; 1 turns grouping off.
    pub(super) fn set_limit(&self, limit: usize) {
        self.limit.store(limit.max(1), Ordering::SeqCst);
    }

    /// Callers of [`Writer::run`] waiting for the writer (tests hold the
    /// writer until a group has gathered).
    #[cfg(test)]
    pub(super) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

/// What the members of a group whose transaction SQLite rolled back hear.
const ABANDONED: rusqlite::ffi::Error = rusqlite::ffi::Error {
    code: rusqlite::ErrorCode::OperationAborted,
    extended_code: rusqlite::ffi::SQLITE_ABORT,
};

fn abandoned() -> StoreError {
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        ABANDONED,
        Some("the group's transaction was rolled back".to_owned()),
    ))
}

/// Why one member's work left nothing behind.
enum Unwound {
    Failed(StoreError),
    Panicked(Box<dyn std::any::Any + Send>),
}

/// Runs `work` between `SAVEPOINT` and `RELEASE`; on an error or a panic
/// its writes are rolled back and the group's others stay.
/// The first write of a group runs in the group's transaction itself, with
/// no savepoint: the transaction holds nothing else, so its failure rolls
/// the transaction back (the caller then sees it gone) and harms no one. A
/// savepoint is not free: every statement inside one keeps a statement
/// savepoint nested in it, and on the 200 × 500 load bench (every push
/// alone in its group at [`RECORDS_PER_COMMIT`]) running each push in one
/// took 50% more server CPU than without, `sqlite3BtreeSavepoint` at the top
/// of the profile.
fn first_in_group<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, Unwound> {
    let result = match panic::catch_unwind(AssertUnwindSafe(|| work(conn))) {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(e)) => Err(Unwound::Failed(e)),
        Err(payload) => Err(Unwound::Panicked(payload)),
    };
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

fn in_savepoint<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, Unwound> {
    conn.execute_batch("SAVEPOINT one_write")
        .map_err(|e| Unwound::Failed(e.into()))?;
    let result = match panic::catch_unwind(AssertUnwindSafe(|| work(conn))) {
        Ok(Ok(value)) => match conn.execute_batch("RELEASE one_write") {
            Ok(()) => return Ok(value),
            Err(e) => Err(Unwound::Failed(e.into())),
        },
        Ok(Err(e)) => Err(Unwound::Failed(e)),
        Err(payload) => Err(Unwound::Panicked(payload)),
    };
    if let Err(e) = conn.execute_batch("ROLLBACK TO one_write; RELEASE one_write") {
        // The savepoint could not be undone: fail the whole group rather
        // than commit part of this write.
        let _ = conn.execute_batch("ROLLBACK");
        return Err(Unwound::Failed(e.into()));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// A writer on a file with one table, as the store opens it (WAL).
    fn writer() -> (Arc<Writer>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("db")).unwrap();
        crate::store::schema::configure(&conn).unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .unwrap();
        (Arc::new(Writer::new(conn)), dir)
    }

    /// A member that panics half-way is rolled back alone; the others of
    /// its group commit, and its caller sees the panic.
    #[test]
    fn a_panicking_member_loses_only_its_own_writes() {
        let (w, _dir) = writer();
        let held = w.lock();
        let threads: Vec<_> = (0..3)
            .map(|n| {
                let w = Arc::clone(&w);
                std::thread::spawn(move || {
                    w.run(1, |c| {
                        c.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
                        assert_ne!(n, 1, "a bug half-way through a write");
                        Ok(n)
                    })
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        while w.waiting() < 3 {
            assert!(Instant::now() < deadline, "the writes never queued");
            std::thread::sleep(Duration::from_millis(2));
        }
        drop(held);
        let joined: Vec<_> = threads.into_iter().map(|t| t.join()).collect();
        assert!(joined[1].is_err(), "the panic reaches its own caller");
        assert_eq!(joined[0].as_ref().unwrap().as_ref().unwrap(), &0);
        assert_eq!(joined[2].as_ref().unwrap().as_ref().unwrap(), &2);
        assert_eq!(w.commits(), 1);
        let rows: Vec<i64> = w
            .lock()
            .prepare("SELECT n FROM t ORDER BY n")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [0, 2]);
    }

    /// The first write of a group runs without a savepoint; failing, it
    /// rolls the group's transaction back (it held nothing else), leaves
    /// none of its rows, and the next write opens a new group.
    #[test]
    fn a_failing_first_write_rolls_back_alone_and_the_next_opens_a_group() {
        let (w, _dir) = writer();
        let failed = w.run(2, |c| {
            c.execute("INSERT INTO t (n) VALUES (1)", [])?;
            c.execute("INSERT INTO t (n) VALUES (1)", [])?; // a real constraint error
            Ok(())
        });
        assert!(failed.is_err());
        assert!(w.lock().is_autocommit(), "no transaction left open");
        w.run(1, |c| Ok(c.execute("INSERT INTO t (n) VALUES (2)", [])?))
            .unwrap();
        let rows: Vec<i64> = w
            .lock()
            .prepare("SELECT n FROM t ORDER BY n")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows, [2]);
        assert_eq!(w.commits(), 1);
    }
}
