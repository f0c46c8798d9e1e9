//! Who may create which workers. A member organisation's supervisor creates
//! only her own organisation's outreach workers and supervisors; police
//! officers and receiving-agency workers see other organisations' records
//! under the sharing agreement, so their identities are the partnership's to
//! grant: the partnership administrator's (a dashboard account flag set by
//! `nightround-server admin dashboard-account --partnership-admin`) or the
//! admin CLI's, run by whoever holds the server.

use nightround_core::domain::Role;

/// The roles a member organisation's supervisor may give her own workers.
pub const SUPERVISOR_GRANTS: &[Role] = &[Role::OutreachWorker, Role::Supervisor];

/// Who is asking to create or manage a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granter<'a> {
    /// A supervisor of a member organisation, managing her own.
    Supervisor { organisation_id: &'a str },
    /// The partnership's administrator: any organisation, any role.
    PartnershipAdmin,
}

/// Whether `granter` may create (or enrol a phone for, or give a dashboard
/// sign-in to) a worker of `role` in `organisation_id`.
pub fn may_grant(granter: Granter<'_>, organisation_id: &str, role: Role) -> bool {
    match granter {
        Granter::PartnershipAdmin => true,
        Granter::Supervisor {
            organisation_id: own,
        } => own == organisation_id && SUPERVISOR_GRANTS.contains(&role),
    }
}

/// Whether `granter` may see and revoke the workers and phones of
/// `organisation_id` (revoking only ever takes access away).
pub fn may_manage(granter: Granter<'_>, organisation_id: &str) -> bool {
    match granter {
        Granter::PartnershipAdmin => true,
        Granter::Supervisor {
            organisation_id: own,
        } => own == organisation_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supervisors_grant_their_own_roles_in_their_own_organisation_only() {
        let dee = Granter::Supervisor {
            organisation_id: "aspirations",
        };
        for role in crate::policy::ROLES.iter() {
            let own = matches!(role, Role::OutreachWorker | Role::Supervisor);
            assert_eq!(may_grant(dee, "aspirations", *role), own, "{role:?}");
            assert!(!may_grant(dee, "essex_police", *role), "{role:?}");
            assert!(may_grant(Granter::PartnershipAdmin, "essex_police", *role));
        }
        assert!(may_manage(dee, "aspirations"));
        assert!(!may_manage(dee, "essex_police"));
    }
}
