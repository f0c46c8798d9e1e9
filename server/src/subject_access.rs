//! Subject access (UK GDPR Article 15): everything the partnership holds
//! about one woman — every record of every kind that is hers or names her,
//! its history, who it was shared with and when (the deliveries the pull
//! keeps), and under which controller and lawful basis each record is held
//! (the agreement) — as JSON and as a readable HTML page. Other women's
//! aliases and ids and workers' names and ids are redacted: the export is
//! hers, and must not disclose third parties (Article 15(4)). The export is
//! audited.

use crate::store::data_protection::{DataProtectionStore, HeldRecord};
use crate::store::{StoreError, Worker};
use askama::Template;
use nightround_core::domain::agreement::SharingAgreement;
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// What stands in for a redacted identifier.
pub const REDACTED_PERSON: &str = "[another person]";
/// What stands in for a worker's name or id.
pub const REDACTED_WORKER: &str = "[worker]";

/// The controller of a record and its lawful basis, from the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalBasis {
    pub controller: String,
    pub article6: String,
    pub article9: String,
}

/// The controller and lawful basis of what `organisation_id` records; an
/// organisation the agreement does not name says so (a gap to fix in the
/// agreement, never guessed at).
pub fn legal_basis(agreement: &SharingAgreement, organisation_id: &str) -> LegalBasis {
    match agreement.controller(organisation_id) {
        Some(c) => LegalBasis {
            controller: c.name.clone(),
            article6: c.article6.citation().into(),
            article9: c.article9.citation(),
        },
        None => LegalBasis {
            controller: format!("{organisation_id} (not named in the agreement)"),
            article6: "not stated".into(),
            article9: "not stated".into(),
        },
    }
}

/// One earlier value of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportHistory {
    pub version: String,
    pub field: Option<String>,
    pub recorded_at: Timestamp,
    pub value: Value,
}

/// One record held about her.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRecord {
    pub kind: RecordKind,
    pub id: Uuid,
    pub organisation: String,
    pub legal_basis: LegalBasis,
    pub body: Value,
    pub history: Vec<ExportHistory>,
}

/// One time a record of hers went to a phone of another service or of a
/// colleague: which organisation, which kind of worker, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SharedWith {
    pub kind: RecordKind,
    pub record_id: Uuid,
    pub organisation: String,
    pub role: String,
    pub agency: Option<String>,
    pub why: String,
    /// The categories sent, when only some were.
    pub categories: Option<String>,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
    pub retracted_at: Option<Timestamp>,
}

/// The whole export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectAccessExport {
    pub person: Uuid,
    pub generated_at: Timestamp,
    pub agreement: String,
    pub records: Vec<ExportRecord>,
    pub shared_with: Vec<SharedWith>,
    pub redactions: &'static str,
}

const REDACTIONS: &str = "Other people's names and identifiers and workers' names are replaced \
     by [another person] and [worker]: this copy is hers, and must not disclose anyone else.";

/// Replaces third parties' identifiers in a record body.
struct Redactor {
    /// Other women's ids (as text).
    ids: Vec<String>,
    /// Other women's aliases and workers' names, lower case, with what
    /// replaces each.
    words: Vec<(String, &'static str)>,
    /// Workers' ids.
    worker_ids: Vec<String>,
}

impl Redactor {
    fn new(person: Uuid, records: &[HeldRecord], workers: &[Worker]) -> Self {
        let mut ids = Vec::new();
        let mut words = Vec::new();
        // Street aliases repeat: another woman called by the same name must
        // not blank her own alias out of her own export.
        let own_aliases: Vec<String> = records
            .iter()
            .filter(|r| r.kind == RecordKind::Person && r.id == person)
            .filter_map(|r| r.body.get("alias").and_then(|a| a.as_str()))
            .map(|a| a.trim().to_lowercase())
            .collect();
        for r in records.iter().filter(|r| r.kind == RecordKind::Person) {
            if r.id == person {
                continue;
            }
            ids.push(r.id.to_string());
            if let Some(alias) = r.body.get("alias").and_then(|a| a.as_str()) {
                let alias = alias.trim().to_lowercase();
                if !alias.is_empty() && !own_aliases.contains(&alias) {
                    words.push((alias, REDACTED_PERSON));
                }
            }
        }
        for w in workers {
            let name = w.display_name.trim().to_lowercase();
            if !name.is_empty() {
                words.push((name, REDACTED_WORKER));
            }
        }
        // Longer first, so that "Kim Lee" goes before "Kim".
        words.sort_by_key(|w| std::cmp::Reverse(w.0.len()));
        Redactor {
            ids,
            words,
            worker_ids: workers.iter().map(|w| w.id.clone()).collect(),
        }
    }

    fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        let x = match k.as_str() {
                            // A worker identity: keep role and organisation.
                            "worker_id" | "display_name" | "acknowledged_by" => {
                                Value::String(REDACTED_WORKER.into())
                            }
                            _ => self.value(x),
                        };
                        (k.clone(), x)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn text(&self, s: &str) -> String {
        if self.ids.iter().any(|i| i == s) {
            return REDACTED_PERSON.into();
        }
        if self.worker_ids.iter().any(|i| i == s) {
            return REDACTED_WORKER.into();
        }
        let mut out = s.to_owned();
        for id in &self.ids {
            out = out.replace(id.as_str(), REDACTED_PERSON);
        }
        for (word, with) in &self.words {
            out = replace_word(&out, word, with);
        }
        out
    }
}

/// Replaces whole-word, case-insensitive occurrences of `word` (lower case).
fn replace_word(s: &str, word: &str, with: &str) -> String {
    let lower = s.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII: then match on the
    // text as it is, case-sensitively, rather than mis-slice.
    if lower.len() != s.len() {
        return s.replace(word, with);
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find(word) {
        let start = i + found;
        let end = start + word.len();
        let before_ok = s[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = s[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&s[i..start]);
        if before_ok && after_ok {
            out.push_str(with);
        } else {
            out.push_str(&s[start..end]);
        }
        i = end;
    }
    out.push_str(&s[i..]);
    out
}

/// Whether a record is hers or names her.
fn about(r: &HeldRecord, person: Uuid) -> bool {
    r.id == person
        || r.person_id == Some(person)
        || (r.kind == RecordKind::Concern
            && r.body.get("reported_by").and_then(|v| v.as_str())
                == Some(person.to_string().as_str()))
}

/// Builds her export (not yet audited: see `Admin::subject_access`).
pub fn export(
    store: &dyn DataProtectionStore,
    agreement: &SharingAgreement,
    workers: &[Worker],
    person: Uuid,
    now: Timestamp,
) -> Result<Option<SubjectAccessExport>, StoreError> {
    let all = store.held_records(None)?;
    if !all.iter().any(|r| r.id == person) {
        return Ok(None);
    }
    let redactor = Redactor::new(person, &all, workers);
    let mut records = Vec::new();
    for r in all.iter().filter(|r| about(r, person)) {
        let history = store
            .history_of(r.kind, r.id)?
            .into_iter()
            .map(|h| ExportHistory {
                version: h.version,
                field: h.field,
                recorded_at: h.recorded_at,
                value: redactor.value(&h.value),
            })
            .collect();
        records.push(ExportRecord {
            kind: r.kind,
            id: r.id,
            organisation: agreement
                .controller(&r.organisation_id)
                .map_or_else(|| r.organisation_id.clone(), |c| c.name.clone()),
            legal_basis: legal_basis(agreement, &r.organisation_id),
            body: redactor.value(&Value::Object(r.body.clone())),
            history,
        });
    }
    let shared_with = store
        .deliveries_of(person)?
        .into_iter()
        .map(|d| SharedWith {
            kind: d.kind,
            record_id: d.record_id,
            organisation: agreement
                .controller(&d.organisation_id)
                .map_or_else(|| d.organisation_id.clone(), |c| c.name.clone()),
            role: d.role,
            agency: d.agency_id,
            why: d.route,
            categories: d.categories,
            first_at: d.first_at,
            last_at: d.delivered_at,
            retracted_at: d.retracted_at,
        })
        .collect();
    Ok(Some(SubjectAccessExport {
        person,
        generated_at: now,
        agreement: agreement.name.clone(),
        records,
        shared_with,
        redactions: REDACTIONS,
    }))
}

/// One record as the page shows it: its fields as label and text.
struct PageRecord {
    title: String,
    basis: String,
    fields: Vec<(String, String)>,
    history: Vec<String>,
}

#[derive(Template)]
#[template(path = "subject_access.html")]
struct Page<'a> {
    e: &'a SubjectAccessExport,
    records: Vec<PageRecord>,
    shared: Vec<(String, String, String, String)>,
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn when(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The export as a readable, self-contained HTML page (escaped by askama).
pub fn render_html(e: &SubjectAccessExport) -> Result<String, askama::Error> {
    let records = e
        .records
        .iter()
        .map(|r| PageRecord {
            title: format!("{} {}", r.kind.as_str().replace('_', " "), r.id),
            basis: format!(
                "Controller: {}. Lawful basis: {}; {}.",
                r.legal_basis.controller, r.legal_basis.article6, r.legal_basis.article9
            ),
            fields: r
                .body
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.replace('_', " "), show(v)))
                        .collect()
                })
                .unwrap_or_default(),
            history: r
                .history
                .iter()
                .map(|h| {
                    format!(
                        "{} ({}): {}",
                        when(h.recorded_at),
                        h.field.as_deref().unwrap_or("whole record"),
                        show(&h.value)
                    )
                })
                .collect(),
        })
        .collect();
    let shared = e
        .shared_with
        .iter()
        .map(|s| {
            (
                format!("{} {}", s.kind.as_str().replace('_', " "), s.record_id),
                format!(
                    "{} ({}{})",
                    s.organisation,
                    s.role.replace('_', " "),
                    s.agency
                        .as_deref()
                        .map(|a| format!(", {a}"))
                        .unwrap_or_default()
                ),
                format!(
                    "{} to {}{}",
                    when(s.first_at),
                    when(s.last_at),
                    s.retracted_at
                        .map(|t| format!("; withdrawn {}", when(t)))
                        .unwrap_or_default()
                ),
                s.categories
                    .clone()
                    .unwrap_or_else(|| "the whole record".into()),
            )
        })
        .collect();
    Page { e, records, shared }.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn person_record(id: Uuid, alias: &str) -> HeldRecord {
        let Value::Object(body) = json!({ "id": id.to_string(), "alias": alias }) else {
            unreachable!("a JSON object literal")
        };
        HeldRecord {
            id,
            kind: RecordKind::Person,
            person_id: Some(id),
            organisation_id: "aspirations".into(),
            body,
        }
    }

    #[test]
    fn another_woman_with_her_alias_does_not_blank_her_own() {
        let (her, namesake, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let records = [
            person_record(her, "Wren"),
            person_record(namesake, "wren"),
            person_record(other, "Marigold"),
        ];
        let r = Redactor::new(her, &records, &[]);
        assert_eq!(r.text("Wren"), "Wren");
        assert_eq!(r.text("Marigold"), REDACTED_PERSON);
        assert_eq!(r.text(&namesake.to_string()), REDACTED_PERSON);
    }
}
