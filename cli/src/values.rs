//! Command-line values for the core's types: its enums by their snake_case
//! wire names (the same words the JSON output uses), and `item=qty` supply
//! lines. The core's types cannot derive clap's traits, so each enum's names
//! are listed here once; a match in each list fails to compile when the core
//! adds a variant, and a test checks the names against serde's.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use nightround_core::domain::{
    ConcernCategory, ConsentMethod, ContactKind, InfoCategory, ReferralStatus, Role, Severity,
    SupplyLine, SupplyPurpose, Urgency, WellbeingFlag,
};

/// Defines a parser for a core enum from `Variant => "name" | "alias"` pairs,
/// plus `ALL_<NAME>` listing every `(variant, name)` for tests.
macro_rules! choices {
    ($(#[$doc:meta])* $parser:ident, $all:ident, $ty:ident {
        $($variant:ident => $name:literal $(| $alias:literal)*),+ $(,)?
    }) => {
        $(#[$doc])*
        pub fn $parser() -> impl TypedValueParser<Value = $ty> {
            PossibleValuesParser::new([$(PossibleValue::new($name)$(.alias($alias))*),+])
                .try_map(|s: String| match s.as_str() {
                    $($name $(| $alias)* => Ok($ty::$variant),)+
                    _ => Err(format!("`{s}` is not a choice")),
                })
        }

        /// Every choice and its name, for tests against the wire names.
        #[allow(dead_code)]
        pub(crate) const $all: &[($ty, &str)] = &[$(($ty::$variant, $name)),+];

        // Fails to compile when the core adds a variant that is not listed.
        const _: fn($ty) = |v| match v {
            $($ty::$variant => {}),+
        };
    };
}

choices!(
    /// Kinds of contact.
    contact_kind, ALL_CONTACT_KINDS, ContactKind {
        OutreachConversation => "outreach_conversation",
        PoliceWelfareCheck => "police_welfare_check",
        DropInVisit => "drop_in_visit",
        Phone => "phone",
    }
);

choices!(
    /// What the worker noticed.
    wellbeing_flag, ALL_WELLBEING_FLAGS, WellbeingFlag {
        Intoxicated => "intoxicated",
        Injured => "injured",
        Distressed => "distressed",
        Unwell => "unwell",
        FirstContact => "first_contact",
        AppearsUnder18 => "appears_under18" | "appears_under_18",
    }
);

choices!(
    /// Why supplies went out without a contact.
    supply_purpose, ALL_SUPPLY_PURPOSES, SupplyPurpose {
        RestockDropPoint => "restock_drop_point",
        LeftWithPartner => "left_with_partner",
        HandedOut => "handed_out",
    }
);

choices!(
    /// Kinds of safety concern.
    concern_category, ALL_CONCERN_CATEGORIES, ConcernCategory {
        PhysicalViolence => "physical_violence",
        SexualViolence => "sexual_violence",
        Robbery => "robbery",
        Threats => "threats",
        Stalking => "stalking",
        DangerousVehicle => "dangerous_vehicle",
        Spiking => "spiking",
        Exploitation => "exploitation",
        Other => "other",
    }
);

choices!(
    /// How serious a concern is.
    severity, ALL_SEVERITIES, Severity {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
);

choices!(
    /// Referral urgency.
    urgency, ALL_URGENCIES, Urgency {
        Red => "red",
        Amber => "amber",
        Green => "green",
    }
);

choices!(
    /// How consent was given.
    consent_method, ALL_CONSENT_METHODS, ConsentMethod {
        Verbal => "verbal",
        Written => "written",
    }
);

choices!(
    /// What a consent covers.
    info_category, ALL_INFO_CATEGORIES, InfoCategory {
        ContactDetails => "contact_details",
        Health => "health",
        SubstanceUse => "substance_use",
        Housing => "housing",
        Safety => "safety",
        ContactHistory => "contact_history",
        Wellbeing => "wellbeing",
        CriminalJustice => "criminal_justice",
        FreeTextNote => "free_text_note",
    }
);

/// The statuses a worker may move a referral to; `draft` and `queued` are
/// set by the core itself.
pub fn referral_status() -> impl TypedValueParser<Value = ReferralStatus> {
    PossibleValuesParser::new(MOVABLE_STATUSES.map(|(_, name)| PossibleValue::new(name))).try_map(
        |s: String| {
            MOVABLE_STATUSES
                .iter()
                .find(|(_, name)| *name == s)
                .map(|(status, _)| *status)
                .ok_or_else(|| format!("`{s}` is not a status"))
        },
    )
}

const MOVABLE_STATUSES: [(ReferralStatus, &str); 5] = [
    (ReferralStatus::Sent, "sent"),
    (ReferralStatus::Acknowledged, "acknowledged"),
    (ReferralStatus::Accepted, "accepted"),
    (ReferralStatus::Declined, "declined"),
    (ReferralStatus::Closed, "closed"),
];

/// Roles a local vault may be made for. A receiving agency records nothing
/// on a round, so `init` does not offer it.
pub fn local_role() -> impl TypedValueParser<Value = Role> {
    PossibleValuesParser::new([
        PossibleValue::new("outreach_worker"),
        PossibleValue::new("police_officer"),
        PossibleValue::new("supervisor"),
    ])
    .try_map(|s: String| match s.as_str() {
        "outreach_worker" => Ok(Role::OutreachWorker),
        "police_officer" => Ok(Role::PoliceOfficer),
        "supervisor" => Ok(Role::Supervisor),
        _ => Err(format!("`{s}` is not a role")),
    })
}

/// Parses `item=quantity`, e.g. `condoms=10`. Whether the item is in the
/// catalogue is checked against the vault's directory later.
pub fn supply_line(s: &str) -> Result<SupplyLine, String> {
    let (item, qty) = s
        .split_once('=')
        .ok_or_else(|| "expected item=quantity, e.g. condoms=10".to_owned())?;
    let item = item.trim();
    if item.is_empty() {
        return Err("the item is missing: expected item=quantity".into());
    }
    let quantity: u32 = qty
        .trim()
        .parse()
        .map_err(|_| "the quantity must be a whole number, e.g. condoms=10".to_owned())?;
    Ok(SupplyLine {
        item_id: item.to_owned(),
        quantity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn check<T: Serialize>(all: &[(T, &str)]) {
        for (v, name) in all {
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                serde_json::Value::String((*name).to_owned())
            );
        }
    }

    #[test]
    fn names_are_the_wire_names() {
        check(ALL_CONTACT_KINDS);
        check(ALL_WELLBEING_FLAGS);
        check(ALL_SUPPLY_PURPOSES);
        check(ALL_CONCERN_CATEGORIES);
        check(ALL_SEVERITIES);
        check(ALL_URGENCIES);
        check(ALL_CONSENT_METHODS);
        check(ALL_INFO_CATEGORIES);
        check(&MOVABLE_STATUSES);
    }

    #[test]
    fn supply_lines() {
        let l = supply_line("condoms=10").unwrap();
        assert_eq!((l.item_id.as_str(), l.quantity), ("condoms", 10));
        assert!(supply_line("condoms").is_err());
        assert!(supply_line("=3").is_err());
        assert!(supply_line("condoms=-1").is_err());
        assert!(supply_line("condoms=lots").is_err());
    }
}
