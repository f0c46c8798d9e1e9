//! The projection hook: what of a record goes to a viewer who sees it only
//! through her consent (protocol version 2, ADR 0009): a pull and the
//! dashboard (`store/sqlite/dashboard.rs`, `open_visible`) both apply it.
//!
//! The categories a viewer may receive are the union of what the woman's
//! consents in force to the viewer's agency (or, for the police, to any
//! police agency) cover; [`allowed_categories`] computes it from the opened
//! consent bodies. [`project`] (the core's data dictionary,
//! `nightround_core::domain::categories`) then removes every field outside
//! them, failing closed on a field it does not know.
//!
//! The partnership's agreement then caps them ([`cap_by_agreement`]): what
//! she consented to, within what the agreement lets that receiver's kind of
//! organisation hold. Where the agreement comes from is the stored one
//! (`PartnershipStore::agreement`). **When none is stored** the cap is not
//! applied and her consents alone decide: a server that has not been given
//! an agreement has no partnership rule to apply, and inventing one (the
//! Southend example) would withhold or release on rules nobody agreed. The
//! dashboard warns until an agreement is imported.

use nightround_core::domain::agreement::{OrganisationKind, SharingAgreement};
use nightround_core::domain::InfoCategory;
use serde::Deserialize;
use serde_json::{Map, Value};

pub use nightround_core::domain::categories::project;

/// The categories covered by a set of consent bodies (in force, already
/// chosen by the caller), sorted and without repeats. A body whose `covers`
/// does not read counts for nothing: the safe side.
pub fn allowed_categories<'a>(
    consents: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> Vec<InfoCategory> {
    let mut out: Vec<InfoCategory> = Vec::new();
    for body in consents {
        let covers: Vec<InfoCategory> = body
            .get("covers")
            .and_then(|c| Vec::<InfoCategory>::deserialize(c).ok())
            .unwrap_or_default();
        for c in covers {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    InfoCategory::ALL
        .into_iter()
        .filter(|c| out.contains(c))
        .collect()
}

/// Who receives under a consent route: a receiving agency (its id is its
/// controller id in the agreement) or, for `None`, the police.
#[derive(Debug, Clone, Copy)]
pub enum Receiver<'a> {
    Agency(&'a str),
    Police,
}

/// `consented` (from [`allowed_categories`]) within what `agreement` lets
/// the receiver hold, in [`InfoCategory::ALL`] order. An agency the
/// agreement does not name receives nothing; no agreement: `consented` as
/// is (see the module doc).
pub fn cap_by_agreement(
    agreement: Option<&SharingAgreement>,
    receiver: Receiver<'_>,
    consented: Vec<InfoCategory>,
) -> Vec<InfoCategory> {
    let Some(agreement) = agreement else {
        return consented;
    };
    match receiver {
        Receiver::Agency(id) => agreement.allowed_for_organisation(id, &consented),
        Receiver::Police => agreement.allowed_categories(OrganisationKind::Police, &consented),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn allowed_categories_are_the_union_of_what_consents_cover() {
        let a = json!({"covers": ["health", "housing"]});
        let b = json!({"covers": ["housing", "contact_details"]});
        let bad = json!({"covers": "everything"});
        let bodies: Vec<&Map<String, Value>> = [&a, &b, &bad]
            .into_iter()
            .map(|v| v.as_object().unwrap())
            .collect();
        let got = allowed_categories(bodies);
        assert_eq!(got.len(), 3);
        assert!(got.contains(&InfoCategory::Health));
        assert!(got.contains(&InfoCategory::ContactDetails));
        assert!(!got.contains(&InfoCategory::SubstanceUse));
        assert!(allowed_categories(std::iter::empty()).is_empty());
    }

    #[test]
    fn the_agreement_caps_what_she_consented_to() {
        use InfoCategory::*;
        let a = SharingAgreement::southend_example();
        let consented = vec![ContactDetails, FreeTextNote, Health];
        // The example lets the police receive no notes and no health.
        let police = cap_by_agreement(Some(&a), Receiver::Police, consented.clone());
        assert_eq!(police, vec![ContactDetails]);
        let stars = cap_by_agreement(Some(&a), Receiver::Agency("stars"), consented.clone());
        assert!(stars.contains(&FreeTextNote) && stars.contains(&Health));
        let unknown = cap_by_agreement(Some(&a), Receiver::Agency("nobody"), consented.clone());
        assert!(unknown.is_empty());
        assert_eq!(
            cap_by_agreement(None, Receiver::Police, consented.clone()),
            consented
        );
    }
}
