//! The rows the screens and the recording commands share: a core record
//! with display names (area, agency, alias) beside its ids, and the cells
//! it makes in a text table.

use super::{when, words};
use nightround_core::domain::{Concern, Consent, ConsentState, Contact, Referral, SupplyLine};
use serde::Serialize;

/// Supplies as `condoms 10, hygiene_pack 1`: the ids `--supply` takes.
pub(super) fn supply_words(lines: &[SupplyLine]) -> String {
    lines
        .iter()
        .map(|l| format!("{} {}", l.item_id, l.quantity))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Enum values as words, comma-separated.
pub(super) fn list_words<T: Serialize>(items: &[T]) -> String {
    items.iter().map(words).collect::<Vec<_>>().join(", ")
}

/// A contact with its area's and person's names beside the ids.
#[derive(Debug, Clone, Serialize)]
pub struct ContactRow {
    /// The contact as the core stores it.
    #[serde(flatten)]
    pub contact: Contact,
    /// The area's name from the directory.
    pub area_name: String,
    /// Her alias, or `None` for an anonymous contact.
    pub person_alias: Option<String>,
}

/// A concern with its area's name.
#[derive(Debug, Clone, Serialize)]
pub struct ConcernRow {
    /// The concern as the core stores it.
    #[serde(flatten)]
    pub concern: Concern,
    /// The area's name from the directory.
    pub area_name: String,
}

/// A referral with names and whether it is overdue now.
#[derive(Debug, Clone, Serialize)]
pub struct ReferralRow {
    /// The referral as the core stores it.
    #[serde(flatten)]
    pub referral: Referral,
    /// The agency's name from the directory.
    pub agency_name: String,
    /// Her alias, if the person is on this device.
    pub person_alias: Option<String>,
    /// Past its due time with no answer, computed at the moment of asking.
    pub overdue: bool,
}

/// A consent with its agency's name and where it stands now.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentRow {
    /// The consent as the core stores it.
    #[serde(flatten)]
    pub consent: Consent,
    /// The agency's name from the directory.
    pub agency_name: String,
    /// Valid, due for review or withdrawn, now.
    pub state: ConsentState,
}

/// A referral's cells under [`REFERRAL_HEADER`], OVERDUE first.
pub(super) fn referral_cells(r: &ReferralRow) -> Vec<String> {
    vec![
        if r.overdue { "OVERDUE" } else { "" }.to_owned(),
        when(r.referral.due_at),
        words(&r.referral.urgency),
        r.referral.status.as_str().to_owned(),
        r.agency_name.clone(),
        r.person_alias.clone().unwrap_or_else(|| "(unknown)".into()),
        r.referral.id.to_string(),
    ]
}

/// The referral table's columns.
pub(super) const REFERRAL_HEADER: [&str; 7] =
    ["!", "due", "urgency", "status", "agency", "who", "id"];
