//! The PostgreSQL database's schema, and every migration, in one place (the
//! same tables, plaintext columns and indexes as the SQLite schema in
//! `store/schema.rs`, in PostgreSQL's types).
//!
//! A new database is created at [`LATEST`] in one step; an older one is
//! upgraded step by step (`UPGRADES[i]` takes version `i + 1` to `i + 2`).
//! The version lives in `nightround_schema`; a database from a newer server
//! is refused rather than guessed at. Migrations run under an advisory lock,
//! so two server processes starting together do not both create the schema.
//!
//! An urgent record (one with an alert end: a help call, a raised round, a
//! team alert) notifies `nightround_urgent` when it is stored, whichever
//! process stored it; every server process listens and wakes its devices on
//! the live channel (the payload is the sequence number, nothing else).
//!
//! Times are milliseconds since the epoch (BIGINT), as in SQLite, so both
//! backends share row mapping and the copy between them is exact. Record
//! bodies and history values are sealed (BYTEA) under the record key, which
//! stays in the data directory, outside the database.

use super::db::{Db, LOCK_MIGRATE};
use crate::store::StoreError;

/// The schema this code writes. (Version 1 is the SQLite schema 5 of the
/// same release: PostgreSQL support began there; version 3 has SQLite
/// schema 9's tables, columns and indexes, version 4 SQLite's 10, version 5
/// SQLite's 11, version 7 keeps the dashboard's indexes as SQLite's 10
/// does.)
pub const LATEST: i32 = 7;

/// The whole schema at [`LATEST`], for a new database.
pub(super) const CREATE_LATEST: &str = "
CREATE TABLE server_meta (
    name  TEXT PRIMARY KEY,
    value BYTEA,
    num   BIGINT
);
CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE workers (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    agency_id       TEXT,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    worker_id    TEXT NOT NULL REFERENCES workers (id),
    name         TEXT NOT NULL,
    token_hash   BYTEA NOT NULL UNIQUE,
    enrolled_at  BIGINT NOT NULL,
    last_sync_at BIGINT,
    revoked_at   BIGINT
);
CREATE TABLE enrolment_codes (
    code_hash  BYTEA PRIMARY KEY,
    worker_id  TEXT NOT NULL REFERENCES workers (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    device_id  TEXT
);
CREATE TABLE directory (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    revision   BIGINT NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE records (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    version          TEXT NOT NULL,
    seq              BIGINT NOT NULL UNIQUE,
    organisation_id  TEXT NOT NULL,
    author_worker_id TEXT NOT NULL,
    person_id        TEXT,
    agency_id        TEXT,
    alert_until      BIGINT,
    consent_until    BIGINT,
    tombstone        BOOLEAN NOT NULL,
    key_id           BIGINT,
    body             BYTEA,
    device_id        TEXT
);
CREATE INDEX records_by_person ON records (person_id, kind) WHERE person_id IS NOT NULL;
CREATE FUNCTION notify_urgent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nightround_urgent', NEW.seq::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER records_notify_urgent AFTER INSERT OR UPDATE ON records
    FOR EACH ROW WHEN (NEW.alert_until IS NOT NULL AND NOT NEW.tombstone)
    EXECUTE FUNCTION notify_urgent();
CREATE TABLE record_history (
    entry       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    field       TEXT,
    version     TEXT NOT NULL,
    key_id      BIGINT NOT NULL,
    value       BYTEA NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX record_history_by_record ON record_history (id);
CREATE TABLE applied_versions (
    id         TEXT NOT NULL,
    version    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE TABLE duress_reports (
    device_id   TEXT NOT NULL REFERENCES devices (id),
    reported_at BIGINT NOT NULL
);
CREATE TABLE dashboard_accounts (
    worker_id       TEXT PRIMARY KEY REFERENCES workers (id),
    username        TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT,
    last_sign_in_at BIGINT
);
CREATE UNIQUE INDEX dashboard_accounts_username ON dashboard_accounts (lower(username));
CREATE TABLE dashboard_sessions (
    token_hash   BYTEA PRIMARY KEY,
    worker_id    TEXT NOT NULL REFERENCES workers (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE TABLE audit_log (
    seq     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT,
    mac     BYTEA
);
CREATE FUNCTION audit_applied_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (at, actor, action, subject, detail)
    VALUES (NEW.applied_at, 'device:' || NEW.device_id, 'sync_change', NEW.id, NEW.version);
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_applied_versions AFTER INSERT ON applied_versions
    FOR EACH ROW EXECUTE FUNCTION audit_applied_versions();
CREATE TABLE referral_escalations (
    referral_id TEXT NOT NULL,
    worker_id   TEXT NOT NULL REFERENCES workers (id),
    at          BIGINT NOT NULL
);
CREATE TABLE round_watch (
    round_id        TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    worker_id       TEXT NOT NULL,
    buddy_worker_id TEXT,
    area_id         TEXT,
    started_at      BIGINT NOT NULL,
    watch_from      BIGINT NOT NULL,
    expected_end    BIGINT NOT NULL,
    interval_ms     BIGINT NOT NULL,
    ended_at        BIGINT,
    raised          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX round_watch_open ON round_watch (raised) WHERE ended_at IS NULL;
CREATE TABLE check_in_log (
    id       TEXT PRIMARY KEY,
    round_id TEXT,
    made_at  BIGINT NOT NULL,
    help     BOOLEAN NOT NULL
);
CREATE INDEX check_in_log_by_round ON check_in_log (round_id, made_at);
CREATE TABLE safety_escalations (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    worker_id       TEXT NOT NULL,
    buddy_worker_id TEXT,
    reason          TEXT,
    area_id         TEXT,
    raised_at       BIGINT NOT NULL,
    last_heard_at   BIGINT NOT NULL,
    state           TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at BIGINT,
    changed_at      BIGINT NOT NULL
);
CREATE INDEX safety_escalations_open ON safety_escalations (organisation_id, raised_at)
    WHERE acknowledged_at IS NULL;
CREATE TABLE safety_seen (
    id        TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    at        BIGINT NOT NULL,
    PRIMARY KEY (id, worker_id)
);
CREATE TABLE partnership_admins (
    worker_id  TEXT PRIMARY KEY REFERENCES workers (id),
    granted_at BIGINT NOT NULL
);
CREATE TABLE sign_in_failures (
    username       TEXT NOT NULL,
    client         TEXT NOT NULL,
    failures       BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL,
    blocked_until  BIGINT,
    PRIMARY KEY (username, client)
);
CREATE TABLE deliveries (
    device_id      TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    person_id      TEXT,
    version        TEXT NOT NULL,
    route          TEXT NOT NULL,
    conditional    BOOLEAN NOT NULL,
    categories     TEXT,
    withheld       TEXT,
    first_at       BIGINT NOT NULL,
    delivered_at   BIGINT NOT NULL,
    retracted_at   BIGINT,
    retract_fields TEXT,
    retract_cursor BIGINT,
    PRIMARY KEY (device_id, record_id)
);
CREATE INDEX deliveries_under_review ON deliveries (device_id) WHERE conditional;
CREATE INDEX deliveries_by_person ON deliveries (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX deliveries_by_record ON deliveries (record_id);
CREATE TABLE legal_holds (
    person_id TEXT PRIMARY KEY,
    placed_at BIGINT NOT NULL
);
CREATE INDEX records_by_kind ON records (kind, seq);
CREATE INDEX applied_versions_by_time ON applied_versions (applied_at);
CREATE TABLE IF NOT EXISTS profile_links (
    id          TEXT PRIMARY KEY,
    person_a    TEXT NOT NULL,
    person_b    TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    unlinked_by TEXT,
    unlinked_at BIGINT,
    CHECK (person_a < person_b)
);
CREATE UNIQUE INDEX IF NOT EXISTS profile_links_live ON profile_links (person_a, person_b)
    WHERE unlinked_at IS NULL;
CREATE INDEX IF NOT EXISTS profile_links_by_b ON profile_links (person_b);
CREATE TABLE IF NOT EXISTS contact_index (
    contact_id      TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    person_id       TEXT,
    at              BIGINT NOT NULL,
    round           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contact_index_by_person ON contact_index (person_id, at, organisation_id)
    WHERE person_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS contact_index_by_round ON contact_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS supply_index (
    record_id       TEXT NOT NULL,
    item_id         TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    round           TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    PRIMARY KEY (record_id, item_id)
);
CREATE INDEX IF NOT EXISTS supply_index_by_round ON supply_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS referral_index (
    referral_id     TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    agency_id       TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    open            BOOLEAN NOT NULL,
    awaiting        BOOLEAN NOT NULL,
    due_at          BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS referral_index_due ON referral_index (organisation_id, awaiting, due_at);
CREATE INDEX IF NOT EXISTS records_by_organisation ON records (organisation_id, seq);
CREATE INDEX IF NOT EXISTS records_by_author ON records (author_worker_id, seq);
CREATE INDEX IF NOT EXISTS records_by_alert ON records (alert_until) WHERE alert_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_consents_in_force ON records (consent_until, person_id)
    WHERE kind = 'consent' AND NOT tombstone;
CREATE TABLE IF NOT EXISTS record_seqs (
    seq     BIGINT PRIMARY KEY,
    id      TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_seqs_by_record ON record_seqs (id);
CREATE TABLE IF NOT EXISTS delivery_pages (
    device_id         TEXT NOT NULL,
    first_seq         BIGINT NOT NULL,
    last_seq          BIGINT NOT NULL,
    organisation_runs TEXT NOT NULL,
    own_runs          TEXT NOT NULL,
    at                BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_pages_by_last ON delivery_pages (last_seq);
CREATE OR REPLACE FUNCTION record_seqs_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO record_seqs (seq, id, version) VALUES (NEW.seq, NEW.id, NEW.version)
        ON CONFLICT (seq) DO NOTHING;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS record_seqs_log ON records;
CREATE TRIGGER record_seqs_log AFTER INSERT OR UPDATE OF seq ON records
    FOR EACH ROW EXECUTE FUNCTION record_seqs_log();
CREATE OR REPLACE FUNCTION dashboard_index_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM contact_index WHERE contact_id = OLD.id;
    DELETE FROM supply_index WHERE record_id = OLD.id;
    DELETE FROM referral_index WHERE referral_id = OLD.id;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS contact_index_tombstone ON records;
CREATE TRIGGER contact_index_tombstone AFTER UPDATE OF tombstone ON records
    FOR EACH ROW WHEN (NEW.tombstone) EXECUTE FUNCTION dashboard_index_forget();
DROP TRIGGER IF EXISTS contact_index_delete ON records;
CREATE TRIGGER contact_index_delete AFTER DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION dashboard_index_forget();
";

/// Upgrades, in order. Empty until the PostgreSQL schema first changes;
/// each one must leave what [`CREATE_LATEST`] makes (the test below checks).
pub(super) const UPGRADES: &[&str] = &[
    // 1 -> 2: what SQLite's 5 -> 8 added: protocol v2's device per stored
    // version and deliveries (ADR 0009), the dashboard's indexes, legal
    // holds. Push writes `device_id` and the pull `deliveries` (the shared
    // store/pull/, issue 12).
    "
    ALTER TABLE records ADD COLUMN device_id TEXT;
    UPDATE records SET device_id = (SELECT a.device_id FROM applied_versions a
        WHERE a.id = records.id AND a.version = records.version);
CREATE TABLE deliveries (
    device_id      TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    person_id      TEXT,
    version        TEXT NOT NULL,
    route          TEXT NOT NULL,
    conditional    BOOLEAN NOT NULL,
    categories     TEXT,
    withheld       TEXT,
    first_at       BIGINT NOT NULL,
    delivered_at   BIGINT NOT NULL,
    retracted_at   BIGINT,
    retract_fields TEXT,
    retract_cursor BIGINT,
    PRIMARY KEY (device_id, record_id)
);
CREATE INDEX deliveries_under_review ON deliveries (device_id) WHERE conditional;
CREATE INDEX deliveries_by_person ON deliveries (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX deliveries_by_record ON deliveries (record_id);
CREATE TABLE legal_holds (
    person_id TEXT PRIMARY KEY,
    placed_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind, seq);
CREATE INDEX IF NOT EXISTS applied_versions_by_time ON applied_versions (applied_at);
    ",
    // 2 -> 3: what SQLite's 8 -> 9 added: profile links (issue 14, ADR
    // 0013). The store does not use them yet (issue 12).
    "
CREATE TABLE IF NOT EXISTS profile_links (
    id          TEXT PRIMARY KEY,
    person_a    TEXT NOT NULL,
    person_b    TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    linked_at   BIGINT NOT NULL,
    unlinked_by TEXT,
    unlinked_at BIGINT,
    CHECK (person_a < person_b)
);
CREATE UNIQUE INDEX IF NOT EXISTS profile_links_live ON profile_links (person_a, person_b)
    WHERE unlinked_at IS NULL;
CREATE INDEX IF NOT EXISTS profile_links_by_b ON profile_links (person_b);
    ",
    // 3 -> 4: what SQLite's 9 -> 10 added: the contact, supply and referral
    // indexes the dashboard counts from (issue 11); written from schema 7.
    "
CREATE TABLE IF NOT EXISTS contact_index (
    contact_id      TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    person_id       TEXT,
    at              BIGINT NOT NULL,
    round           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS contact_index_by_person ON contact_index (person_id, at, organisation_id)
    WHERE person_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS contact_index_by_round ON contact_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS supply_index (
    record_id       TEXT NOT NULL,
    item_id         TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    round           TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    PRIMARY KEY (record_id, item_id)
);
CREATE INDEX IF NOT EXISTS supply_index_by_round ON supply_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS referral_index (
    referral_id     TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    agency_id       TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    open            BOOLEAN NOT NULL,
    awaiting        BOOLEAN NOT NULL,
    due_at          BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS referral_index_due ON referral_index (organisation_id, awaiting, due_at);
    ",
    // 4 -> 5: what SQLite's 10 -> 11 added (issue 11): the pull
    // pre-filter's indexes (`store/pull/sql.rs`, `prefiltered_rows`).
    "
CREATE INDEX IF NOT EXISTS records_by_organisation ON records (organisation_id, seq);
CREATE INDEX IF NOT EXISTS records_by_author ON records (author_worker_id, seq);
CREATE INDEX IF NOT EXISTS records_by_alert ON records (alert_until) WHERE alert_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_consents_in_force ON records (consent_until, person_id)
    WHERE kind = 'consent' AND NOT tombstone;
    ",
    // 5 -> 6: what SQLite's 11 -> 12 added (issue 11, ADR 0019): a pull's
    // unconditional deliveries as one row per page, and the record and
    // version behind every sequence number (filled from the rows stored).
    "
CREATE TABLE IF NOT EXISTS record_seqs (
    seq     BIGINT PRIMARY KEY,
    id      TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_seqs_by_record ON record_seqs (id);
CREATE TABLE IF NOT EXISTS delivery_pages (
    device_id         TEXT NOT NULL,
    first_seq         BIGINT NOT NULL,
    last_seq          BIGINT NOT NULL,
    organisation_runs TEXT NOT NULL,
    own_runs          TEXT NOT NULL,
    at                BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_pages_by_last ON delivery_pages (last_seq);
CREATE OR REPLACE FUNCTION record_seqs_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO record_seqs (seq, id, version) VALUES (NEW.seq, NEW.id, NEW.version)
        ON CONFLICT (seq) DO NOTHING;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS record_seqs_log ON records;
CREATE TRIGGER record_seqs_log AFTER INSERT OR UPDATE OF seq ON records
    FOR EACH ROW EXECUTE FUNCTION record_seqs_log();
INSERT INTO record_seqs (seq, id, version) SELECT seq, id, version FROM records
    ON CONFLICT (seq) DO NOTHING;
    ",
    // 6 -> 7: the dashboard's indexes kept on PostgreSQL too (issue 11,
    // ADR 0015): written with every stored state
    // (`postgres/dashboard_views.rs`), left by a tombstone or a deleted
    // record through these triggers (SQLite's two of schema 10), and
    // filled once from the stored records when the store next opens.
    "
CREATE OR REPLACE FUNCTION dashboard_index_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM contact_index WHERE contact_id = OLD.id;
    DELETE FROM supply_index WHERE record_id = OLD.id;
    DELETE FROM referral_index WHERE referral_id = OLD.id;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS contact_index_tombstone ON records;
CREATE TRIGGER contact_index_tombstone AFTER UPDATE OF tombstone ON records
    FOR EACH ROW WHEN (NEW.tombstone) EXECUTE FUNCTION dashboard_index_forget();
DROP TRIGGER IF EXISTS contact_index_delete ON records;
CREATE TRIGGER contact_index_delete AFTER DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION dashboard_index_forget();
INSERT INTO server_meta (name, num) VALUES ('contact_index_pending', 1)
    ON CONFLICT (name) DO NOTHING;
    ",
];

/// The schema version a database is at (0 when it has none).
pub fn version(db: &Db<'_>) -> Result<i32, StoreError> {
    let exists: bool = db.one(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = 'nightround_schema')",
        &[],
    )?;
    if !exists {
        return Ok(0);
    }
    Ok(db
        .opt("SELECT version FROM nightround_schema", &[])?
        .unwrap_or(0))
}

/// Brings a database to [`LATEST`] in one transaction: creates it when
/// empty, upgrades it when older, refuses it when newer.
pub fn migrate(db: &Db<'_>) -> Result<(), StoreError> {
    db.exec("SELECT pg_advisory_xact_lock($1)", &[&LOCK_MIGRATE])?;
    let found = version(db)?;
    if found > LATEST {
        return Err(StoreError::SchemaTooNew {
            found: u32::try_from(found).unwrap_or(u32::MAX),
            known: LATEST as u32,
        });
    }
    if found == 0 {
        db.batch(CREATE_LATEST)?;
        db.batch("CREATE TABLE nightround_schema (version INTEGER NOT NULL)")?;
        db.exec(
            "INSERT INTO nightround_schema (version) VALUES ($1)",
            &[&LATEST],
        )?;
        return Ok(());
    }
    for v in found..LATEST {
        let step = UPGRADES
            .get((v - 1) as usize)
            .ok_or(StoreError::Corrupt("a missing schema upgrade"))?;
        db.batch(step)?;
        db.exec("UPDATE nightround_schema SET version = $1", &[&(v + 1)])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::super::PgStore;
    use super::*;
    use nightround_core::crypto::DataKey;
    use std::collections::{BTreeMap, BTreeSet};

    /// A fresh database on the test cluster, or `None` (said loudly) when
    /// no cluster was started (`scripts/pg.sh`).
    fn database() -> Option<String> {
        match std::env::var("NIGHTROUND_TEST_PG") {
            Ok(url) if !url.is_empty() => Some(testing::create_database(&url).unwrap()),
            _ => {
                eprintln!(
                    "\n*** SKIPPED: NIGHTROUND_TEST_PG is not set, so this PostgreSQL test did \
                     not run. Run it with: bash scripts/pg.sh -- cargo test -p nightround-server \
                     postgres ***\n"
                );
                None
            }
        }
    }

    fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
        testing::query(url, sql)
            .unwrap()
            .into_iter()
            .map(|r| r.into_iter().map(Option::unwrap_or_default).collect())
            .collect()
    }

    #[test]
    fn postgres_fresh_migrate_twice_wrong_key_and_newer_refused() {
        let Some(url) = database() else { return };
        let now = chrono::Utc::now();
        let key = DataKey::generate(1);
        drop(PgStore::open(&url, key.clone(), now).unwrap());
        // Opening again migrates nothing and recognises the key.
        let store = PgStore::open(&url, key.clone(), now).unwrap();
        assert_eq!(store.with_db(version).unwrap(), LATEST);
        assert_eq!(UPGRADES.len() as i32, LATEST - 1);
        drop(store);
        assert!(matches!(
            PgStore::open(&url, DataKey::generate(1), now),
            Err(StoreError::WrongKey)
        ));
        testing::query(
            &url,
            &format!("UPDATE nightround_schema SET version = {}", LATEST + 1),
        )
        .unwrap();
        assert!(matches!(
            PgStore::open(&url, key, now),
            Err(StoreError::SchemaTooNew { .. })
        ));
    }

    /// Every table's columns and every index, as text, to compare a
    /// database upgraded from 1 with a fresh one.
    fn shape(url: &str) -> Vec<Vec<String>> {
        rows(
            url,
            "SELECT table_name || '.' || column_name || ' ' || data_type
             FROM information_schema.columns WHERE table_schema = current_schema()
             UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
             ORDER BY 1",
        )
    }

    /// The 1 -> 2 step (SQLite's 5 -> 8) makes what a fresh database has,
    /// and fills records.device_id from the versions applied.
    #[test]
    fn postgres_upgrade_from_1_makes_what_a_fresh_database_has() {
        let Some(url) = database() else { return };
        let now = chrono::Utc::now();
        let key = DataKey::generate(1);
        drop(PgStore::open(&url, key.clone(), now).unwrap());
        let want = shape(&url);
        testing::query(
            &url,
            "DROP TABLE deliveries; DROP TABLE legal_holds;
             DROP INDEX records_by_kind; DROP INDEX applied_versions_by_time;
             ALTER TABLE records DROP COLUMN device_id;
             UPDATE nightround_schema SET version = 1;
             INSERT INTO records (id, kind, version, seq, organisation_id, author_worker_id,
                 tombstone) VALUES ('r1', 'person', 'v1', 1, 'o', 'w', false);
             INSERT INTO applied_versions (id, version, device_id, applied_at)
             VALUES ('r1', 'v0', 'd0', 0), ('r1', 'v1', 'd1', 1);",
        )
        .unwrap();
        assert_ne!(shape(&url), want);
        let store = PgStore::open(&url, key, now).unwrap();
        assert_eq!(store.with_db(version).unwrap(), LATEST);
        assert_eq!(shape(&url), want);
        assert_eq!(
            rows(&url, "SELECT device_id FROM records WHERE id = 'r1'"),
            vec![vec!["d1".to_owned()]]
        );
    }

    /// The two backends keep the same tables, columns and indexes: a table
    /// or index added to one schema and not the other fails here.
    #[test]
    fn postgres_schema_has_the_sqlite_schemas_tables_columns_and_indexes() {
        let Some(url) = database() else { return };
        PgStore::open(&url, DataKey::generate(1), chrono::Utc::now()).unwrap();
        let mut pg: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in rows(
            &url,
            "SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = current_schema()",
        ) {
            pg.entry(r[0].clone()).or_default().insert(r[1].clone());
        }
        let pg_indexes: BTreeSet<String> = rows(
            &url,
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
             AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
        )
        .into_iter()
        .map(|r| r[0].clone())
        .collect();

        let mut lite = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::schema::configure(&lite).unwrap();
        crate::store::schema::migrate(&mut lite).unwrap();
        let tables: Vec<String> = lite
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut sqlite: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for t in tables {
            let cols: BTreeSet<String> = lite
                .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            sqlite.insert(t, cols);
        }
        let sqlite_indexes: BTreeSet<String> = lite
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();

        // Where PostgreSQL differs on purpose: its schema version lives in a
        // table (SQLite's in user_version), the sequence counter in its own
        // BIGINT column, and the case-insensitive username is an index on
        // lower(username) (SQLite's COLLATE NOCASE).
        pg.remove("nightround_schema");
        if let Some(meta) = pg.get_mut("server_meta") {
            meta.remove("num");
        }
        let mut pg_indexes = pg_indexes;
        pg_indexes.remove("dashboard_accounts_username");
        assert_eq!(pg, sqlite, "tables and columns");
        assert_eq!(pg_indexes, sqlite_indexes, "indexes");
    }
}
