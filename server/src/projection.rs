//! The projection hook: what of a record goes to a viewer who sees it only
//! through her consent (protocol version 2, ADR 0009).
//!
//! The categories a viewer may receive are the union of what the woman's
//! consents in force to the viewer's agency (or, for the police, to any
//! police agency) cover; [`allowed_categories`] computes it from the opened
//! consent bodies. [`project`] (the core's data dictionary,
//! `nightround_core::domain::categories`) then removes every field outside
//! them, failing closed on a field it does not know.
//!
//! The partnership agreement's ceiling per kind of organisation caps it
//! ([`capped_by_agreement`]) where the stored agreement names the receiving
//! organisation or agency as a controller (issue 14's shared profiles).

use nightround_core::domain::agreement::SharingAgreement;
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

/// What her consents allow (`covers`), capped by what the stored agreement
/// lets the receiver's kind of organisation receive, where the agreement
/// names `receiver` (an organisation id, the same as its agency id) as a
/// controller. No agreement, the police route (`None`), or a receiver the
/// agreement does not name: her consents alone decide, as before.
pub fn capped_by_agreement(
    covers: Vec<InfoCategory>,
    agreement: Option<&SharingAgreement>,
    receiver: Option<&str>,
) -> Vec<InfoCategory> {
    match (agreement, receiver) {
        (Some(a), Some(r)) => match a.controller(r) {
            Some(c) => a.allowed_categories(c.kind, &covers),
            None => covers,
        },
        _ => covers,
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
    fn the_agreement_caps_what_a_named_organisation_receives() {
        let a = SharingAgreement::southend_example();
        let every = InfoCategory::ALL.to_vec();
        let storehouse = a.controller("storehouse").expect("the example names it");
        let cap = a.may_receive(storehouse.kind);
        let got = capped_by_agreement(every.clone(), Some(&a), Some("storehouse"));
        assert!(got.iter().all(|c| cap.contains(c)), "{got:?}");
        assert!(got.len() < every.len(), "the example caps something");
        assert_eq!(
            capped_by_agreement(every.clone(), Some(&a), Some("nobody")),
            every
        );
        assert_eq!(
            capped_by_agreement(every.clone(), None, Some("storehouse")),
            every
        );
        assert_eq!(capped_by_agreement(every.clone(), Some(&a), None), every);
    }
}
