//! Who may see and who may write what: the one policy table of the
//! information sharing agreement, used by pull, by push and (later) by the
//! dashboard. `docs/sync-protocol.md` ("Who sees what") is this table in
//! words; a test checks that the two say the same, and another walks every
//! role against every kind of record through a real server.
//!
//! Decisions the document leaves open, made here:
//!
//! - **Consent covers the police** when the person has a consent, not
//!   tombstoned, not withdrawn and not past its review date, to an agency the
//!   directory marks `is_police`. What she shares goes out **projected** to
//!   the categories her consents in force cover (`Route::Consent`, and
//!   `crate::projection` in the pull).
//! - **"With consent"** for a referral means a consent in force from the same
//!   person to the referral's agency (not only the one the referral names, so
//!   a renewed consent keeps working).
//! - Police officers see the consents **in force** to a police agency, and a
//!   receiving agency those to itself; a withdrawn or expired consent is not
//!   sent but **retracted** from the phones that received it (protocol
//!   version 2, ADR 0009), and with it what it opened.
//! - A team alert (a concern) reaches the police only where the worker ticked
//!   that she agrees to the police being told (`police_consent`), and names
//!   her (`reported_by`) only to a viewer who may see her record: both read
//!   from the body, in the pull (`concern_reaches`, `hides_reporter`).
//! - What a viewer receives other than through her own or her organisation's
//!   authorship (consent, alert, referral) is **conditional**: the server
//!   remembers it was delivered and re-checks it on every pull, retracting it
//!   when the condition ends.
//! - Receiving agencies see **no concerns**: the table says so, although the
//!   prose says alerts reach "every device of the partnership". Alerts are for
//!   the people on the street; an agency desk does not need them.
//! - Writes: police officers record welfare-check contacts, their own supply
//!   drops and concerns, and never profiles, consents or referrals (those are
//!   outreach's, taken with her); supervisors write what outreach workers
//!   write; a receiving agency only moves the status of referrals addressed
//!   to it that it can see. Which contact kind a role may record is core's
//!   `ContactKind::allowed_for`.
//! - **What a write may name** (issue 9, ADR 0006): [`NAMES_TABLE`], beside
//!   the write table. A consent or referral only for a woman whose record the
//!   writer's organisation holds; a contact or concern only naming a woman
//!   its organisation holds (the police: any stored woman, in their own
//!   record); a check-in only on the writer's own stored round.
//! - **Shared profiles** (issue 14): an organisation's outreach workers
//!   and supervisors see a woman another organisation holds, and her
//!   contacts and referrals, while she has a consent in force naming that
//!   organisation (organisation ids are their directory agency ids). It goes
//!   out projected like any consent route (to what her consents cover,
//!   capped by what the agreement lets that kind of organisation receive)
//!   and is retracted when the consent ends. Writes do not widen: a worker
//!   records contacts and consents only for women her organisation holds,
//!   and links her own profile to the shared one (`crate::shared_profiles`).
//! - **Rounds and check-ins** (ADR 0004) are seen like concerns: her
//!   organisation sees them, and the whole team (police officers included)
//!   sees a round the server has raised as missed and a help call, for
//!   twelve hours. Each worker writes only her own; the server alone writes a
//!   round's watch.

use crate::store::{RecordMeta, StoreError};
use nightround_core::domain::{RecordKind, Role};
use nightround_core::Timestamp;
use uuid::Uuid;

/// The roles in the order of the table's columns.
pub const ROLES: [Role; 4] = [
    Role::OutreachWorker,
    Role::PoliceOfficer,
    Role::Supervisor,
    Role::ReceivingAgency,
];

/// What a role sees of one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sees {
    Nothing,
    /// Records stored by the viewer's organisation.
    OwnOrganisation,
    /// Her organisation's, and every active team alert.
    OwnOrganisationAndAlerts,
    /// The viewer's own, and every active team alert.
    OwnAndAlerts,
    /// Only what the viewer herself recorded.
    Own,
    /// A person whose consent in force covers the police.
    PeopleConsentingToPolice,
    /// The viewer's own; others' where the person's consent covers the police.
    OwnAndPeopleConsentingToPolice,
    /// Consents in force to a police agency.
    ConsentsToPolice,
    /// Referrals to a police agency, with her consent in force to it.
    ReferralsToPoliceWithConsent,
    /// Consents in force to the viewer's agency.
    ConsentsToItsAgency,
    /// Referrals addressed to the viewer's agency, with consent in force.
    ReferralsToItsAgencyWithConsent,
    /// People referred to the viewer's agency, with consent in force.
    PeopleReferredToItsAgencyWithConsent,
    /// Her organisation's; and, from any organisation, a woman's record and
    /// her history where her consent in force names the viewer's
    /// organisation (its directory agency id): a shared profile (issue 14).
    OwnOrganisationAndSharedWithIt,
}

/// One cell of the table: the rule, and the document's words for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub sees: Sees,
    pub doc: &'static str,
}

const fn cell(sees: Sees, doc: &'static str) -> Cell {
    Cell { sees, doc }
}

/// The document's words for [`Sees::OwnOrganisationAndSharedWithIt`].
const SHARED: &str = "own org + shared with it by consent";

/// THE table: for each kind, what each role in [`ROLES`] order sees.
pub const SEE_TABLE: [(RecordKind, [Cell; 4]); 8] = {
    use Sees::*;
    [
        (
            RecordKind::Person,
            [
                cell(OwnOrganisationAndSharedWithIt, SHARED),
                cell(
                    PeopleConsentingToPolice,
                    "only if her consent covers the police",
                ),
                cell(OwnOrganisationAndSharedWithIt, SHARED),
                cell(
                    PeopleReferredToItsAgencyWithConsent,
                    "only people referred to it, with consent",
                ),
            ],
        ),
        (
            RecordKind::Contact,
            [
                cell(OwnOrganisationAndSharedWithIt, SHARED),
                cell(
                    OwnAndPeopleConsentingToPolice,
                    "own welfare checks; others if consent covers police",
                ),
                cell(OwnOrganisationAndSharedWithIt, SHARED),
                cell(Nothing, "no"),
            ],
        ),
        (
            RecordKind::SupplyDrop,
            [
                cell(OwnOrganisation, "own organisation"),
                cell(Own, "own"),
                cell(OwnOrganisation, "own organisation"),
                cell(Nothing, "no"),
            ],
        ),
        (
            RecordKind::Concern,
            [
                cell(OwnOrganisationAndAlerts, "own org + team alerts"),
                cell(OwnAndAlerts, "team alerts + own"),
                cell(OwnOrganisationAndAlerts, "own org + alerts"),
                cell(Nothing, "no"),
            ],
        ),
        (
            RecordKind::Consent,
            [
                cell(OwnOrganisation, "own organisation"),
                cell(ConsentsToPolice, "consents in force to the police"),
                cell(OwnOrganisation, "own organisation"),
                cell(ConsentsToItsAgency, "consents in force to that agency"),
            ],
        ),
        (
            RecordKind::Referral,
            [
                cell(OwnOrganisationAndSharedWithIt, SHARED),
                cell(
                    ReferralsToPoliceWithConsent,
                    "referrals to the police, with consent",
                ),
                cell(OwnOrganisationAndSharedWithIt, SHARED),
                cell(
                    ReferralsToItsAgencyWithConsent,
                    "referrals addressed to it, with consent",
                ),
            ],
        ),
        (
            RecordKind::Round,
            [
                cell(OwnOrganisationAndAlerts, "own org + missed rounds"),
                cell(OwnAndAlerts, "own + missed rounds"),
                cell(OwnOrganisationAndAlerts, "own org + missed rounds"),
                cell(Nothing, "no"),
            ],
        ),
        (
            RecordKind::CheckIn,
            [
                cell(OwnOrganisationAndAlerts, "own org + help calls"),
                cell(OwnAndAlerts, "own + help calls"),
                cell(OwnOrganisationAndAlerts, "own org + help calls"),
                cell(Nothing, "no"),
            ],
        ),
    ]
};

/// What a role may write of one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    Nothing,
    /// Create, correct and delete what she recorded herself (the body's
    /// author must be the device's worker).
    Own,
    /// Create, and edit or delete her organisation's records.
    OwnOrganisation,
    /// Move the status of referrals addressed to her agency; nothing else.
    StatusOfReferralsToItsAgency,
}

/// The write half of the table, in [`ROLES`] order.
pub const WRITE_TABLE: [(RecordKind, [Writes; 4]); 8] = {
    use Writes::*;
    [
        (
            RecordKind::Person,
            [OwnOrganisation, Nothing, OwnOrganisation, Nothing],
        ),
        (RecordKind::Contact, [Own, Own, Own, Nothing]),
        (RecordKind::SupplyDrop, [Own, Own, Own, Nothing]),
        (RecordKind::Concern, [Own, Own, Own, Nothing]),
        (
            RecordKind::Consent,
            [OwnOrganisation, Nothing, OwnOrganisation, Nothing],
        ),
        (
            RecordKind::Referral,
            [
                OwnOrganisation,
                Nothing,
                OwnOrganisation,
                StatusOfReferralsToItsAgency,
            ],
        ),
        (RecordKind::Round, [Own, Own, Own, Nothing]),
        (RecordKind::CheckIn, [Own, Own, Own, Nothing]),
    ]
};

/// Whom or what a written record may name, whoever writes it: the
/// relation half of the write table (issue 9). Checked on every version a
/// writer authors (not on a receiving agency's status move, which keeps the
/// stored body), against the stored records, in `authorize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// Names no other record that needs checking.
    Nothing,
    /// Her person record exists and the writer's organisation holds it: only
    /// the organisation that holds her record records her consent or refers
    /// her.
    WomanItsOrganisationHolds,
    /// If it names a woman at all: her record is stored and the writer's
    /// organisation holds it; a police officer may name any stored woman (a
    /// welfare check needs no consent, and names her only in the police's
    /// own record: what anyone sees is still the see table's).
    WomanItMayName,
    /// The writer's own stored round, if it names one at all.
    ItsOwnRound,
}

/// The relation half of the write table: what each kind may name.
pub const NAMES_TABLE: [(RecordKind, Names); 8] = {
    use Names::*;
    [
        (RecordKind::Person, Nothing),
        (RecordKind::Contact, WomanItMayName),
        (RecordKind::SupplyDrop, Nothing),
        (RecordKind::Concern, WomanItMayName),
        (RecordKind::Consent, WomanItsOrganisationHolds),
        (RecordKind::Referral, WomanItsOrganisationHolds),
        (RecordKind::Round, Nothing),
        (RecordKind::CheckIn, ItsOwnRound),
    ]
};

/// What a written record of a kind may name.
pub fn names(kind: RecordKind) -> Names {
    NAMES_TABLE
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(Names::Nothing, |(_, n)| *n)
}

fn column(role: Role) -> usize {
    match role {
        Role::OutreachWorker => 0,
        Role::PoliceOfficer => 1,
        Role::Supervisor => 2,
        Role::ReceivingAgency => 3,
    }
}

/// The table's cell for a kind and a role.
pub fn cell_for(kind: RecordKind, role: Role) -> Cell {
    SEE_TABLE
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(cell(Sees::Nothing, "no"), |(_, cells)| cells[column(role)])
}

/// What a role sees of a kind.
pub fn sees(kind: RecordKind, role: Role) -> Sees {
    cell_for(kind, role).sees
}

/// What a role may write of a kind.
pub fn writes(kind: RecordKind, role: Role) -> Writes {
    WRITE_TABLE
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(Writes::Nothing, |(_, w)| w[column(role)])
}

/// Who is looking (or writing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer<'a> {
    pub role: Role,
    pub worker_id: &'a str,
    pub organisation_id: &'a str,
    /// The agency of a receiving-agency worker.
    pub agency_id: Option<&'a str>,
}

/// What the policy asks the store about other records.
pub trait Facts {
    /// Whether the directory marks the agency as the police.
    fn is_police_agency(&self, agency_id: &str) -> bool;
    /// Whether the person has a consent in force at `now` to the agency.
    fn consent_in_force(
        &self,
        person: Uuid,
        agency_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Whether the person has a consent in force at `now` to any police agency.
    fn consent_to_police_in_force(&self, person: Uuid, now: Timestamp) -> Result<bool, StoreError>;
    /// Whether a (not deleted) referral of the person to the agency exists.
    fn referred_to(&self, person: Uuid, agency_id: &str) -> Result<bool, StoreError>;
    /// The stored record with this id (deleted or not), for the write rules'
    /// relations: her person record, a check-in's round.
    fn record(&self, id: Uuid) -> Result<Option<RecordMeta>, StoreError>;
}

/// Why a viewer may see a record: decides whether the delivery stays under
/// review (retraction) and whether the body goes out projected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// She recorded it herself.
    Own,
    /// Her organisation stored it.
    OwnOrganisation,
    /// An active team alert, a missed round, a help call.
    Alert,
    /// Her consent in force opens it: the body goes out projected to the
    /// categories of her consents in force to `agency` (`None`: to any
    /// police agency).
    Consent {
        person: Uuid,
        agency: Option<String>,
    },
    /// A consent record in force that names the viewer's agency (or the
    /// police).
    ConsentRecord,
}

impl Route {
    /// Whether visibility can end without the viewer's organisation doing
    /// anything (consent withdrawn or expired, alert over): such deliveries
    /// are re-checked on each pull and retracted when the condition ends.
    pub fn is_conditional(&self) -> bool {
        !matches!(self, Route::Own | Route::OwnOrganisation)
    }

    /// The stored name of the route (the `deliveries` table).
    pub fn name(&self) -> &'static str {
        match self {
            Route::Own => "own",
            Route::OwnOrganisation => "own_organisation",
            Route::Alert => "alert",
            Route::Consent { .. } => "consent",
            Route::ConsentRecord => "consent_record",
        }
    }
}

/// Whether `viewer` may see the record at `now`.
pub fn may_see(
    viewer: &Viewer<'_>,
    rec: &RecordMeta,
    facts: &dyn Facts,
    now: Timestamp,
) -> Result<bool, StoreError> {
    Ok(route(viewer, rec, facts, now)?.is_some())
}

/// Why `viewer` may see the record at `now`, or `None`. Own authorship and
/// the organisation come first, so a record her organisation holds is never
/// projected for her.
pub fn route(
    viewer: &Viewer<'_>,
    rec: &RecordMeta,
    facts: &dyn Facts,
    now: Timestamp,
) -> Result<Option<Route>, StoreError> {
    let own_org = rec.organisation_id == viewer.organisation_id;
    let own = rec.author_worker_id == viewer.worker_id;
    let alert = rec.alert_until.is_some_and(|until| until > now);
    let person = if rec.kind == RecordKind::Person {
        Some(rec.id)
    } else {
        rec.person_id
    };
    let by_police_consent = |facts: &dyn Facts| -> Result<Option<Route>, StoreError> {
        Ok(match person {
            Some(p) if facts.consent_to_police_in_force(p, now)? => Some(Route::Consent {
                person: p,
                agency: None,
            }),
            _ => None,
        })
    };
    let in_force = !rec.tombstone && rec.consent_until.is_some_and(|until| until > now);
    let rec_agency = rec.agency_id.as_deref();
    let its_agency = viewer.agency_id.filter(|a| rec_agency == Some(*a));
    let when = |yes: bool, r: Route| yes.then_some(r);
    Ok(match sees(rec.kind, viewer.role) {
        Sees::Nothing => None,
        Sees::OwnOrganisation => when(own_org, Route::OwnOrganisation),
        Sees::OwnOrganisationAndAlerts => {
            when(own_org, Route::OwnOrganisation).or(when(alert, Route::Alert))
        }
        Sees::OwnAndAlerts => when(own, Route::Own).or(when(alert, Route::Alert)),
        Sees::Own => when(own, Route::Own),
        Sees::PeopleConsentingToPolice => by_police_consent(facts)?,
        Sees::OwnAndPeopleConsentingToPolice => match when(own, Route::Own) {
            Some(r) => Some(r),
            None => by_police_consent(facts)?,
        },
        Sees::ConsentsToPolice => when(
            in_force && rec_agency.is_some_and(|a| facts.is_police_agency(a)),
            Route::ConsentRecord,
        ),
        Sees::ReferralsToPoliceWithConsent => match (rec_agency, person) {
            (Some(a), Some(p)) if facts.is_police_agency(a) => when(
                facts.consent_in_force(p, a, now)?,
                Route::Consent {
                    person: p,
                    agency: None,
                },
            ),
            _ => None,
        },
        Sees::ConsentsToItsAgency => when(in_force && its_agency.is_some(), Route::ConsentRecord),
        Sees::ReferralsToItsAgencyWithConsent => match (its_agency, person) {
            (Some(a), Some(p)) => when(
                facts.consent_in_force(p, a, now)?,
                Route::Consent {
                    person: p,
                    agency: Some(a.to_owned()),
                },
            ),
            _ => None,
        },
        Sees::OwnOrganisationAndSharedWithIt => match (own_org, person) {
            (true, _) => Some(Route::OwnOrganisation),
            (false, Some(p)) => when(
                facts.consent_in_force(p, viewer.organisation_id, now)?,
                Route::Consent {
                    person: p,
                    agency: Some(viewer.organisation_id.to_owned()),
                },
            ),
            (false, None) => None,
        },
        Sees::PeopleReferredToItsAgencyWithConsent => match (viewer.agency_id, person) {
            (Some(a), Some(p)) => when(
                facts.referred_to(p, a)? && facts.consent_in_force(p, a, now)?,
                Route::Consent {
                    person: p,
                    agency: Some(a.to_owned()),
                },
            ),
            _ => None,
        },
    })
}

/// Whether a concern that reaches `viewer` by `route` may go to her: the
/// police receive a team alert only where the worker recorded that she
/// agrees to the police being told (`police_consent`).
pub fn concern_reaches(viewer: &Viewer<'_>, route: &Route, police_consent: bool) -> bool {
    !(viewer.role == Role::PoliceOfficer && *route == Route::Alert && !police_consent)
}

/// Whether a concern reaching a viewer by `route` must leave out who
/// reported it: a team alert names her only to a viewer who may see her
/// record (`sees_her`).
pub fn hides_reporter(route: &Route, sees_her: bool) -> bool {
    *route == Route::Alert && !sees_her
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_row_in_both_tables() {
        for kind in RecordKind::ALL {
            assert!(SEE_TABLE.iter().any(|(k, _)| *k == kind), "{kind:?}");
            assert!(WRITE_TABLE.iter().any(|(k, _)| *k == kind), "{kind:?}");
            assert!(NAMES_TABLE.iter().any(|(k, _)| *k == kind), "{kind:?}");
        }
    }

    #[test]
    fn the_table_matches_the_protocol_document() {
        let doc = include_str!("../../docs/sync-protocol.md");
        let section = doc
            .split("## Who sees what")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("the document has a 'Who sees what' section");
        let mut rows = 0;
        for line in section.lines().filter(|l| l.starts_with('|')) {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let kind = match cells[0] {
                "person" => RecordKind::Person,
                "contact" => RecordKind::Contact,
                "supply drop" => RecordKind::SupplyDrop,
                "concern" => RecordKind::Concern,
                "consent" => RecordKind::Consent,
                "referral" => RecordKind::Referral,
                "round" => RecordKind::Round,
                "check-in" => RecordKind::CheckIn,
                _ => continue,
            };
            rows += 1;
            for (i, role) in ROLES.into_iter().enumerate() {
                assert_eq!(
                    cell_for(kind, role).doc,
                    cells[i + 1],
                    "{kind:?} / {role:?}: policy.rs and docs/sync-protocol.md disagree"
                );
            }
        }
        assert_eq!(
            rows,
            RecordKind::ALL.len(),
            "every kind has a row in the document"
        );
    }
}
