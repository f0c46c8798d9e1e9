//! The server database's schema, and every migration, in one place.
//!
//! A new database is created at [`LATEST`] in one step; an older one is
//! upgraded step by step (`UPGRADES[i]` takes version `i + 1` to `i + 2`).
//! The version lives in SQLite's `user_version`; a database from a newer
//! server is refused rather than guessed at.
//!
//! Plaintext columns hold only what ordering and the policy need: kind, id,
//! version, sequence number, organisation, author, person, agency, alert end,
//! the end of a consent's force, and whether it is deleted. Everything a
//! person said is in `body`, sealed under the server's record key (with the
//! per-field versions of mutable records), and so is every history value.

use super::StoreError;
use rusqlite::Connection;

/// The schema this code writes.
pub const LATEST: u32 = 12;

/// The whole schema at [`LATEST`], for a new database.
const CREATE_LATEST: &str = "
CREATE TABLE server_meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE workers (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    agency_id       TEXT,
    created_at      INTEGER NOT NULL,
    revoked_at      INTEGER
);
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    worker_id    TEXT NOT NULL REFERENCES workers (id),
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    enrolled_at  INTEGER NOT NULL,
    last_sync_at INTEGER,
    revoked_at   INTEGER
);
CREATE TABLE enrolment_codes (
    code_hash  BLOB PRIMARY KEY,
    worker_id  TEXT NOT NULL REFERENCES workers (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT
) WITHOUT ROWID;
CREATE TABLE directory (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    revision   INTEGER NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE records (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    version          TEXT NOT NULL,
    seq              INTEGER NOT NULL UNIQUE,
    organisation_id  TEXT NOT NULL,
    author_worker_id TEXT NOT NULL,
    person_id        TEXT,
    agency_id        TEXT,
    alert_until      INTEGER,
    consent_until    INTEGER,
    tombstone        INTEGER NOT NULL,
    key_id           INTEGER,
    body             BLOB,
    device_id        TEXT
) WITHOUT ROWID;
CREATE INDEX records_by_person ON records (person_id, kind) WHERE person_id IS NOT NULL;
CREATE TABLE record_history (
    entry       INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    field       TEXT,
    version     TEXT NOT NULL,
    key_id      INTEGER NOT NULL,
    value       BLOB NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX record_history_by_record ON record_history (id);
CREATE TABLE applied_versions (
    id         TEXT NOT NULL,
    version    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE TABLE duress_reports (
    device_id   TEXT NOT NULL REFERENCES devices (id),
    reported_at INTEGER NOT NULL
);
CREATE TABLE dashboard_accounts (
    worker_id       TEXT PRIMARY KEY REFERENCES workers (id),
    username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash   TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    last_sign_in_at INTEGER
);
CREATE TABLE dashboard_sessions (
    token_hash   BLOB PRIMARY KEY,
    worker_id    TEXT NOT NULL REFERENCES workers (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT,
    mac     BLOB
);
CREATE TRIGGER audit_applied_versions AFTER INSERT ON applied_versions
BEGIN
    INSERT INTO audit_log (at, actor, action, subject, detail)
    VALUES (NEW.applied_at, 'device:' || NEW.device_id, 'sync_change', NEW.id, NEW.version);
END;
CREATE TABLE referral_escalations (
    referral_id TEXT NOT NULL,
    worker_id   TEXT NOT NULL REFERENCES workers (id),
    at          INTEGER NOT NULL
);
CREATE TABLE round_watch (
    round_id        TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    worker_id       TEXT NOT NULL,
    buddy_worker_id TEXT,
    area_id         TEXT,
    started_at      INTEGER NOT NULL,
    watch_from      INTEGER NOT NULL,
    expected_end    INTEGER NOT NULL,
    interval_ms     INTEGER NOT NULL,
    ended_at        INTEGER,
    raised          INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX round_watch_open ON round_watch (raised) WHERE ended_at IS NULL;
CREATE TABLE check_in_log (
    id       TEXT PRIMARY KEY,
    round_id TEXT,
    made_at  INTEGER NOT NULL,
    help     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX check_in_log_by_round ON check_in_log (round_id, made_at);
CREATE TABLE safety_escalations (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    worker_id       TEXT NOT NULL,
    buddy_worker_id TEXT,
    reason          TEXT,
    area_id         TEXT,
    raised_at       INTEGER NOT NULL,
    last_heard_at   INTEGER NOT NULL,
    state           TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at INTEGER,
    changed_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX safety_escalations_open ON safety_escalations (organisation_id, raised_at)
    WHERE acknowledged_at IS NULL;
CREATE TABLE safety_seen (
    id        TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (id, worker_id)
) WITHOUT ROWID;
CREATE TABLE deliveries (
    device_id      TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    person_id      TEXT,
    version        TEXT NOT NULL,
    route          TEXT NOT NULL,
    conditional    INTEGER NOT NULL,
    categories     TEXT,
    withheld       TEXT,
    first_at       INTEGER NOT NULL,
    delivered_at   INTEGER NOT NULL,
    retracted_at   INTEGER,
    retract_fields TEXT,
    retract_cursor INTEGER,
    PRIMARY KEY (device_id, record_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_under_review ON deliveries (device_id) WHERE conditional = 1;
CREATE INDEX deliveries_by_person ON deliveries (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX deliveries_by_record ON deliveries (record_id);
CREATE TABLE legal_holds (
    person_id TEXT PRIMARY KEY,
    placed_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE partnership_admins (
    worker_id  TEXT PRIMARY KEY REFERENCES workers (id),
    granted_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sign_in_failures (
    username       TEXT NOT NULL,
    client         TEXT NOT NULL,
    failures       INTEGER NOT NULL,
    last_failed_at INTEGER NOT NULL,
    blocked_until  INTEGER,
    PRIMARY KEY (username, client)
) WITHOUT ROWID;
CREATE INDEX records_by_kind ON records (kind, seq);
CREATE INDEX applied_versions_by_time ON applied_versions (applied_at);
CREATE TABLE IF NOT EXISTS profile_links (
    id          TEXT PRIMARY KEY,
    person_a    TEXT NOT NULL,
    person_b    TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    linked_at   INTEGER NOT NULL,
    unlinked_by TEXT,
    unlinked_at INTEGER,
    CHECK (person_a < person_b)
);
CREATE UNIQUE INDEX IF NOT EXISTS profile_links_live ON profile_links (person_a, person_b)
    WHERE unlinked_at IS NULL;
CREATE INDEX IF NOT EXISTS profile_links_by_b ON profile_links (person_b);
CREATE TABLE IF NOT EXISTS contact_index (
    contact_id      TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    person_id       TEXT,
    at              INTEGER NOT NULL,
    round           TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contact_index_by_person ON contact_index (person_id, at, organisation_id)
    WHERE person_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS contact_index_by_round ON contact_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS supply_index (
    record_id       TEXT NOT NULL,
    item_id         TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    round           TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    PRIMARY KEY (record_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS supply_index_by_round ON supply_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS referral_index (
    referral_id     TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    agency_id       TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    open            INTEGER NOT NULL,
    awaiting        INTEGER NOT NULL,
    due_at          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS referral_index_due ON referral_index (organisation_id, awaiting, due_at);
CREATE TRIGGER IF NOT EXISTS contact_index_tombstone AFTER UPDATE OF tombstone ON records
    WHEN new.tombstone = 1
BEGIN
    DELETE FROM contact_index WHERE contact_id = new.id;
    DELETE FROM supply_index WHERE record_id = new.id;
    DELETE FROM referral_index WHERE referral_id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS contact_index_delete AFTER DELETE ON records
BEGIN
    DELETE FROM contact_index WHERE contact_id = old.id;
    DELETE FROM supply_index WHERE record_id = old.id;
    DELETE FROM referral_index WHERE referral_id = old.id;
END;
CREATE INDEX IF NOT EXISTS records_by_organisation ON records (organisation_id, seq);
CREATE INDEX IF NOT EXISTS records_by_author ON records (author_worker_id, seq);
CREATE INDEX IF NOT EXISTS records_by_alert ON records (alert_until) WHERE alert_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_consents_in_force ON records (consent_until, person_id)
    WHERE kind = 'consent' AND tombstone = 0;
CREATE TABLE IF NOT EXISTS record_seqs (
    seq     INTEGER PRIMARY KEY,
    id      TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_seqs_by_record ON record_seqs (id);
CREATE TABLE IF NOT EXISTS delivery_pages (
    device_id         TEXT NOT NULL,
    first_seq         INTEGER NOT NULL,
    last_seq          INTEGER NOT NULL,
    organisation_runs TEXT NOT NULL,
    own_runs          TEXT NOT NULL,
    at                INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_pages_by_last ON delivery_pages (last_seq);
CREATE TRIGGER IF NOT EXISTS record_seqs_insert AFTER INSERT ON records
BEGIN
    INSERT OR IGNORE INTO record_seqs (seq, id, version) VALUES (new.seq, new.id, new.version);
END;
CREATE TRIGGER IF NOT EXISTS record_seqs_update AFTER UPDATE OF seq ON records
BEGIN
    INSERT OR IGNORE INTO record_seqs (seq, id, version) VALUES (new.seq, new.id, new.version);
END;
";

/// Upgrades, in order. Empty until the schema first changes.
const UPGRADES: &[&str] = &[
    // 1 -> 2: quiet reports that a phone's duress PIN was used (ADR 0003).
    "
    CREATE TABLE duress_reports (
        device_id   TEXT NOT NULL REFERENCES devices (id),
        reported_at INTEGER NOT NULL
    );
    ",
    // 2 -> 3: the dashboard's accounts, sessions, audit log (with the trigger
    // that logs every change a phone pushes) and referral escalations.
    "
    CREATE TABLE dashboard_accounts (
        worker_id       TEXT PRIMARY KEY REFERENCES workers (id),
        username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash   TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    INTEGER,
        last_sign_in_at INTEGER
    );
    CREATE TABLE dashboard_sessions (
        token_hash   BLOB PRIMARY KEY,
        worker_id    TEXT NOT NULL REFERENCES workers (id),
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE audit_log (
        seq     INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        subject TEXT,
        detail  TEXT,
        mac     BLOB
    );
    CREATE TRIGGER audit_applied_versions AFTER INSERT ON applied_versions
    BEGIN
        INSERT INTO audit_log (at, actor, action, subject, detail)
        VALUES (NEW.applied_at, 'device:' || NEW.device_id, 'sync_change', NEW.id, NEW.version);
    END;
    CREATE TABLE referral_escalations (
        referral_id TEXT NOT NULL,
        worker_id   TEXT NOT NULL REFERENCES workers (id),
        at          INTEGER NOT NULL
    );
    ", // 3 -> 4: lone-worker safety: the watchdog's rounds, check-in times,
    // escalations and who has seen them (ADR 0004).
    "
    CREATE TABLE round_watch (
        round_id        TEXT PRIMARY KEY,
        organisation_id TEXT NOT NULL,
        worker_id       TEXT NOT NULL,
        buddy_worker_id TEXT,
        area_id         TEXT,
        started_at      INTEGER NOT NULL,
        watch_from      INTEGER NOT NULL,
        expected_end    INTEGER NOT NULL,
        interval_ms     INTEGER NOT NULL,
        ended_at        INTEGER,
        raised          INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX round_watch_open ON round_watch (raised) WHERE ended_at IS NULL;
    CREATE TABLE check_in_log (
        id       TEXT PRIMARY KEY,
        round_id TEXT,
        made_at  INTEGER NOT NULL,
        help     INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX check_in_log_by_round ON check_in_log (round_id, made_at);
    CREATE TABLE safety_escalations (
        id              TEXT PRIMARY KEY,
        kind            TEXT NOT NULL,
        organisation_id TEXT NOT NULL,
        worker_id       TEXT NOT NULL,
        buddy_worker_id TEXT,
        reason          TEXT,
        area_id         TEXT,
        raised_at       INTEGER NOT NULL,
        last_heard_at   INTEGER NOT NULL,
        state           TEXT NOT NULL,
        acknowledged_by TEXT,
        acknowledged_at INTEGER,
        changed_at      INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX safety_escalations_open ON safety_escalations (organisation_id, raised_at)
        WHERE acknowledged_at IS NULL;
    CREATE TABLE safety_seen (
        id        TEXT NOT NULL,
        worker_id TEXT NOT NULL,
        at        INTEGER NOT NULL,
        PRIMARY KEY (id, worker_id)
    ) WITHOUT ROWID;
    ",
    // 4 -> 5 (accounts and sign-in hardening): who may grant police and
    // agency identities (the partnership's administrators), and failed
    // sign-ins counted per (typed username, client address) for growing delays.
    // `IF NOT EXISTS`: self-contained, whatever other steps come beside it.
    "
    CREATE TABLE IF NOT EXISTS partnership_admins (
        worker_id  TEXT PRIMARY KEY REFERENCES workers (id),
        granted_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS sign_in_failures (
        username       TEXT NOT NULL,
        client         TEXT NOT NULL,
        failures       INTEGER NOT NULL,
        last_failed_at INTEGER NOT NULL,
        blocked_until  INTEGER,
        PRIMARY KEY (username, client)
    ) WITHOUT ROWID;
    ",
    // 5 -> 6: protocol version 2 (ADR 0009). The device that pushed each
    // stored version (a pull leaves a device's own out; a version the server
    // minted has none), and what went to which device, so that a pull can
    // retract what a device may no longer hold and an audit can say who
    // received what.
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
        conditional    INTEGER NOT NULL,
        categories     TEXT,
        withheld       TEXT,
        first_at       INTEGER NOT NULL,
        delivered_at   INTEGER NOT NULL,
        retracted_at   INTEGER,
        retract_fields TEXT,
        retract_cursor INTEGER,
        PRIMARY KEY (device_id, record_id)
    ) WITHOUT ROWID;
    CREATE INDEX deliveries_under_review ON deliveries (device_id) WHERE conditional = 1;
    CREATE INDEX deliveries_by_person ON deliveries (person_id) WHERE person_id IS NOT NULL;
    CREATE INDEX deliveries_by_record ON deliveries (record_id);
    ",
    // 6 -> 7: the dashboard's pages read by kind and by when a record
    // reached the server, not the whole table (issue 11).
    "
    CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind, seq);
    CREATE INDEX IF NOT EXISTS applied_versions_by_time ON applied_versions (applied_at);
    ",
    // 7 -> 8: legal holds (issue 10): a woman whose records the retention
    // schedule must leave alone.
    "
    CREATE TABLE IF NOT EXISTS legal_holds (
        person_id TEXT PRIMARY KEY,
        placed_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    ",
    // 8 -> 9 (issue 14, shared profiles): a supervisor's link between two
    // person records that are the same woman; unlinking keeps the row.
    "
CREATE TABLE IF NOT EXISTS profile_links (
    id          TEXT PRIMARY KEY,
    person_a    TEXT NOT NULL,
    person_b    TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    linked_at   INTEGER NOT NULL,
    unlinked_by TEXT,
    unlinked_at INTEGER,
    CHECK (person_a < person_b)
);
CREATE UNIQUE INDEX IF NOT EXISTS profile_links_live ON profile_links (person_a, person_b)
    WHERE unlinked_at IS NULL;
CREATE INDEX IF NOT EXISTS profile_links_by_b ON profile_links (person_b);
    ",
    // 9 -> 10 (issue 11, the dashboard at scale): what the dashboard counts
    // from, kept beside the sealed bodies when they are stored
    // (`store/sqlite/dashboard_views.rs`): each live contact's organisation,
    // person, time and evening round; the supplies of each contact and drop
    // by item and round; each referral's agency, whether it awaits an
    // answer, and when it is due. No area, note or name. The rows of records
    // stored before are filled in when the store opens (the marker below: it
    // needs the record key, which SQL has not).
    "
CREATE TABLE IF NOT EXISTS contact_index (
    contact_id      TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    person_id       TEXT,
    at              INTEGER NOT NULL,
    round           TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contact_index_by_person ON contact_index (person_id, at, organisation_id)
    WHERE person_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS contact_index_by_round ON contact_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS supply_index (
    record_id       TEXT NOT NULL,
    item_id         TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    round           TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    PRIMARY KEY (record_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS supply_index_by_round ON supply_index (organisation_id, round);
CREATE TABLE IF NOT EXISTS referral_index (
    referral_id     TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    agency_id       TEXT NOT NULL,
    urgency         TEXT NOT NULL,
    open            INTEGER NOT NULL,
    awaiting        INTEGER NOT NULL,
    due_at          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS referral_index_due ON referral_index (organisation_id, awaiting, due_at);
CREATE TRIGGER IF NOT EXISTS contact_index_tombstone AFTER UPDATE OF tombstone ON records
    WHEN new.tombstone = 1
BEGIN
    DELETE FROM contact_index WHERE contact_id = new.id;
    DELETE FROM supply_index WHERE record_id = new.id;
    DELETE FROM referral_index WHERE referral_id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS contact_index_delete AFTER DELETE ON records
BEGIN
    DELETE FROM contact_index WHERE contact_id = old.id;
    DELETE FROM supply_index WHERE record_id = old.id;
    DELETE FROM referral_index WHERE referral_id = old.id;
END;
INSERT OR REPLACE INTO server_meta (name, value) VALUES ('contact_index_pending', x'01');
    ",
    // 10 -> 11 (issue 11): a pull reads by index only the rows its viewer
    // might see (`store/pull/sql.rs`, `prefiltered_rows`): by organisation,
    // by author, active alerts, consents in force.
    "
CREATE INDEX IF NOT EXISTS records_by_organisation ON records (organisation_id, seq);
CREATE INDEX IF NOT EXISTS records_by_author ON records (author_worker_id, seq);
CREATE INDEX IF NOT EXISTS records_by_alert ON records (alert_until) WHERE alert_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_consents_in_force ON records (consent_until, person_id)
    WHERE kind = 'consent' AND tombstone = 0;
    ",
    // 11 -> 12 (issue 11, ADR 0019): a pull's unconditional deliveries as
    // one row per page (`delivery_pages`, sequence numbers as runs) instead
    // of a `deliveries` row per record; `record_seqs` names the record and
    // version behind every sequence number given out, so subject access
    // expands the pages. Filled from the rows stored before.
    "
CREATE TABLE IF NOT EXISTS record_seqs (
    seq     INTEGER PRIMARY KEY,
    id      TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_seqs_by_record ON record_seqs (id);
CREATE TABLE IF NOT EXISTS delivery_pages (
    device_id         TEXT NOT NULL,
    first_seq         INTEGER NOT NULL,
    last_seq          INTEGER NOT NULL,
    organisation_runs TEXT NOT NULL,
    own_runs          TEXT NOT NULL,
    at                INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_pages_by_last ON delivery_pages (last_seq);
CREATE TRIGGER IF NOT EXISTS record_seqs_insert AFTER INSERT ON records
BEGIN
    INSERT OR IGNORE INTO record_seqs (seq, id, version) VALUES (new.seq, new.id, new.version);
END;
CREATE TRIGGER IF NOT EXISTS record_seqs_update AFTER UPDATE OF seq ON records
BEGIN
    INSERT OR IGNORE INTO record_seqs (seq, id, version) VALUES (new.seq, new.id, new.version);
END;
INSERT OR IGNORE INTO record_seqs (seq, id, version) SELECT seq, id, version FROM records;
    ",
];

/// Sets a connection up the way every server connection must be.
pub fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
        return Err(StoreError::Corrupt("the WAL journal is unavailable"));
    }
    // An ack lets the phone drop its copy: what was acknowledged must survive
    // a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Deleted bodies (tombstones) are overwritten, not left in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// The schema version a database is at.
pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings a database to [`LATEST`]: creates it when empty, upgrades it when
/// older, refuses it when newer. Each step commits with its version number.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(StoreError::SchemaTooNew {
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
        let step = UPGRADES
            .get((v - 1) as usize)
            .ok_or(StoreError::Corrupt("a missing schema upgrade"))?;
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", v + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(conn: &Connection, names: &[&str]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
            .unwrap()
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .filter(|(n, _)| names.contains(&n.as_str()))
            .map(|(n, sql)| (n, sql.split_whitespace().collect::<Vec<_>>().join(" ")))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_dashboard_upgrade_makes_what_a_fresh_database_has() {
        let names = [
            "dashboard_accounts",
            "dashboard_sessions",
            "audit_log",
            "audit_applied_versions",
            "referral_escalations",
        ];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh
            .execute_batch(
                "DROP TRIGGER audit_applied_versions; DROP TABLE dashboard_accounts;
                 DROP TABLE dashboard_sessions; DROP TABLE audit_log;
                 DROP TABLE referral_escalations; PRAGMA user_version = 2;",
            )
            .unwrap();
        fresh.execute_batch(DROP_SAFETY).unwrap();
        fresh.execute_batch(DROP_SCALE).unwrap();
        fresh.execute_batch(DROP_V6).unwrap();
        fresh.execute_batch(DROP_V5).unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
    }

    const DROP_SCALE: &str = "DROP INDEX records_by_kind; DROP INDEX applied_versions_by_time;";

    #[test]
    fn the_scale_upgrade_makes_what_a_fresh_database_has() {
        let names = ["records_by_kind", "applied_versions_by_time"];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh.execute_batch(DROP_SCALE).unwrap();
        fresh.execute_batch("PRAGMA user_version = 6;").unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
    }

    /// Undoes the protocol-version-2 step (5 -> 6), for tests that start older.
    const DROP_V5: &str = "DROP TABLE deliveries; ALTER TABLE records DROP COLUMN device_id;";
    /// Undoes the legal-holds step (7 -> 8).
    const DROP_V6: &str = "DROP TABLE legal_holds;";

    #[test]
    fn the_legal_holds_upgrade_makes_what_a_fresh_database_has() {
        let names = ["legal_holds"];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh
            .execute_batch("DROP TABLE legal_holds; PRAGMA user_version = 7;")
            .unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
    }

    #[test]
    fn the_protocol_v2_upgrade_makes_what_a_fresh_database_has() {
        let names = [
            "records",
            "deliveries",
            "deliveries_under_review",
            "deliveries_by_person",
            "deliveries_by_record",
        ];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh.execute_batch(DROP_V6).unwrap();
        fresh.execute_batch(DROP_V5).unwrap();
        fresh
            .execute_batch(
                "INSERT INTO records (id, kind, version, seq, organisation_id, author_worker_id,
                     tombstone) VALUES ('r', 'contact', 'v1', 1, 'o', 'w', 0);
                 INSERT INTO applied_versions VALUES ('r', 'v0', 'old-device', 1);
                 INSERT INTO applied_versions VALUES ('r', 'v1', 'pusher', 2);
                 PRAGMA user_version = 5;",
            )
            .unwrap();
        migrate(&mut fresh).unwrap();
        let got = objects(&fresh, &names);
        // ALTER TABLE writes the column on its own line; compare columns.
        let cols = |c: &Connection| -> Vec<String> {
            c.prepare("SELECT name FROM pragma_table_info('records')")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let but_records = |v: &[(String, String)]| -> Vec<(String, String)> {
            v.iter().filter(|(n, _)| n != "records").cloned().collect()
        };
        assert_eq!(but_records(&got), but_records(&want));
        assert!(cols(&fresh).ends_with(&["body".into(), "device_id".into()]));
        let pusher: String = fresh
            .query_row("SELECT device_id FROM records WHERE id = 'r'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(pusher, "pusher", "the stored version's device is filled in");
    }

    const DROP_SAFETY: &str = "DROP TABLE round_watch; DROP TABLE check_in_log;
        DROP TABLE safety_escalations; DROP TABLE safety_seen;";

    #[test]
    fn the_safety_upgrade_makes_what_a_fresh_database_has() {
        let names = [
            "round_watch",
            "round_watch_open",
            "check_in_log",
            "check_in_log_by_round",
            "safety_escalations",
            "safety_escalations_open",
            "safety_seen",
        ];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh.execute_batch(DROP_SAFETY).unwrap();
        fresh.execute_batch(DROP_SCALE).unwrap();
        fresh.execute_batch(DROP_V6).unwrap();
        fresh.execute_batch(DROP_V5).unwrap();
        fresh.execute_batch("PRAGMA user_version = 3;").unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
    }

    #[test]
    fn the_accounts_upgrade_makes_what_a_fresh_database_has() {
        let names = ["partnership_admins", "sign_in_failures"];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh
            .execute_batch(
                "DROP TABLE partnership_admins; DROP TABLE sign_in_failures;
                 PRAGMA user_version = 4;",
            )
            .unwrap();
        fresh.execute_batch(DROP_V6).unwrap();
        fresh.execute_batch(DROP_V5).unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
    }

    #[test]
    fn the_profile_links_upgrade_makes_what_a_fresh_database_has() {
        let names = ["profile_links", "profile_links_live", "profile_links_by_b"];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh
            .execute_batch("DROP TABLE profile_links; PRAGMA user_version = 8;")
            .unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
    }

    /// Undoes the contact index step (9 -> 10).
    const DROP_V10: &str =
        "DROP TRIGGER contact_index_tombstone; DROP TRIGGER contact_index_delete;
        DROP TABLE contact_index; DROP TABLE supply_index; DROP TABLE referral_index;";

    #[test]
    fn the_contact_index_upgrade_makes_what_a_fresh_database_has() {
        let names = [
            "contact_index",
            "contact_index_by_person",
            "contact_index_by_round",
            "supply_index",
            "supply_index_by_round",
            "referral_index",
            "referral_index_due",
            "contact_index_tombstone",
            "contact_index_delete",
        ];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        fresh
            .execute_batch(&format!("{DROP_V10} PRAGMA user_version = 9;"))
            .unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
        let pending: i64 = fresh
            .query_row(
                "SELECT COUNT(*) FROM server_meta WHERE name = 'contact_index_pending'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(pending, 1, "the upgrade asks for the rows to be filled in");
    }

    #[test]
    fn the_pull_prefilter_upgrade_makes_what_a_fresh_database_has() {
        let names = [
            "records_by_organisation",
            "records_by_author",
            "records_by_alert",
            "records_consents_in_force",
        ];
        let mut fresh = Connection::open_in_memory().unwrap();
        configure(&fresh).unwrap();
        migrate(&mut fresh).unwrap();
        let want = objects(&fresh, &names);
        assert_eq!(want.len(), names.len());
        for n in names {
            fresh.execute_batch(&format!("DROP INDEX {n};")).unwrap();
        }
        fresh.execute_batch("PRAGMA user_version = 10;").unwrap();
        migrate(&mut fresh).unwrap();
        assert_eq!(objects(&fresh, &names), want);
    }

    #[test]
    fn fresh_migrate_twice_and_newer_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        configure(&conn).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), LATEST);
        migrate(&mut conn).unwrap();
        assert_eq!(UPGRADES.len() as u32, LATEST - 1);
        let mut newer = Connection::open_in_memory().unwrap();
        newer
            .pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut newer),
            Err(StoreError::SchemaTooNew { .. })
        ));
    }
}
