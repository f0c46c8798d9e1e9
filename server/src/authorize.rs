//! Whether this device's worker may write this change given the records it
//! names: the relation half of the write table (`policy::NAMES_TABLE`),
//! answered from the stored records through `policy::Facts`. A consent or a
//! referral only by the organisation that holds her record; a contact or a
//! concern naming only a woman its organisation holds (the police: any
//! stored woman); a check-in only on the writer's own stored round (issue 9).

use crate::policy::{self, Facts, Names, Viewer};
use crate::refusal::{Refusal, RejectCode};
use crate::store::{RecordMeta, StoreError};
use crate::validate::Incoming;
use nightround_core::domain::{RecordKind, Role};
use uuid::Uuid;

fn live(meta: Option<RecordMeta>, kind: RecordKind) -> Option<RecordMeta> {
    meta.filter(|m| m.kind == kind && !m.tombstone)
}

/// `Ok(Err(refusal))` when the change names something the writer may not
/// name; `Err` only when the store fails.
pub fn relations(
    viewer: &Viewer<'_>,
    incoming: &Incoming,
    facts: &dyn Facts,
) -> Result<Result<(), Refusal>, StoreError> {
    let Some(body) = incoming.facts.as_ref() else {
        return Ok(Ok(()));
    };
    let person = |id: Uuid| -> Result<Option<RecordMeta>, StoreError> {
        Ok(live(facts.record(id)?, RecordKind::Person))
    };
    Ok(match policy::names(incoming.kind) {
        Names::Nothing => Ok(()),
        Names::WomanItsOrganisationHolds => {
            let held = match body.person_id {
                Some(p) => person(p)?.is_some_and(|m| m.organisation_id == viewer.organisation_id),
                None => false,
            };
            if held {
                Ok(())
            } else {
                Err(Refusal::new(
                    RejectCode::NotHoldingOrganisation,
                    format!(
                        "only the organisation that holds her record may record her {}",
                        incoming.kind.as_str()
                    ),
                ))
            }
        }
        Names::WomanItMayName => {
            for p in [body.person_id, body.mentions].into_iter().flatten() {
                let may = person(p)?.is_some_and(|m| {
                    m.organisation_id == viewer.organisation_id
                        || viewer.role == Role::PoliceOfficer
                });
                if !may {
                    return Ok(Err(Refusal::new(
                        RejectCode::NotHoldingOrganisation,
                        format!(
                            "a {} may name only a woman whose record this organisation holds",
                            incoming.kind.as_str()
                        ),
                    )));
                }
            }
            Ok(())
        }
        Names::ItsOwnRound => match body.round_id {
            None => Ok(()),
            Some(r) => {
                let own = live(facts.record(r)?, RecordKind::Round)
                    .is_some_and(|m| m.author_worker_id == viewer.worker_id);
                if own {
                    Ok(())
                } else {
                    Err(Refusal::new(
                        RejectCode::UnknownRelation,
                        "a check-in may only be made on a stored round of the same worker",
                    ))
                }
            }
        },
    })
}
