//! The synchronous face of the asynchronous driver: the [`Store`] traits are
//! synchronous (the API calls them under `spawn_blocking`, the CLI and the
//! tests call them directly), and tokio-postgres with a deadpool pool is
//! asynchronous. The store owns a small tokio runtime that drives the
//! connections; a call blocks its own thread on the query futures (with
//! `futures_executor::block_on`, which, unlike tokio's, may be used on a
//! thread that is already inside another runtime), exactly as a call into
//! the SQLite backend blocks on its mutex. The futures run outside tokio's
//! cooperative budget ([`block_on`]): a caller inside a tokio task that
//! makes many store calls in one poll would otherwise spin forever.
//!
//! Every store method is one transaction ([`Pg::write`] or [`Pg::read`]).
//! Writers take one transaction-scoped advisory lock first, so writes are
//! serialised as SQLite's `BEGIN IMMEDIATE` serialises them, across every
//! server process on the database: sequence numbers are committed in order,
//! and a pull never skips one that commits later.
//!
//! [`Store`]: crate::store::Store

use crate::store::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{IsolationLevel, NoTls, Row};

/// `futures_executor::block_on` with tokio's cooperative budget switched off
/// for the future. The pool's semaphore and the connections are tokio's and
/// count against the budget of the task the caller runs in; a synchronous
/// store call made from inside a task (a server starting in `block_on`, a
/// test) never yields back to tokio, so once the budget (128 operations) was
/// spent every poll answered "yield" and this loop spun at 100% CPU for ever
/// (seen as a hang of the backup tests on PostgreSQL).
pub(super) fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_executor::block_on(tokio::task::unconstrained(future))
}

/// Advisory lock keys (one 64-bit space per database).
pub const LOCK_WRITE: i64 = 0x4e52_5752; // "NRWR"
pub const LOCK_MIGRATE: i64 = 0x4e52_4d47; // "NRMG"

/// A query parameter.
pub type Param<'a> = &'a (dyn ToSql + Sync);

/// The pool and the runtime that drives its connections.
pub struct Pg {
    pool: Pool,
    /// Always `Some` until dropped.
    rt: Option<tokio::runtime::Runtime>,
    /// Pushes share one transaction and one COMMIT (ADR 0020).
    pub(super) group: super::group_commit::Group,
}

impl Drop for Pg {
    /// Stops the driver's runtime without waiting for it: a store may be
    /// dropped on an async task, where blocking to wait is not allowed.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Pg {
    /// Connects to `url` (`postgres://user@host:port/db`, libpq's syntax).
    pub fn connect(url: &str, max_connections: usize) -> Result<Pg, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError::Config("the PostgreSQL URL is not valid"))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("nightround-pg")
            .enable_all()
            .build()
            .map_err(|_| StoreError::Config("could not start the PostgreSQL driver's runtime"))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .wait_timeout(Some(std::time::Duration::from_secs(30)))
            .build()
            .map_err(|_| StoreError::Config("could not build the PostgreSQL pool"))?;
        Ok(Pg {
            pool,
            rt: Some(rt),
            group: super::group_commit::Group::default(),
        })
    }

    /// Runs `f` in one transaction that holds the writers' lock.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(IsolationLevel::ReadCommitted, true, f)
    }

    /// Runs a push's `f` in its own savepoint in the process's open group
    /// of pushes (one transaction holding the writers' lock, one COMMIT;
    /// ADR 0020); returns once the COMMIT that carried it has returned.
    pub fn push<T>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _enter = self.rt.as_ref().map(|rt| rt.enter());
        self.group.run(&self.pool, f)
    }

    /// Runs `f` in one read-committed transaction without the writers' lock
    /// (for reads, and writes of a single row that need no ordering).
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(IsolationLevel::ReadCommitted, false, f)
    }

    /// Runs `f` in one repeatable-read transaction: every query sees the
    /// same snapshot (a pull's pages of records and the facts about them).
    pub fn snapshot<T>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(IsolationLevel::RepeatableRead, false, f)
    }

    /// Runs `f` in a transaction without taking the writers' lock first
    /// (migrations take their own).
    pub fn unlocked<T>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.run(IsolationLevel::ReadCommitted, false, f)
    }

    /// Runs statements outside a transaction (`CREATE DATABASE` must) and
    /// returns every row as text, as psql would print it.
    pub fn simple(&self, sql: &str) -> Result<Vec<Vec<Option<String>>>, StoreError> {
        let _enter = self.rt.as_ref().map(|rt| rt.enter());
        let conn = block_on(self.pool.get())?;
        let messages = block_on(conn.simple_query(sql))?;
        Ok(messages
            .iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_owned))
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    }

    /// Spawns `task` on the driver's runtime (the urgent-record listener).
    pub fn spawn<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        if let Some(rt) = &self.rt {
            rt.spawn(task);
        }
    }

    fn run<T>(
        &self,
        level: IsolationLevel,
        lock: bool,
        f: impl FnOnce(&Db<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // New connections register with, and are driven by, this runtime.
        let _enter = self.rt.as_ref().map(|rt| rt.enter());
        let mut conn = block_on(self.pool.get())?;
        let tx = block_on(conn.build_transaction().isolation_level(level).start())?;
        let db = Db(On::Tx(tx));
        if lock {
            db.exec("SELECT pg_advisory_xact_lock($1)", &[&LOCK_WRITE])?;
        }
        let out = f(&db)?;
        if let On::Tx(tx) = db.0 {
            block_on(tx.commit())?;
        }
        Ok(out)
    }
}

/// One transaction, with synchronous query methods. Statements are prepared
/// once per connection and cached.
pub struct Db<'a>(On<'a>);

/// What a [`Db`] runs its statements on.
enum On<'a> {
    /// A transaction of its own, committed by [`Pg::run`].
    Tx(deadpool_postgres::Transaction<'a>),
    /// A connection inside a transaction begun, and ended, by plain
    /// statements: a push inside its group's transaction and savepoint.
    Client(&'a deadpool_postgres::ClientWrapper),
}

/// Runs `$body` with `$c` bound to the [`Db`]'s transaction or connection
/// (both have the same query methods, and no common object-safe trait).
macro_rules! on {
    ($db:expr, $c:ident => $body:expr) => {
        match &$db.0 {
            On::Tx($c) => block_on(async { $body.await }),
            On::Client($c) => block_on(async { $body.await }),
        }
    };
}

impl<'a> Db<'a> {
    /// Statements on `client`, inside a transaction its owner began.
    pub(super) fn on_client(client: &'a deadpool_postgres::ClientWrapper) -> Self {
        Db(On::Client(client))
    }

    /// Every row.
    pub fn query(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        on!(self, c => async {
            let st = c.prepare_cached(sql).await?;
            c.query(&st, params).await
        })
        .map_err(StoreError::from)
    }

    /// At most one row.
    pub fn row(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, StoreError> {
        on!(self, c => async {
            let st = c.prepare_cached(sql).await?;
            c.query_opt(&st, params).await
        })
        .map_err(StoreError::from)
    }

    /// The first column of at most one row.
    pub fn opt<T>(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<T>, StoreError>
    where
        T: for<'r> FromSql<'r>,
    {
        self.row(sql, params)?.map(|r| get(&r, 0)).transpose()
    }

    /// The first column of exactly one row.
    pub fn one<T>(&self, sql: &str, params: &[Param<'_>]) -> Result<T, StoreError>
    where
        T: for<'r> FromSql<'r>,
    {
        self.opt(sql, params)?.ok_or(StoreError::Corrupt(
            "a query that returns one row returned none",
        ))
    }

    /// Rows changed.
    pub fn exec(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        on!(self, c => async {
            let st = c.prepare_cached(sql).await?;
            c.execute(&st, params).await
        })
        .map_err(StoreError::from)
    }

    /// Several statements without parameters (schema changes).
    pub fn batch(&self, sql: &str) -> Result<(), StoreError> {
        on!(self, c => c.batch_execute(sql)).map_err(StoreError::from)
    }
}

/// Column `i` of a row, typed.
pub fn get<T>(row: &Row, i: usize) -> Result<T, StoreError>
where
    T: for<'r> FromSql<'r>,
{
    row.try_get(i).map_err(StoreError::from)
}

/// Whether an error is a unique or foreign-key violation.
pub fn is_constraint(e: &StoreError) -> bool {
    use tokio_postgres::error::SqlState;
    matches!(e, StoreError::Postgres(e) if matches!(e.code(),
        Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::FOREIGN_KEY_VIOLATION))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Many synchronous store calls made from inside one tokio task, in one
    /// poll, as a server does while it opens its store in `start`: each must
    /// finish. Before [`block_on`] left tokio's budget, the 129th spun at
    /// 100% CPU for ever (the PostgreSQL backup tests hung that way).
    #[test]
    fn many_calls_inside_one_tokio_task_all_finish() {
        let Ok(cluster) = std::env::var("NIGHTROUND_TEST_PG") else {
            eprintln!("\n*** SKIPPED: NIGHTROUND_TEST_PG is not set (scripts/pg.sh) ***\n");
            return;
        };
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let n = rt.block_on(async move {
                let pg = Pg::connect(&cluster, 2).unwrap();
                let mut n = 0;
                for _ in 0..400 {
                    pg.read(|db| db.exec("SELECT 1", &[])).unwrap();
                    n += 1;
                }
                n
            });
            let _ = done.send(n);
        });
        assert_eq!(
            finished.recv_timeout(Duration::from_secs(120)),
            Ok(400),
            "400 store calls inside one tokio task did not all finish"
        );
    }
}
