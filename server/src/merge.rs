//! Per-field merge of mutable records (people, consents, referrals).
//!
//! Each top-level field of a stored record remembers the version that last
//! wrote it. An incoming version writes a field only where its value differs
//! from the stored one; the greater version wins that field, and the losing
//! value (whichever side it came from) is returned so the caller can keep it
//! in the record's history with its version. Nothing is silently lost.
//!
//! Versions are canonical HLC strings (checked on the way in), which sort as
//! the clock does, so they are compared as strings.
//!
//! **Base versions** (protocol version 2): an edit names the version it
//! started from and the fields it changed ([`Base`]). A field whose stored
//! value was written after the base, and which the edit did not change,
//! keeps the stored value: the phone's copy of it is merely stale, not a
//! decision. The base version alone cannot tell a stale value from one she
//! typed back to what it was (the server would need the field's value at the
//! base, which history does not keep once a record is deleted), so the
//! phone also names the edited fields. Without a base (a new record, an app
//! that does not know it) the greater version wins each differing field.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Field name to the version that wrote its current value.
pub type FieldVersions = BTreeMap<String, String>;

/// A value that lost a field to a greater version.
#[derive(Debug, Clone, PartialEq)]
pub struct Loser {
    pub field: String,
    pub version: String,
    pub value: Value,
}

/// The result of merging one incoming version into a stored record.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub body: Map<String, Value>,
    pub field_versions: FieldVersions,
    pub losers: Vec<Loser>,
    /// Whether any field took the incoming value.
    pub incoming_won: bool,
}

/// The field versions of a record first stored at `version`.
pub fn initial_versions(body: &Map<String, Value>, version: &str) -> FieldVersions {
    body.keys()
        .map(|k| (k.clone(), version.to_owned()))
        .collect()
}

/// What an edit started from: the version it was made on and the fields it
/// changed (`Change::base_version`, `Change::edited`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Base<'a> {
    pub version: Option<&'a str>,
    pub edited: Option<&'a [String]>,
}

impl Base<'_> {
    /// Whether the edit left `field` as it found it while the stored value
    /// (written at `stored_version`) is newer than what it found: then the
    /// stored value stands.
    fn is_stale(&self, field: &str, stored_version: &str) -> bool {
        match self.version {
            Some(base) if stored_version > base => {
                !self.edited.is_some_and(|e| e.iter().any(|f| f == field))
            }
            _ => false,
        }
    }
}

/// Merges `incoming` (written at `incoming_version`) into `current`. Fields
/// the incoming body does not carry are left alone (an older app may not
/// know a newer field).
pub fn merge(
    current: &Map<String, Value>,
    versions: &FieldVersions,
    incoming: &Map<String, Value>,
    incoming_version: &str,
) -> Merged {
    merge_from(
        current,
        versions,
        incoming,
        incoming_version,
        Base::default(),
    )
}

/// As [`merge`], for an edit made on `base`: a field changed on the server
/// after the base and left alone by the edit keeps the server's value (the
/// phone's stale copy is not a loser worth keeping: it is an older value
/// already in the history).
pub fn merge_from(
    current: &Map<String, Value>,
    versions: &FieldVersions,
    incoming: &Map<String, Value>,
    incoming_version: &str,
    base: Base<'_>,
) -> Merged {
    let mut body = current.clone();
    let mut field_versions = versions.clone();
    let mut losers = Vec::new();
    let mut incoming_won = false;
    for (field, value) in incoming {
        let stored = current.get(field);
        if stored == Some(value) {
            continue;
        }
        let stored_version = versions.get(field).map_or("", String::as_str);
        if base.is_stale(field, stored_version) {
            continue;
        }
        if incoming_version > stored_version {
            if let Some(old) = stored {
                losers.push(Loser {
                    field: field.clone(),
                    version: stored_version.to_owned(),
                    value: old.clone(),
                });
            }
            body.insert(field.clone(), value.clone());
            field_versions.insert(field.clone(), incoming_version.to_owned());
            incoming_won = true;
        } else {
            losers.push(Loser {
                field: field.clone(),
                version: incoming_version.to_owned(),
                value: value.clone(),
            });
        }
    }
    Merged {
        body,
        field_versions,
        losers,
        incoming_won,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    const V1: &str = "0000000001000-00000-aaaa";
    const V2: &str = "0000000002000-00000-bbbb";
    const V3: &str = "0000000003000-00000-cccc";

    #[test]
    fn concurrent_edits_of_different_fields_both_survive() {
        let base = obj(json!({"alias": "Jade", "key_worker": "Priya"}));
        let fv = initial_versions(&base, V1);
        // B's edit (v3) of the key worker arrives first...
        let b = merge(
            &base,
            &fv,
            &obj(json!({"alias": "Jade", "key_worker": "Sam"})),
            V3,
        );
        assert!(b.incoming_won);
        assert_eq!(b.losers.len(), 1);
        assert_eq!(b.losers[0].value, json!("Priya"));
        assert_eq!(b.losers[0].version, V1);
        // ...then A's older edit (v2) of the alias.
        let a = merge(
            &b.body,
            &b.field_versions,
            &obj(json!({"alias": "Jay", "key_worker": "Priya"})),
            V2,
        );
        assert_eq!(a.body, obj(json!({"alias": "Jay", "key_worker": "Sam"})));
        assert_eq!(a.field_versions["alias"], V2);
        assert_eq!(a.field_versions["key_worker"], V3);
        // Jade (v1) was overwritten; A's stale key worker (v2) lost.
        assert_eq!(
            a.losers,
            vec![
                Loser {
                    field: "alias".into(),
                    version: V1.into(),
                    value: json!("Jade")
                },
                Loser {
                    field: "key_worker".into(),
                    version: V2.into(),
                    value: json!("Priya")
                },
            ]
        );
    }

    #[test]
    fn an_untouched_field_keeps_a_newer_stored_value() {
        // Both phones start from v1. B's key-worker edit (v2) is stored; A
        // then edits the alias at v3, carrying the key worker as it had it.
        let base = obj(json!({"alias": "Jade", "key_worker": "Priya"}));
        let fv = initial_versions(&base, V1);
        let b = merge(
            &base,
            &fv,
            &obj(json!({"alias": "Jade", "key_worker": "Sam"})),
            V2,
        );
        let edited = vec!["alias".to_owned()];
        let from_v1 = Base {
            version: Some(V1),
            edited: Some(&edited),
        };
        let a = merge_from(
            &b.body,
            &b.field_versions,
            &obj(json!({"alias": "Jay", "key_worker": "Priya"})),
            V3,
            from_v1,
        );
        assert_eq!(a.body, obj(json!({"alias": "Jay", "key_worker": "Sam"})));
        assert_eq!(a.field_versions["key_worker"], V2);
        assert_eq!(a.field_versions["alias"], V3);
        // Without the base, the greater version would have put Priya back.
        let blind = merge(
            &b.body,
            &b.field_versions,
            &obj(json!({"alias": "Jay", "key_worker": "Priya"})),
            V3,
        );
        assert_eq!(blind.body["key_worker"], json!("Priya"));
        // Both edited the same field: the greater version wins, the other
        // value is kept in the history.
        let both = vec!["alias".to_owned(), "key_worker".to_owned()];
        let same = merge_from(
            &b.body,
            &b.field_versions,
            &obj(json!({"alias": "Jade", "key_worker": "Ann"})),
            V3,
            Base {
                version: Some(V1),
                edited: Some(&both),
            },
        );
        assert_eq!(same.body["key_worker"], json!("Ann"));
        assert_eq!(same.losers[0].value, json!("Sam"));
        assert_eq!(same.losers[0].version, V2);
    }

    #[test]
    fn an_older_version_loses_every_conflicting_field() {
        let cur = obj(json!({"status": "accepted", "needs": "x"}));
        let fv = initial_versions(&cur, V3);
        let m = merge(&cur, &fv, &obj(json!({"status": "sent", "needs": "x"})), V2);
        assert!(!m.incoming_won);
        assert_eq!(m.body, cur);
        assert_eq!(m.losers.len(), 1);
        assert_eq!(m.losers[0].version, V2);
    }
}
