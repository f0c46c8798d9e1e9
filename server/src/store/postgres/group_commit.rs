//! Group commit for pushes on PostgreSQL (issue 11, ADR 0020), the shape of
//! `store/sqlite/group_commit.rs`.
//!
//! Why: every write takes the writers' transaction-scoped advisory lock
//! (`LOCK_WRITE`, [`super::db`]), and PostgreSQL releases it only after the
//! COMMIT's WAL flush, so N pushes at once paid N fsyncs one after another
//! and PostgreSQL's own flush grouping never saw two commits together.
//!
//! How: a push announces itself ([`Group::run`] counts it as waiting) and
//! takes the process's group mutex. If no group is open it takes a pooled
//! connection, runs `BEGIN` and takes the advisory lock (once per group).
//! Its own work runs inside `SAVEPOINT one_push` (`RELEASE` on success;
//! `ROLLBACK TO` on an error or a panic, which goes back to its caller
//! only). Then, if no other push is waiting (or the group holds its bound),
//! it COMMITs and tells every member; otherwise it leaves the transaction
//! open, hands the mutex on and waits for the COMMIT the last member runs.
//! No member returns before the COMMIT that carried its writes returned; if
//! that COMMIT fails every member gets an error. A push alone commits at
//! once: no timer, no added wait.
//!
//! Every other write (`Pg::write`) keeps its own transaction on its own
//! pooled connection and queues for the advisory lock as before: it waits
//! for an open group's COMMIT, exactly as it waited for one push's, and
//! cannot land inside a group. Other server processes on the same database
//! group their own pushes and queue for the same lock.

use super::db::{block_on, Db, LOCK_WRITE};
use crate::store::StoreError;
use deadpool_postgres::{Object, Pool};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// The default bound on the pushes one COMMIT carries (as SQLite's: the
/// API runs at most 16 blocking threads, so in service a group is smaller).
pub(crate) const DEFAULT_LIMIT: usize = 64;

/// The process's group of pushes.
pub(crate) struct Group {
    open: Mutex<Option<Open>>,
    /// Callers of [`Group::run`] that have not yet taken the mutex.
    waiting: AtomicUsize,
    limit: AtomicUsize,
    commits: AtomicU64,
}

impl Default for Group {
    fn default() -> Self {
        Self {
            open: Mutex::new(None),
            waiting: AtomicUsize::new(0),
            limit: AtomicUsize::new(DEFAULT_LIMIT),
            commits: AtomicU64::new(0),
        }
    }
}

/// The open group: its connection (inside `BEGIN`, holding the lock), how
/// many have written in it, and where its end is told.
struct Open {
    conn: Object,
    members: usize,
    end: Arc<End>,
}

/// How a group ended, awaited by its members.
#[derive(Default)]
struct End {
    committed: Mutex<Option<bool>>,
    told: Condvar,
}

impl End {
    fn tell(&self, committed: bool) {
        *self
            .committed
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(committed);
        self.told.notify_all();
    }

    /// Waits for the group's COMMIT.
    fn wait(&self) -> Result<(), StoreError> {
        let mut committed = self
            .committed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            match *committed {
                Some(true) => return Ok(()),
                Some(false) => return Err(StoreError::GroupCommit),
                None => {
                    committed = self
                        .told
                        .wait(committed)
                        .unwrap_or_else(PoisonError::into_inner)
                }
            }
        }
    }
}

/// Why one member's work left nothing behind.
enum Unwound {
    Failed(StoreError),
    Panicked(Box<dyn std::any::Any + Send>),
}

impl Group {
    fn lock(&self) -> MutexGuard<'_, Option<Open>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` in its own savepoint in the open group (opening one if
    /// none is) and returns its result once the group has committed. An
    /// error from `work` rolls back only its own writes and returns at once.
    pub(super) fn run<T>(
        &self,
        pool: &Pool,
        work: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut open = self.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let mut group = match open.take() {
            Some(group) => group,
            None => begin(pool)?,
        };
        let result = in_savepoint(&group.conn, work);
        group.members += 1;
        let end = Arc::clone(&group.end);
        let last = self.waiting.load(Ordering::SeqCst) == 0
            || group.members >= self.limit.load(Ordering::SeqCst);
        let committed = match &result {
            // The savepoint could not be undone: nobody's writes may stand.
            Err((_, true)) => {
                group.end.tell(false);
                abandon(group.conn);
                Some(Err(StoreError::GroupCommit))
            }
            _ if last => Some(self.commit(group)),
            _ => {
                *open = Some(group);
                None
            }
        };
        drop(open);
        let value = match result {
            Ok(value) => value,
            Err((Unwound::Failed(e), _)) => return Err(e),
            Err((Unwound::Panicked(payload), _)) => panic::resume_unwind(payload),
        };
        match committed {
            Some(outcome) => outcome?,
            None => end.wait()?,
        }
        Ok(value)
    }

    /// COMMITs `group` and tells its members; the connection goes back to
    /// the pool (or is dropped if it could not be left clean).
    fn commit(&self, group: Open) -> Result<(), StoreError> {
        self.commits.fetch_add(1, Ordering::SeqCst);
        match block_on(group.conn.batch_execute("COMMIT")) {
            Ok(()) => {
                group.end.tell(true);
                Ok(())
            }
            Err(e) => {
                group.end.tell(false);
                abandon(group.conn);
                Err(e.into())
            }
        }
    }

    /// Group COMMITs run so far (tests and the bench compare it with the
    /// pushes made).
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// Bounds the pushes one COMMIT carries; 1 turns grouping off.
    pub(super) fn set_limit(&self, limit: usize) {
        self.limit.store(limit.max(1), Ordering::SeqCst);
    }

    /// Holds the group's mutex (tests hold it until a group has gathered).
    #[cfg(test)]
    pub(super) fn hold(&self) -> impl Drop + '_ {
        self.lock()
    }

    /// Callers of [`Group::run`] waiting for the mutex.
    #[cfg(test)]
    pub(super) fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

/// A pooled connection inside `BEGIN`, holding the writers' lock.
fn begin(pool: &Pool) -> Result<Open, StoreError> {
    let conn = block_on(pool.get())?;
    let began = block_on(async {
        conn.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            .await?;
        conn.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_WRITE])
            .await
    });
    match began {
        Ok(_) => Ok(Open {
            conn,
            members: 0,
            end: Arc::default(),
        }),
        Err(e) => {
            abandon(conn);
            Err(e.into())
        }
    }
}

/// Ends whatever transaction `conn` is in; a connection that will not
/// answer `ROLLBACK` is taken out of the pool rather than handed on
/// half-way through a transaction.
fn abandon(conn: Object) {
    if block_on(conn.batch_execute("ROLLBACK")).is_err() {
        drop(Object::take(conn));
    }
}

/// Runs `work` between `SAVEPOINT` and `RELEASE`; on an error or a panic
/// its writes are rolled back and the group's others stay. The flag says
/// the savepoint could not be undone (the group must not commit).
fn in_savepoint<T>(
    conn: &Object,
    work: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
) -> Result<T, (Unwound, bool)> {
    let db = Db::on_client(conn);
    if let Err(e) = db.batch("SAVEPOINT one_push") {
        return Err((Unwound::Failed(e), true));
    }
    let result = match panic::catch_unwind(AssertUnwindSafe(|| work(&db))) {
        Ok(Ok(value)) => match db.batch("RELEASE one_push") {
            Ok(()) => return Ok(value),
            Err(e) => Unwound::Failed(e),
        },
        Ok(Err(e)) => Unwound::Failed(e),
        Err(payload) => Unwound::Panicked(payload),
    };
    let undone = db.batch("ROLLBACK TO one_push; RELEASE one_push").is_ok();
    Err((result, !undone))
}

impl super::PgStore {
    /// Group COMMITs of pushes so far: with pushes made, how well they were
    /// grouped (tests and `benches/push_commit.rs`).
    pub fn group_commits(&self) -> u64 {
        self.pg.group.commits()
    }

    /// Bounds the pushes one COMMIT carries (default 64); 1 commits each
    /// push alone (the bench compares the two).
    pub fn set_group_limit(&self, pushes: usize) {
        self.pg.group.set_limit(pushes);
    }
}
