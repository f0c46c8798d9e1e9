//! Shared profiles (issue 14): the rules about linking two person records
//! that are the same woman, and counting women across the partnership once.
//!
//! What a viewer sees of another organisation's woman is the policy table's
//! (`Sees::OwnOrganisationAndSharedWithIt`); this module holds what is not a
//! record: who may link (a supervisor, only profiles she can see both of;
//! or the administrator on the command line) and how links collapse counts.

use nightround_core::domain::Role;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Whether a dashboard worker of `role` may link or unlink profiles.
pub fn may_link(role: Role) -> bool {
    role == Role::Supervisor
}

/// How many women `profiles` are once `links` (pairs of profiles, live
/// links only) join the same woman's profiles, transitively. A link to a
/// profile outside `profiles` does not add a woman.
pub fn count_women(profiles: &HashSet<Uuid>, links: &[(Uuid, Uuid)]) -> usize {
    let mut parent: HashMap<Uuid, Uuid> = profiles.iter().map(|p| (*p, *p)).collect();
    fn root(parent: &mut HashMap<Uuid, Uuid>, mut x: Uuid) -> Uuid {
        while let Some(&p) = parent.get(&x) {
            if p == x {
                break;
            }
            let grand = parent.get(&p).copied().unwrap_or(p);
            parent.insert(x, grand);
            x = p;
        }
        x
    }
    for (a, b) in links {
        // Links through a profile outside the set still join the two sides.
        parent.entry(*a).or_insert(*a);
        parent.entry(*b).or_insert(*b);
        let (ra, rb) = (root(&mut parent, *a), root(&mut parent, *b));
        if ra != rb {
            parent.insert(ra, rb);
        }
    }
    let roots: HashSet<Uuid> = profiles.iter().map(|p| root(&mut parent, *p)).collect();
    roots.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_profiles_count_once_transitively() {
        let ids: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let set: HashSet<Uuid> = ids[..4].iter().copied().collect();
        assert_eq!(count_women(&set, &[]), 4);
        assert_eq!(count_women(&set, &[(ids[0], ids[1])]), 3);
        assert_eq!(count_women(&set, &[(ids[0], ids[1]), (ids[1], ids[2])]), 2);
        // Joined through a profile without a contact in the period.
        assert_eq!(count_women(&set, &[(ids[0], ids[4]), (ids[4], ids[3])]), 3);
        // Only outside profiles linked: no change.
        assert_eq!(count_women(&set, &[(ids[4], Uuid::now_v7())]), 4);
        assert!(may_link(Role::Supervisor));
        assert!(!may_link(Role::OutreachWorker));
        assert!(!may_link(Role::ReceivingAgency));
    }
}
