//! The vault's schema, and every migration, in one place.
//!
//! A fresh vault is created at the latest version in one step; an older one
//! is upgraded step by step. A test checks that both paths give the same
//! schema. The version lives in SQLite's `user_version`; a file from a newer
//! app is refused rather than guessed at.
//!
//! Plaintext columns hold only what indexing and sync need: ids, kinds,
//! times, sync state, and keyed hashes. Everything a person said is in `body`,
//! sealed (see `crypto::envelope`).

use crate::error::{CoreError, Result};
use rusqlite::Connection;

/// The schema this code writes.
pub const LATEST: u32 = 8;

/// The whole schema at [`LATEST`], for a new vault.
const CREATE_LATEST: &str = "
CREATE TABLE vault_info (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    vault_id       TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    node_id        TEXT NOT NULL,
    failed_unlocks INTEGER NOT NULL DEFAULT 0,
    live_after     INTEGER NOT NULL DEFAULT 0,
    unlock_started_at   INTEGER,
    interrupted_unlocks INTEGER NOT NULL DEFAULT 0,
    unlock_not_before   INTEGER,
    lock_idle_seconds   INTEGER,
    lock_max_failed     INTEGER
);
CREATE TABLE vault_keys (
    key_id     INTEGER PRIMARY KEY,
    kdf        TEXT NOT NULL,
    salt       BLOB NOT NULL,
    nonce      BLOB NOT NULL,
    wrapped    BLOB NOT NULL,
    checksum   BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE sealed_meta (
    name    TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    body    BLOB NOT NULL
);
CREATE TABLE records (
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     TEXT NOT NULL,
    key_id      INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,
    person_ref  BLOB,
    due_at      INTEGER,
    alert_until INTEGER,
    is_open     INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0,
    body        BLOB,
    sync_state  INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX records_by_time ON records (kind, occurred_at);
CREATE INDEX records_by_person ON records (person_ref, kind, occurred_at) WHERE person_ref IS NOT NULL;
CREATE INDEX records_open_by_due ON records (kind, due_at) WHERE is_open = 1;
CREATE INDEX records_alerts ON records (alert_until) WHERE alert_until IS NOT NULL;
CREATE TABLE record_history (
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     TEXT NOT NULL,
    key_id      INTEGER NOT NULL,
    body        BLOB,
    replaced_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id, version)
) WITHOUT ROWID;
CREATE TABLE outbox (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    kind               TEXT NOT NULL,
    id                 TEXT NOT NULL,
    version            TEXT NOT NULL,
    tombstone          INTEGER NOT NULL,
    queued_at          INTEGER NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    quarantined_reason TEXT,
    sealed_copy        BLOB,
    priority           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, id, version)
);
CREATE TABLE sealed_outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    id        TEXT NOT NULL,
    version   TEXT NOT NULL,
    sealed    BLOB NOT NULL,
    queued_at INTEGER NOT NULL,
    UNIQUE (kind, id, version)
);
CREATE TABLE duress (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    kdf       TEXT NOT NULL,
    salt      BLOB NOT NULL,
    package   BLOB NOT NULL
);
CREATE TABLE delivery (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    salt      BLOB NOT NULL,
    package   BLOB NOT NULL
);
CREATE TABLE keystore_garbage (
    name TEXT PRIMARY KEY
);
";

/// Upgrades, in order: `UPGRADES[i]` takes a vault from version `i + 1` to `i + 2`.
const UPGRADES: &[&str] = &[
    // 1 -> 2: the failed-unlock counter, and per-entry outbox retries and
    // quarantine so that one bad record cannot block the queue.
    "
    ALTER TABLE vault_info ADD COLUMN failed_unlocks INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN quarantined_reason TEXT;
    ",
    // 2 -> 3: the clock is recovered from stored versions instead of being
    // written on every change; a person's records are found by kind too
    // (measured: the old index made a timeline read every contact).
    "
    ALTER TABLE vault_info DROP COLUMN hlc_physical;
    ALTER TABLE vault_info DROP COLUMN hlc_logical;
    DROP INDEX records_by_person;
    CREATE INDEX records_by_person ON records (person_ref, kind, occurred_at) WHERE person_ref IS NOT NULL;
    ",
    // 3 -> 4: each outbox entry keeps a copy sealed to the server's public
    // key; a shred hands those copies on (sealed_outbox) to be delivered;
    // the duress PIN's package; what a shred after too many wrong PINs needs
    // to deliver them (ADR 0003).
    "
    ALTER TABLE outbox ADD COLUMN sealed_copy BLOB;
    CREATE TABLE sealed_outbox (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        kind      TEXT NOT NULL,
        id        TEXT NOT NULL,
        version   TEXT NOT NULL,
        sealed    BLOB NOT NULL,
        queued_at INTEGER NOT NULL,
        UNIQUE (kind, id, version)
    );
    CREATE TABLE duress (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        kdf       TEXT NOT NULL,
        salt      BLOB NOT NULL,
        package   BLOB NOT NULL
    );
    CREATE TABLE delivery (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        salt      BLOB NOT NULL,
        package   BLOB NOT NULL
    );
    ",
    // 4 -> 5: check-ins and help calls go ahead of everything else waiting
    // (ADR 0004).
    "
    ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
    ",
    // 5 -> 6: where a locked phone's live channel listens from (a server
    // sequence number, in plain: the pull cursor itself stays sealed).
    "
    ALTER TABLE vault_info ADD COLUMN live_after INTEGER NOT NULL DEFAULT 0;
    ",
    // 6 -> 7: an unlock cut off before its PIN was checked is told apart from
    // a wrong PIN (it costs a wait, never the vault); keystore entries that
    // may have been left behind (a PIN change killed half-way) are listed so
    // the next open and a wipe destroy them.
    "
    ALTER TABLE vault_info ADD COLUMN unlock_started_at INTEGER;
    ALTER TABLE vault_info ADD COLUMN interrupted_unlocks INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE vault_info ADD COLUMN unlock_not_before INTEGER;
    CREATE TABLE keystore_garbage (
        name TEXT PRIMARY KEY
    );
    ",
    // 7 -> 8: the lock policy (idle timeout, wrong-PIN limit) is kept in the
    // file, beside the counters it governs, so that it survives a restart
    // and is known before the PIN is checked; NULL means the default.
    "
    ALTER TABLE vault_info ADD COLUMN lock_idle_seconds INTEGER;
    ALTER TABLE vault_info ADD COLUMN lock_max_failed INTEGER;
    ",
];

/// Sets the connection up the way every vault connection must be.
pub fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(CoreError::Storage("WAL journal unavailable".into()));
    }
    // A contact logged in the dark must survive the battery dying a second later.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Freed pages are zeroed, and temporary data never touches the disk.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Whether the file holds a vault, found without writing to it: an empty
/// file, or a database without the vault's table, is not one. A file that is
/// not a database at all fails as damaged storage.
pub fn is_vault(conn: &Connection) -> Result<bool> {
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'vault_info'",
        [],
        |r| r.get(0),
    )?;
    Ok(tables == 1)
}

/// The schema version a file is at.
pub fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings a vault file to [`LATEST`]: creates it when empty, upgrades it when
/// older, refuses it when newer. Each step commits with its version number.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(CoreError::SchemaTooNew {
            found,
            known: LATEST,
        });
    }
    if found == 0 {
        let tx = conn.transaction()?;
        tx.execute_batch(CREATE_LATEST)?;
        tx.pragma_update(None, "user_version", LATEST)?;
        tx.commit()?;
        return Ok(());
    }
    for v in found..LATEST {
        let tx = conn.transaction()?;
        tx.execute_batch(UPGRADES[(v - 1) as usize])?;
        tx.pragma_update(None, "user_version", v + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The schema as version 1 shipped it, frozen here for the upgrade test.
    pub(crate) const HISTORICAL_V1: &str = "
    CREATE TABLE vault_info (
        singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
        vault_id     TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        node_id      TEXT NOT NULL,
        hlc_physical INTEGER NOT NULL DEFAULT 0,
        hlc_logical  INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE vault_keys (
        key_id     INTEGER PRIMARY KEY,
        kdf        TEXT NOT NULL,
        salt       BLOB NOT NULL,
        nonce      BLOB NOT NULL,
        wrapped    BLOB NOT NULL,
        checksum   BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE sealed_meta (name TEXT PRIMARY KEY, version TEXT NOT NULL, body BLOB NOT NULL);
    CREATE TABLE records (
        kind TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL, key_id INTEGER NOT NULL,
        occurred_at INTEGER NOT NULL, person_ref BLOB, due_at INTEGER, alert_until INTEGER,
        is_open INTEGER, deleted INTEGER NOT NULL DEFAULT 0, body BLOB, sync_state INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
    ) WITHOUT ROWID;
    CREATE INDEX records_by_time ON records (kind, occurred_at);
    CREATE INDEX records_by_person ON records (person_ref, occurred_at) WHERE person_ref IS NOT NULL;
    CREATE INDEX records_open_by_due ON records (kind, due_at) WHERE is_open = 1;
    CREATE INDEX records_alerts ON records (alert_until) WHERE alert_until IS NOT NULL;
    CREATE TABLE record_history (
        kind TEXT NOT NULL, id TEXT NOT NULL, version TEXT NOT NULL, key_id INTEGER NOT NULL,
        body BLOB, replaced_at INTEGER NOT NULL, PRIMARY KEY (kind, id, version)
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id TEXT NOT NULL,
        version TEXT NOT NULL, tombstone INTEGER NOT NULL, queued_at INTEGER NOT NULL,
        UNIQUE (kind, id, version)
    );
    PRAGMA user_version = 1;
    ";

    /// Every table's columns and every index, in a comparable form.
    pub(crate) fn describe(conn: &Connection) -> Vec<String> {
        let mut out = Vec::new();
        let mut tables = conn
            .prepare(
                "SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .unwrap();
        let names: Vec<(String, String)> = tables
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for (name, ty) in names {
            if ty == "table" {
                let mut cols = conn.prepare(&format!("PRAGMA table_info({name})")).unwrap();
                let mut described: Vec<String> = cols
                    .query_map([], |r| {
                        Ok(format!(
                            "{name}.{}:{}:{}:{:?}:{}",
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, i64>(5)?
                        ))
                    })
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                described.sort();
                out.extend(described);
            } else {
                let sql: Option<String> = conn
                    .query_row(
                        "SELECT sql FROM sqlite_master WHERE name = ?1",
                        [&name],
                        |r| r.get(0),
                    )
                    .unwrap();
                out.push(format!(
                    "{ty} {name}: {}",
                    sql.unwrap_or_default()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
        }
        out
    }

    #[test]
    fn upgraded_v1_equals_fresh() {
        let mut fresh = Connection::open_in_memory().unwrap();
        migrate(&mut fresh).unwrap();
        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(HISTORICAL_V1).unwrap();
        old.execute(
            "INSERT INTO outbox (kind, id, version, tombstone, queued_at) VALUES ('contact', 'x', 'v', 0, 1)",
            [],
        )
        .unwrap();
        migrate(&mut old).unwrap();
        assert_eq!(version(&old).unwrap(), LATEST);
        assert_eq!(describe(&old), describe(&fresh));
        let attempts: i64 = old
            .query_row("SELECT attempts FROM outbox WHERE id = 'x'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            attempts, 0,
            "existing rows survive the upgrade with defaults"
        );
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        assert_eq!(
            migrate(&mut conn),
            Err(CoreError::SchemaTooNew {
                found: LATEST + 1,
                known: LATEST
            })
        );
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let before = describe(&conn);
        migrate(&mut conn).unwrap();
        assert_eq!(describe(&conn), before);
    }
}
