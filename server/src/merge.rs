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

/// Merges `incoming` (written at `incoming_version`) into `current`. Fields
/// the incoming body does not carry are left alone (an older app may not
/// know a newer field).
pub fn merge(
    current: &Map<String, Value>,
    versions: &FieldVersions,
    incoming: &Map<String, Value>,
    incoming_version: &str,
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
