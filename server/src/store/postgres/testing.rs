//! Helpers for tests that run against PostgreSQL: a fresh database per test
//! on a throw-away cluster (`scripts/pg.sh`), and plain SQL on it, so one
//! test body can look inside either backend.

use super::db::Pg;
use crate::store::StoreError;

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
