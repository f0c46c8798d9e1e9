//! Sealing at rest, the same for every backend: record bodies (with the
//! per-field versions of mutable records) and history values are sealed with
//! core's envelope (XChaCha20-Poly1305) under the server's record key. The
//! associated data names where the value lives (table and kind, record id,
//! version), so a sealed value copied to another row or version fails.

use super::{RecordMeta, StoreError};
use crate::apply::HistoryEntry;
use crate::merge::FieldVersions;
use nightround_core::crypto::{open, seal, Aad, DataKey};
use nightround_core::domain::RecordKind;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

const KEY_CHECK: &[u8] = b"nightround-server key check v1";
const KEY_CHECK_AAD: Aad<'static> = Aad {
    table: "server_meta",
    record_id: "key_check",
    version: "1",
};

fn record_table(kind: RecordKind) -> String {
    format!("server.records:{}", kind.as_str())
}

fn history_table(kind: RecordKind, field: Option<&str>) -> String {
    format!("server.history:{}:{}", kind.as_str(), field.unwrap_or("*"))
}

#[derive(serde::Serialize)]
struct SealedRef<'a> {
    body: &'a Map<String, Value>,
    field_versions: &'a FieldVersions,
}

/// A record body as opened.
#[derive(Debug, serde::Deserialize)]
pub struct OpenedRecord {
    pub body: Map<String, Value>,
    #[serde(default)]
    pub field_versions: FieldVersions,
}

/// Seals a record body at `version`.
pub fn seal_record(
    key: &DataKey,
    kind: RecordKind,
    id: &str,
    version: &str,
    body: &Map<String, Value>,
    field_versions: &FieldVersions,
) -> Result<Vec<u8>, StoreError> {
    let plain = Zeroizing::new(
        serde_json::to_vec(&SealedRef {
            body,
            field_versions,
        })
        .map_err(|_| StoreError::Corrupt("a record body"))?,
    );
    let table = record_table(kind);
    Ok(seal(
        key,
        &Aad {
            table: &table,
            record_id: id,
            version,
        },
        &plain,
    ))
}

/// Opens a stored record's body; `None` for a tombstone.
pub fn open_record(
    key: &DataKey,
    meta: &RecordMeta,
    sealed: Option<Vec<u8>>,
) -> Result<Option<OpenedRecord>, StoreError> {
    if meta.tombstone {
        return Ok(None);
    }
    let sealed = sealed.ok_or(StoreError::Corrupt("a live record without a body"))?;
    let table = record_table(meta.kind);
    let id = meta.id.to_string();
    let plain = open(
        key,
        &Aad {
            table: &table,
            record_id: &id,
            version: &meta.version,
        },
        &sealed,
    )?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| StoreError::Corrupt("a record body"))
}

/// Seals one history value of a record.
pub fn seal_history(
    key: &DataKey,
    kind: RecordKind,
    id: &str,
    entry: &HistoryEntry,
) -> Result<Vec<u8>, StoreError> {
    let plain = Zeroizing::new(
        serde_json::to_vec(&entry.value).map_err(|_| StoreError::Corrupt("a history value"))?,
    );
    let table = history_table(kind, entry.field.as_deref());
    Ok(seal(
        key,
        &Aad {
            table: &table,
            record_id: id,
            version: &entry.version,
        },
        &plain,
    ))
}

/// Opens one history value sealed by [`seal_history`].
pub fn open_history(
    key: &DataKey,
    kind: RecordKind,
    id: &str,
    field: Option<&str>,
    version: &str,
    sealed: &[u8],
) -> Result<Value, StoreError> {
    let table = history_table(kind, field);
    let plain = open(
        key,
        &Aad {
            table: &table,
            record_id: id,
            version,
        },
        sealed,
    )?;
    serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt("a history value"))
}

/// A value a new database stores to recognise its key later.
pub fn key_check(key: &DataKey) -> Vec<u8> {
    seal(key, &KEY_CHECK_AAD, KEY_CHECK)
}

/// Whether `stored` was made by [`key_check`] under this key.
pub fn is_key_check(key: &DataKey, stored: &[u8]) -> bool {
    open(key, &KEY_CHECK_AAD, stored).is_ok_and(|plain| plain.as_slice() == KEY_CHECK)
}
