//! The data dictionary: every field of every record kind, and the one class
//! it belongs to. Her consent is given in information categories, so a
//! record reaches a viewer projected to the categories she agreed to: this
//! table is where a field's category is decided, once, for the server, the
//! dashboard, the phones and `docs/data-dictionary.md` alike.
//!
//! A field absent from a projected body means "not shared with you", never
//! "blank": the record types give such fields a serde default only so that a
//! projected body still parses (see [`project`]).

use super::consent::InfoCategory;
use super::kind::RecordKind;
use serde_json::{Map, Value};

/// What a field is, for sharing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldClass {
    /// Keeps a record a record: its id, the link to her, its author, its time
    /// and the terms a receiver needs (a consent's scope, a referral's
    /// clock). Never removed by [`project`]; whether the record reaches a
    /// viewer at all is the policy table's decision, not the projection's.
    Structural,
    /// Information about her, shared only as far as her consent covers it.
    Category(InfoCategory),
    /// About the service's own work, not about any woman (a worker's round,
    /// her check-ins, supplies left at a drop point). Outside her consent:
    /// the policy table keeps these within the team. Never removed by
    /// [`project`].
    Operational,
}

impl FieldClass {
    /// How the data dictionary names the class.
    pub fn label(self) -> &'static str {
        match self {
            FieldClass::Structural => "Structural",
            FieldClass::Category(c) => c.label(),
            FieldClass::Operational => "Operational",
        }
    }

    /// Whether a viewer allowed `allowed` may hold a field of this class.
    pub fn is_allowed(self, allowed: &[InfoCategory]) -> bool {
        match self {
            FieldClass::Structural | FieldClass::Operational => true,
            FieldClass::Category(c) => allowed.contains(&c),
        }
    }
}

/// One row of the data dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldEntry {
    pub kind: RecordKind,
    /// The serde name of a top-level field of the kind's record.
    pub field: &'static str,
    pub class: FieldClass,
    /// What the field holds, in one line.
    pub meaning: &'static str,
}

use FieldClass::{Category as C, Operational as O, Structural as S};
use InfoCategory::{
    ContactDetails, ContactHistory, FreeTextNote, Health, Safety, Wellbeing as WellbeingCat,
};
use RecordKind::{CheckIn, Concern, Consent, Contact, Person, Referral, Round, SupplyDrop};

const fn f(
    kind: RecordKind,
    field: &'static str,
    class: FieldClass,
    meaning: &'static str,
) -> FieldEntry {
    FieldEntry {
        kind,
        field,
        class,
        meaning,
    }
}

/// Every field of every record kind. A test serialises a full record of each
/// kind and fails if a field is missing here or listed here but gone.
#[rustfmt::skip]
pub const FIELDS: &[FieldEntry] = &[
    // person
    f(Person, "id", S, "The profile's identifier."),
    f(Person, "alias", C(ContactDetails), "The name she gives; never required to be a legal name."),
    f(Person, "description", C(ContactDetails), "How workers recognise her."),
    f(Person, "birth_year", C(ContactDetails), "The year she was born, if she said."),
    f(Person, "registered_with_outreach", C(ContactHistory), "Whether she is registered with the outreach service."),
    f(Person, "prefers_female_worker", C(ContactDetails), "Whether she asked to see women workers only."),
    f(Person, "key_worker", C(ContactDetails), "Her key worker."),
    f(Person, "created_at", S, "When the profile was made; retention counts from her records' times."),
    f(Person, "updated_at", S, "When the profile last changed."),
    f(Person, "recorded_by", S, "The worker who made the profile."),
    // contact
    f(Contact, "id", S, "The contact's identifier."),
    f(Contact, "person_id", S, "The profile it belongs to; none for an anonymous contact."),
    f(Contact, "at", S, "When it happened; the phone's retention window counts from it."),
    f(Contact, "area_id", C(ContactHistory), "The street area where it happened (never GPS)."),
    f(Contact, "kind", C(ContactHistory), "Outreach conversation, police welfare check, drop-in visit or phone call."),
    f(Contact, "wellbeing", C(WellbeingCat), "What the worker noticed: intoxicated, injured, distressed, unwell, first contact, appears under 18."),
    f(Contact, "note", C(FreeTextNote), "The worker's note."),
    f(Contact, "supplies", C(Health), "Harm-reduction supplies she was given (they can tell of drug use and sexual health)."),
    f(Contact, "safeguarding", C(Safety), "Who acknowledged the under-18 safeguarding prompt, and when."),
    f(Contact, "recorded_by", S, "The worker who recorded it."),
    // supply_drop
    f(SupplyDrop, "id", S, "The record's identifier."),
    f(SupplyDrop, "at", S, "When the supplies went out."),
    f(SupplyDrop, "area_id", O, "Where they went out."),
    f(SupplyDrop, "purpose", O, "Drop-point restock, left with a partner, or handed out."),
    f(SupplyDrop, "lines", O, "Which items, how many."),
    f(SupplyDrop, "recorded_by", S, "The worker who recorded it."),
    // concern
    f(Concern, "id", S, "The concern's identifier."),
    f(Concern, "category", C(Safety), "Violence, robbery, threats, stalking, a dangerous vehicle, spiking, exploitation or other."),
    f(Concern, "description", C(Safety), "The description of the man or what happened, in the reporter's words."),
    f(Concern, "vehicle", C(Safety), "Make, colour and partial registration, as far as seen."),
    f(Concern, "area_id", C(Safety), "Where it happened."),
    f(Concern, "at", S, "When it happened."),
    f(Concern, "severity", C(Safety), "Low, medium or high."),
    f(Concern, "alert_until", S, "Until when it is a team alert; phones drop the alert after it."),
    f(Concern, "police_consent", S, "Whether she agreed the police may be told; the server routes on it."),
    f(Concern, "reported_by", S, "Her profile, if she is known; none keeps the report anonymous."),
    f(Concern, "recorded_by", S, "The worker who recorded it."),
    // consent
    f(Consent, "id", S, "The consent's identifier."),
    f(Consent, "person_id", S, "Whose consent it is."),
    f(Consent, "agency_id", S, "The agency it lets her information go to."),
    f(Consent, "method", S, "Verbal or written."),
    f(Consent, "taken_by", S, "The worker who took it."),
    f(Consent, "given_at", S, "When she gave it."),
    f(Consent, "covers", S, "The information categories it covers."),
    f(Consent, "review_at", S, "When it must be reviewed with her; it lapses then."),
    f(Consent, "withdrawn_at", S, "When she withdrew it, if she did."),
    // referral
    f(Referral, "id", S, "The referral's identifier."),
    f(Referral, "person_id", S, "Whom it is for."),
    f(Referral, "agency_id", S, "The agency it goes to."),
    f(Referral, "needs", C(FreeTextNote), "What she needs, in the worker's words."),
    f(Referral, "urgency", S, "Red, amber or green: sets the agency's response deadline."),
    f(Referral, "consent_id", S, "The consent it was made under."),
    f(Referral, "created_at", S, "When it was made."),
    f(Referral, "due_at", S, "When the agency committed to respond by."),
    f(Referral, "status", S, "Where it stands with the agency."),
    f(Referral, "history", S, "Each status it passed through, when and by whom."),
    f(Referral, "recorded_by", S, "The worker who made it."),
    // round
    f(Round, "id", S, "The round's identifier."),
    f(Round, "started_at", O, "When the worker went out."),
    f(Round, "expected_end", O, "When she expects to be back."),
    f(Round, "check_in_minutes", O, "Minutes between her check-ins."),
    f(Round, "buddy", O, "Who is told first if she goes quiet."),
    f(Round, "area_id", O, "Where she started."),
    f(Round, "ended_at", O, "When she ended the round."),
    f(Round, "recorded_by", S, "The worker who is out."),
    f(Round, "watch", O, "The server's watch: missed, heard from again, resolved."),
    // check_in
    f(CheckIn, "id", S, "The check-in's identifier."),
    f(CheckIn, "round_id", S, "The round it belongs to."),
    f(CheckIn, "kind", O, "All right, or need help."),
    f(CheckIn, "made_at", O, "When she tapped."),
    f(CheckIn, "area_id", O, "The worker's last known area."),
    f(CheckIn, "alert_until", O, "Until when a help call is a team alert."),
    f(CheckIn, "recorded_by", S, "The worker who checked in."),
];

/// The data-dictionary rows of one kind, in table order.
pub fn fields_of(kind: RecordKind) -> impl Iterator<Item = &'static FieldEntry> {
    FIELDS.iter().filter(move |e| e.kind == kind)
}

/// The class of a field of a kind; `None` for a field the dictionary does
/// not know (which [`project`] therefore removes).
pub fn category_of(kind: RecordKind, field: &str) -> Option<FieldClass> {
    fields_of(kind).find(|e| e.field == field).map(|e| e.class)
}

/// Projects a record body to what a viewer allowed `allowed` may hold:
/// removes every field whose category is not in `allowed`, and every field
/// the dictionary does not know (fail closed); structural and operational
/// fields are kept. Returns the removed field names, sorted.
///
/// The result still deserialises as the kind's record type; a removed field
/// then takes its serde default, which means "not shared", not "blank".
pub fn project(
    kind: RecordKind,
    body: &mut Map<String, Value>,
    allowed: &[InfoCategory],
) -> Vec<String> {
    let mut removed: Vec<String> = body
        .keys()
        .filter(|k| !category_of(kind, k).is_some_and(|c| c.is_allowed(allowed)))
        .cloned()
        .collect();
    for k in &removed {
        body.remove(k);
    }
    removed.sort_unstable();
    removed
}

/// Whether a projected body still holds anything beyond its structure: a
/// record that holds only structural fields tells a viewer nothing she may
/// know but that the record exists, and a server may choose not to send it.
pub fn has_shared_content(kind: RecordKind, body: &Map<String, Value>) -> bool {
    body.keys()
        .any(|k| category_of(kind, k).is_some_and(|c| c != FieldClass::Structural))
}

/// The categories that some field of `kind` belongs to, in
/// [`InfoCategory::ALL`] order.
pub fn categories_of(kind: RecordKind) -> Vec<InfoCategory> {
    InfoCategory::ALL
        .into_iter()
        .filter(|c| fields_of(kind).any(|e| e.class == FieldClass::Category(*c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_is_listed_once() {
        for (i, a) in FIELDS.iter().enumerate() {
            assert!(
                FIELDS[i + 1..]
                    .iter()
                    .all(|b| (b.kind, b.field) != (a.kind, a.field)),
                "{} {} listed twice",
                a.kind.as_str(),
                a.field
            );
            assert!(a.meaning.ends_with('.'), "{} needs a meaning", a.field);
        }
    }

    #[test]
    fn projection_removes_what_is_not_allowed_and_what_is_unknown() {
        let mut body: Map<String, Value> = serde_json::from_str(
            r#"{"id":"x","person_id":"p","note":"n","wellbeing":["distressed"],
                "area_id":"york_road","smuggled":"?"}"#,
        )
        .unwrap();
        let removed = project(Contact, &mut body, &[WellbeingCat]);
        assert_eq!(removed, ["area_id", "note", "smuggled"]);
        let mut keys: Vec<_> = body.keys().cloned().collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "person_id", "wellbeing"]);
        assert!(has_shared_content(Contact, &body));
        project(Contact, &mut body, &[]);
        assert!(!has_shared_content(Contact, &body));
    }

    #[test]
    fn lookups() {
        assert_eq!(category_of(Contact, "note"), Some(C(FreeTextNote)));
        assert_eq!(category_of(Contact, "id"), Some(S));
        assert_eq!(category_of(Round, "watch"), Some(O));
        assert_eq!(category_of(Contact, "alias"), None);
        assert_eq!(categories_of(Round), []);
        assert!(categories_of(Contact).contains(&FreeTextNote));
    }
}
