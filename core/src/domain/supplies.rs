//! Harm-reduction supplies: handed out in a contact, or on their own
//! (restocking the hidden drop box, a handful of leaflets left at a hostel).

use super::directory::Directory;
use super::identity::WorkerIdentity;
use super::validation::ValidationError;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most of one item that one record may list.
pub const MAX_QUANTITY: u32 = 500;

/// An item from the catalogue and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SupplyLine {
    pub item_id: String,
    pub quantity: u32,
}

/// Why supplies went out without a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum SupplyPurpose {
    /// Topping up the hidden drop box only the women know.
    RestockDropPoint,
    /// Left with a hostel, a venue or a partner.
    LeftWithPartner,
    /// Handed out without a recorded conversation.
    HandedOut,
}

/// What the "supplies only" screen fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SupplyDropDraft {
    pub at: Option<Timestamp>,
    pub area_id: String,
    pub purpose: SupplyPurpose,
    pub lines: Vec<SupplyLine>,
}

/// Supplies given on their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SupplyDrop {
    pub id: Uuid,
    pub at: Timestamp,
    pub area_id: String,
    pub purpose: SupplyPurpose,
    pub lines: Vec<SupplyLine>,
    pub recorded_by: WorkerIdentity,
}

/// How many of an item went out in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SupplyTotal {
    pub item_id: String,
    pub name: String,
    pub quantity: u64,
}

/// Checks every line against the catalogue; an item may appear once.
pub fn validate_lines(lines: &[SupplyLine], dir: &Directory) -> Result<(), ValidationError> {
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        if dir.supply(&line.item_id).is_none() {
            return Err(ValidationError::UnknownSupplyItem);
        }
        if line.quantity == 0 {
            return Err(ValidationError::ZeroQuantity);
        }
        if line.quantity > MAX_QUANTITY {
            return Err(ValidationError::QuantityTooLarge { max: MAX_QUANTITY });
        }
        if !seen.insert(line.item_id.as_str()) {
            return Err(ValidationError::DuplicateSupplyItem);
        }
    }
    Ok(())
}

impl SupplyDropDraft {
    pub fn validate(&self, dir: &Directory) -> Result<(), ValidationError> {
        if dir.area(&self.area_id).is_none() {
            return Err(ValidationError::UnknownArea);
        }
        if self.lines.is_empty() {
            return Err(ValidationError::NoSupplies);
        }
        validate_lines(&self.lines, dir)
    }
}

/// Adds lines into running totals, in catalogue order.
pub fn totals<'a>(
    lines: impl IntoIterator<Item = &'a SupplyLine>,
    dir: &Directory,
) -> Vec<SupplyTotal> {
    let mut sums: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for l in lines {
        *sums.entry(l.item_id.as_str()).or_default() += u64::from(l.quantity);
    }
    let mut out: Vec<SupplyTotal> = dir
        .supplies
        .iter()
        .filter_map(|s| {
            sums.remove(s.id.as_str()).map(|q| SupplyTotal {
                item_id: s.id.clone(),
                name: s.name.clone(),
                quantity: q,
            })
        })
        .collect();
    // Items since removed from the catalogue still count.
    let mut rest: Vec<_> = sums.into_iter().collect();
    rest.sort_unstable();
    out.extend(rest.into_iter().map(|(id, q)| SupplyTotal {
        item_id: id.to_owned(),
        name: id.to_owned(),
        quantity: q,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, q: u32) -> SupplyLine {
        SupplyLine {
            item_id: id.into(),
            quantity: q,
        }
    }

    #[test]
    fn lines_are_checked() {
        let d = Directory::southend_defaults();
        assert!(validate_lines(&[line("condoms", 10), line("naloxone", 1)], &d).is_ok());
        assert_eq!(
            validate_lines(&[line("condoms", 0)], &d),
            Err(ValidationError::ZeroQuantity)
        );
        assert_eq!(
            validate_lines(&[line("crack_pipe", 1)], &d),
            Err(ValidationError::UnknownSupplyItem)
        );
        assert_eq!(
            validate_lines(&[line("condoms", 1), line("condoms", 2)], &d),
            Err(ValidationError::DuplicateSupplyItem)
        );
        assert_eq!(
            validate_lines(&[line("condoms", 501)], &d),
            Err(ValidationError::QuantityTooLarge { max: 500 })
        );
    }

    #[test]
    fn totals_follow_catalogue_order() {
        let d = Directory::southend_defaults();
        let lines = [line("leaflet", 1), line("condoms", 10), line("leaflet", 2)];
        let t = totals(lines.iter(), &d);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].item_id.as_str(), t[0].quantity), ("condoms", 10));
        assert_eq!((t[1].item_id.as_str(), t[1].quantity), ("leaflet", 3));
    }
}
