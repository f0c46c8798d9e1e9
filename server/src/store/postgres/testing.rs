//! Helpers for tests that run against PostgreSQL: a fresh database per test
//! on a throw-away cluster (`scripts/pg.sh`), and plain SQL on it, so one
//! test body can look inside either backend.

use super::db::Pg;
use crate::store::StoreError;
use std::path::Path;

/// Creates an empty database on the cluster of `admin_url` and returns its
/// URL.
pub fn create_database(admin_url: &str) -> Result<String, StoreError> {
    let name = format!("nr_test_{}", uuid::Uuid::now_v7().simple());
    let pg = Pg::connect(admin_url, 1)?;
    pg.simple(&format!("CREATE DATABASE {name}"))?;
    with_database_name(admin_url, &name)
        .ok_or(StoreError::Config("the PostgreSQL URL names no database"))
}

/// `url` with its database name replaced by `name` (query string kept).
pub fn with_database_name(url: &str, name: &str) -> Option<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://")? + 3;
    let slash = base[after_scheme..].find('/').map(|i| i + after_scheme);
    let host_part = match slash {
        Some(i) => &base[..i],
        None => base,
    };
    Some(match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    })
}

/// Runs `sql` (one or more statements, no parameters) and returns the rows
/// as text.
pub fn query(url: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    Pg::connect(url, 1)?.simple(sql)
}

/// Every row of every table as `table: {json}`, sorted: equal dumps mean
/// nothing changed. `skip_sync_times` leaves out devices' last sync.
pub fn dump(url: &str, skip_sync_times: bool) -> Result<Vec<String>, StoreError> {
    let pg = Pg::connect(url, 1)?;
    let tables = pg.simple(
        "SELECT table_name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )?;
    let mut out = Vec::new();
    for t in tables
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
    {
        let drop = if skip_sync_times && t == "devices" {
            " - 'last_sync_at'"
        } else {
            ""
        };
        for row in pg.simple(&format!("SELECT (to_jsonb(x){drop})::text FROM {t} x"))? {
            let json = row.into_iter().next().flatten().unwrap_or_default();
            out.push(format!("{t}: {json}"));
        }
    }
    out.sort();
    Ok(out)
}

/// The database a test server on data directory `dir` uses: `None` (the
/// SQLite file) unless `NIGHTROUND_TEST_BACKEND=postgres`, then a fresh
/// database on the cluster of `NIGHTROUND_TEST_PG` (started by
/// `scripts/pg.sh`), made on the first call for `dir` and remembered in it,
/// so a restarted server opens the same one.
pub fn test_database(dir: &Path) -> Result<Option<String>, StoreError> {
    if std::env::var("NIGHTROUND_TEST_BACKEND").as_deref() != Ok("postgres") {
        return Ok(None);
    }
    let Ok(cluster) = std::env::var("NIGHTROUND_TEST_PG") else {
        return Err(StoreError::Config(
            "NIGHTROUND_TEST_BACKEND=postgres needs NIGHTROUND_TEST_PG (run the tests \
             through scripts/pg.sh)",
        ));
    };
    let remembered = dir.join("test-postgres-url");
    if let Ok(url) = std::fs::read_to_string(&remembered) {
        return Ok(Some(url));
    }
    let url = create_database(&cluster)?;
    std::fs::write(&remembered, &url)
        .map_err(|_| StoreError::Config("could not note the test database's URL"))?;
    Ok(Some(url))
}

/// Runs `sql` on whichever backend a test server uses (the PostgreSQL
/// database `database`, else the SQLite file at `sqlite_path`) and returns
/// the rows as text (NULL as an empty string). Statements that are not a
/// `SELECT` return no rows.
pub fn sql_either(
    database: Option<&str>,
    sqlite_path: &Path,
    sql: &str,
) -> Result<Vec<Vec<String>>, StoreError> {
    if let Some(url) = database {
        return Ok(query(url, sql)?
            .into_iter()
            .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
            .collect());
    }
    let conn = rusqlite::Connection::open(sqlite_path)?;
    if !sql.trim_start().to_ascii_uppercase().starts_with("SELECT") {
        conn.execute_batch(sql)?;
        return Ok(Vec::new());
    }
    let mut st = conn.prepare(sql)?;
    let n = st.column_count();
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut cells = Vec::with_capacity(n);
        for i in 0..n {
            use rusqlite::types::ValueRef;
            cells.push(match row.get_ref(i)? {
                ValueRef::Null => String::new(),
                ValueRef::Integer(v) => v.to_string(),
                ValueRef::Real(v) => v.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Blob(b) => crate::store::audit_chain::hex(b),
            });
        }
        out.push(cells);
    }
    Ok(out)
}
