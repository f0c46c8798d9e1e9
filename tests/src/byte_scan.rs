//! Byte scans of a SQLite file and its `-wal` and `-shm` side files, for
//! tests that prove something is gone from a phone or a server (retraction,
//! erasure, shared profiles withdrawn): not in a column, not in a free page.

use std::path::Path;
use uuid::Uuid;

/// The queries that read a phone vault's sealed values for one id.
pub const PHONE_VALUES: &[&str] = &[
    "SELECT body FROM records WHERE id = ?1 AND body IS NOT NULL",
    "SELECT body FROM record_history WHERE id = ?1 AND body IS NOT NULL",
];

/// The queries that read the server store's sealed values for one id.
pub const SERVER_VALUES: &[&str] = &[
    "SELECT body FROM records WHERE id = ?1 AND body IS NOT NULL",
    "SELECT value FROM record_history WHERE id = ?1",
];

/// Every file SQLite keeps for the database at `db`.
pub fn files(db: &Path) -> Vec<Vec<u8>> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::read(format!("{}{suffix}", db.display())).ok())
        .collect()
}

/// What a byte scan finds of `ids` (as text: a plaintext column) and of
/// `sealed` (a 24-byte slice from the middle of each value, read before).
pub fn found_in(db: &Path, ids: &[Uuid], sealed: &[Vec<u8>]) -> Vec<String> {
    let files = files(db);
    let has = |n: &[u8]| files.iter().any(|f| f.windows(n.len()).any(|w| w == n));
    let mut found = Vec::new();
    for id in ids {
        if has(id.to_string().as_bytes()) {
            found.push(format!("id {id}"));
        }
    }
    for (i, b) in sealed.iter().enumerate() {
        let mid = b.len() / 2;
        if b.len() >= 48 && has(&b[mid - 12..mid + 12]) {
            found.push(format!("sealed value #{i}"));
        }
    }
    found
}

/// The sealed values the file holds for `ids`, read by `queries` (each takes
/// the id as `?1`): [`PHONE_VALUES`] or [`SERVER_VALUES`].
///
/// # Panics
/// When the file cannot be read as the database the queries expect: a test
/// helper, failing the test.
pub fn sealed_in(db: &Path, ids: &[Uuid], queries: &[&str]) -> Vec<Vec<u8>> {
    let conn = rusqlite::Connection::open(db).expect("open the database to scan");
    let mut out = Vec::new();
    for id in ids {
        for q in queries {
            let mut st = conn.prepare(q).expect("a scan query");
            out.extend(
                st.query_map([id.to_string()], |r| r.get::<_, Vec<u8>>(0))
                    .expect("run a scan query")
                    .map(|r| r.expect("read a sealed value")),
            );
        }
    }
    out
}
