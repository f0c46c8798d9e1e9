//! Moving a deployment from SQLite to PostgreSQL: every table copied row by
//! row in one PostgreSQL transaction, with sequence numbers, devices, the
//! audit chain (its values as stored, so it verifies unchanged) and sealed
//! bodies (copied sealed: the record key never changes) exactly as they were.
//!
//! The copy is driven by the SQLite schema: every table it has is copied
//! into the PostgreSQL table of the same name, each value converted to that
//! column's type, so a table added to both schemas is copied without a
//! change here (the schema test keeps the two schemas' tables and columns
//! equal). The target must be empty: nothing is merged.

use super::dashboard::{AuditVerification, DashboardStore};
use super::postgres::db::{Db, Param};
use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::StoreError;
use nightround_core::crypto::DataKey;
use nightround_core::Timestamp;
use rusqlite::types::ValueRef;
use rusqlite::OptionalExtension;
use std::path::Path;
use tokio_postgres::types::ToSql;

/// Rows copied per table, in copy order, and the audit chain as verified
/// on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
    /// The same on SQLite and on PostgreSQL, or the copy is refused.
    pub audit: AuditVerification,
}

/// Tables others refer to, copied first; the rest follow in name order.
const FIRST: [&str; 3] = ["organisations", "workers", "devices"];

/// Copies the SQLite database at `sqlite_path` into the empty PostgreSQL
/// database at `url`, both under `key`. Stop the server first: rows written
/// to SQLite during the copy would be left behind.
pub fn sqlite_to_postgres(
    sqlite_path: &Path,
    url: &str,
    key: DataKey,
    now: Timestamp,
) -> Result<CopyReport, StoreError> {
    if !sqlite_path.exists() {
        return Err(StoreError::Config("there is no SQLite database to copy"));
    }
    // Brings the file to the latest schema and checks it is under this key;
    // chains any pending audit entries, so the copy carries every value.
    let source = SqliteStore::open(sqlite_path, key.clone(), now)?;
    let source_audit = source.verify_audit()?;
    drop(source);
    let lite = rusqlite::Connection::open(sqlite_path)?;
    let target = PgStore::open(url, key, now)?;
    let mut tables: Vec<String> = lite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    tables.retain(|t| t != "server_meta" && !t.starts_with("sqlite_"));
    tables.sort_by_key(|t| {
        (
            FIRST.iter().position(|f| f == t).unwrap_or(FIRST.len()),
            t.clone(),
        )
    });

    let copied = target.with_db(|db| {
        let used: bool = db.one(
            "SELECT EXISTS (SELECT 1 FROM organisations)
                 OR EXISTS (SELECT 1 FROM records) OR EXISTS (SELECT 1 FROM audit_log)",
            &[],
        )?;
        if used {
            return Err(StoreError::Config(
                "the PostgreSQL database already holds data; copy into an empty one",
            ));
        }
        // The copy writes the logs as they were: no trigger adds to them.
        db.batch(
            "ALTER TABLE applied_versions DISABLE TRIGGER audit_applied_versions;
             ALTER TABLE records DISABLE TRIGGER records_notify_urgent;
             ALTER TABLE records DISABLE TRIGGER record_seqs_log;
             DELETE FROM directory;",
        )?;
        let mut report = Vec::new();
        for table in &tables {
            let n = copy_table(&lite, db, table)?;
            let source: i64 =
                lite.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
            let copied: i64 = db.one(&format!("SELECT COUNT(*) FROM {table}"), &[])?;
            if u64::try_from(source).ok() != Some(n) || copied != source {
                return Err(StoreError::Config(
                    "a table's copy does not hold as many rows as SQLite's; nothing was copied",
                ));
            }
            report.push((table.clone(), n));
        }
        // The server's own rows: the sequence counter (a number) and the
        // partnership's settings (bytes); the key check stays the target's.
        let mut st =
            lite.prepare("SELECT name, value FROM server_meta WHERE name != 'key_check'")?;
        let mut rows = st.query([])?;
        while let Some(row) = rows.next()? {
            let name: String = row.get(0)?;
            match row.get_ref(1)? {
                ValueRef::Integer(n) => db.exec(
                    "INSERT INTO server_meta (name, num) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET num = excluded.num, value = NULL",
                    &[&name, &n],
                )?,
                ValueRef::Blob(b) => db.exec(
                    "INSERT INTO server_meta (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value, num = NULL",
                    &[&name, &b],
                )?,
                ValueRef::Text(t) => db.exec(
                    "INSERT INTO server_meta (name, value) VALUES ($1, $2)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value, num = NULL",
                    &[&name, &t],
                )?,
                _ => return Err(StoreError::Corrupt("a server_meta value")),
            };
        }
        // Identity columns continue after the copied values.
        for (table, column) in [("audit_log", "seq"), ("record_history", "entry")] {
            db.batch(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                     COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
            ))?;
        }
        let source_seq: Option<i64> = lite
            .query_row(
                "SELECT value FROM server_meta WHERE name = 'last_seq'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let copied_seq: Option<i64> = db
            .opt("SELECT num FROM server_meta WHERE name = 'last_seq'", &[])?
            .flatten();
        if source_seq.unwrap_or(0) != copied_seq.unwrap_or(0) {
            return Err(StoreError::Config(
                "the copied sequence counter is not SQLite's; nothing was copied",
            ));
        }
        db.batch(
            "ALTER TABLE applied_versions ENABLE TRIGGER audit_applied_versions;
             ALTER TABLE records ENABLE TRIGGER records_notify_urgent;
             ALTER TABLE records ENABLE TRIGGER record_seqs_log;",
        )?;
        Ok(report)
    })?;
    // Recomputed on PostgreSQL with the one MAC both backends use.
    let audit = target.verify_audit()?;
    if audit != source_audit {
        return Err(StoreError::Config(
            "the copied audit chain does not verify as SQLite's does; drop the PostgreSQL \
             database and copy again",
        ));
    }
    Ok(CopyReport {
        tables: copied,
        audit,
    })
}

/// One value for a PostgreSQL column of type `pg_type`.
fn convert(v: ValueRef<'_>, pg_type: &str) -> Result<Box<dyn ToSql + Sync>, StoreError> {
    let bad = StoreError::Corrupt("a value that does not fit its PostgreSQL column");
    Ok(match (v, pg_type) {
        (ValueRef::Null, "bigint") => Box::new(None::<i64>),
        (ValueRef::Null, "integer") => Box::new(None::<i32>),
        (ValueRef::Null, "boolean") => Box::new(None::<bool>),
        (ValueRef::Null, "bytea") => Box::new(None::<Vec<u8>>),
        (ValueRef::Null, _) => Box::new(None::<String>),
        (ValueRef::Integer(i), "bigint") => Box::new(i),
        (ValueRef::Integer(i), "integer") => Box::new(i32::try_from(i).map_err(|_| bad)?),
        (ValueRef::Integer(i), "boolean") => Box::new(i != 0),
        (ValueRef::Integer(i), "text") => Box::new(i.to_string()),
        (ValueRef::Text(t), "text") => Box::new(
            std::str::from_utf8(t)
                .map_err(|_| StoreError::Corrupt("text that is not UTF-8"))?
                .to_owned(),
        ),
        (ValueRef::Blob(b), "bytea") => Box::new(b.to_vec()),
        _ => return Err(bad),
    })
}

fn copy_table(lite: &rusqlite::Connection, db: &Db<'_>, table: &str) -> Result<u64, StoreError> {
    let pg_columns: Vec<(String, String)> = db
        .query(
            "SELECT column_name, data_type FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1",
            &[&table],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, tokio_postgres::Error>>()?;
    if pg_columns.is_empty() {
        return Err(StoreError::Config(
            "the PostgreSQL schema lacks a table the SQLite database has",
        ));
    }
    let mut st = lite.prepare(&format!("SELECT * FROM {table}"))?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let types: Vec<String> = names
        .iter()
        .map(|n| {
            pg_columns
                .iter()
                .find(|(c, _)| c == n)
                .map(|(_, t)| t.clone())
                .ok_or(StoreError::Config(
                    "the PostgreSQL schema lacks a column the SQLite database has",
                ))
        })
        .collect::<Result<_, _>>()?;
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({}) OVERRIDING SYSTEM VALUE VALUES ({})",
        names.join(", "),
        placeholders.join(", ")
    );
    let mut rows = st.query([])?;
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        let values = (0..names.len())
            .map(|i| convert(row.get_ref(i)?, &types[i]))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let params: Vec<Param<'_>> = values.iter().map(|v| v.as_ref() as Param<'_>).collect();
        db.exec(&insert, &params)?;
        n += 1;
    }
    Ok(n)
}
