//! What one stored state puts in the dashboard's indexes (issue 11, ADR
//! 0015): the rows of `contact_index`, `supply_index` and `referral_index`
//! a contact, a supply drop or a referral yields. Pure, so both backends
//! (`sqlite/dashboard_views.rs`, `postgres/dashboard_views.rs`) write the
//! same rows from the same state and show the same figures.
//!
//! Only who, when and how many leave the sealed body: no area, note,
//! wellbeing, alias or needs.

use nightround_core::domain::{Contact, RecordKind, Referral, SupplyDrop, SupplyLine, Urgency};
use nightround_core::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A contact's row: when, and the evening round that time belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub at: Timestamp,
    pub round: String,
}

/// One item's quantity in a contact or drop, summed over its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyRow {
    pub item_id: String,
    pub round: String,
    pub quantity: i64,
}

/// A referral's row: what the board counts and sorts by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralIndexRow {
    pub agency_id: String,
    pub urgency: &'static str,
    pub open: bool,
    pub awaiting: bool,
    pub due_at: Timestamp,
}

/// Every index row one state yields (none for a tombstone, another kind,
/// or a body that does not parse).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexRows {
    pub contact: Option<ContactRow>,
    pub supplies: Vec<SupplyRow>,
    pub referral: Option<ReferralIndexRow>,
}

/// Whether states of `kind` have index rows at all (the others need no
/// write and no delete).
pub fn is_indexed(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Contact | RecordKind::SupplyDrop | RecordKind::Referral
    )
}

/// The rows a live state of `kind` with `body` yields; `None` for a body
/// (a tombstone) yields none.
pub fn rows_of(kind: RecordKind, body: Option<&Map<String, Value>>) -> IndexRows {
    let Some(body) = body else {
        return IndexRows::default();
    };
    let parsed = || Value::Object(body.clone());
    match kind {
        RecordKind::Contact => match Contact::deserialize(parsed()) {
            Ok(c) => IndexRows {
                contact: Some(ContactRow {
                    at: c.at,
                    round: round_word(c.at),
                }),
                supplies: supplies(c.at, &c.supplies),
                referral: None,
            },
            Err(_) => IndexRows::default(),
        },
        RecordKind::SupplyDrop => match SupplyDrop::deserialize(parsed()) {
            Ok(d) => IndexRows {
                supplies: supplies(d.at, &d.lines),
                ..IndexRows::default()
            },
            Err(_) => IndexRows::default(),
        },
        RecordKind::Referral => match Referral::deserialize(parsed()) {
            Ok(r) => IndexRows {
                referral: Some(ReferralIndexRow {
                    urgency: urgency_word(r.urgency),
                    open: r.status.is_open(),
                    awaiting: r.status.awaits_response(),
                    due_at: r.due_at,
                    agency_id: r.agency_id,
                }),
                ..IndexRows::default()
            },
            Err(_) => IndexRows::default(),
        },
        _ => IndexRows::default(),
    }
}

fn round_word(at: Timestamp) -> String {
    crate::dashboard::time::round_of(at).to_string()
}

/// A record's supply lines, summed by item, under its round.
fn supplies(at: Timestamp, lines: &[SupplyLine]) -> Vec<SupplyRow> {
    let mut by_item: BTreeMap<&str, i64> = BTreeMap::new();
    for l in lines {
        *by_item.entry(l.item_id.as_str()).or_default() += i64::from(l.quantity);
    }
    let round = round_word(at);
    by_item
        .into_iter()
        .map(|(item, quantity)| SupplyRow {
            item_id: item.to_owned(),
            round: round.clone(),
            quantity,
        })
        .collect()
}

/// The word an urgency is stored as in `referral_index`.
pub fn urgency_word(u: Urgency) -> &'static str {
    match u {
        Urgency::Red => "red",
        Urgency::Amber => "amber",
        Urgency::Green => "green",
    }
}

/// The urgency a stored word names (anything unknown reads as green, the
/// least urgent, as before).
pub fn urgency_of(word: &str) -> Urgency {
    match word {
        "red" => Urgency::Red,
        "amber" => Urgency::Amber,
        _ => Urgency::Green,
    }
}

/// A stored round (`YYYY-MM-DD`) as a date.
pub fn round_date(s: &str) -> Result<chrono::NaiveDate, crate::store::StoreError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| crate::store::StoreError::Corrupt("an index's round"))
}
