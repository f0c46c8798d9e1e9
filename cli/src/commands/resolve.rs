//! Turning what was typed into what the core takes: a person by alias or id,
//! an area, agency or supply item by id or name. Unknown directory ids are
//! reported with the ids that would work; a person is never described beyond
//! her id, so an error cannot show one woman's details to someone looking
//! for another.

use crate::error::CliError;
use crate::output::{ConcernRow, ConsentRow, ContactRow, ReferralRow};
use nightround_core::domain::{Concern, Consent, Contact, Directory, Person, Referral, SupplyLine};
use nightround_core::{CoreError, Timestamp, Vault};
use std::collections::HashMap;
use uuid::Uuid;

/// The person given by record id, or by alias matched exactly (ignoring
/// case). Several people with the same alias is an error listing their ids.
pub fn person(vault: &Vault, given: &str) -> Result<Person, CliError> {
    let given = given.trim();
    if let Ok(id) = Uuid::parse_str(given) {
        return vault.person(id).map_err(|e| match e {
            CoreError::NotFound(_) => CliError::NoSuchPerson,
            other => CliError::Core(other),
        });
    }
    let wanted = given.to_lowercase();
    if wanted.is_empty() {
        return Err(CliError::NoSuchPerson);
    }
    let mut matches: Vec<Person> = vault
        .find_people(given)?
        .into_iter()
        .filter(|p| p.alias.to_lowercase() == wanted)
        .collect();
    match matches.len() {
        0 => Err(CliError::NoSuchPerson),
        1 => Ok(matches.remove(0)),
        count => Err(CliError::AmbiguousPerson {
            count,
            ids: matches
                .iter()
                .map(|p| p.id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn not_in_directory<'a>(
    what: &'static str,
    given: &str,
    ids: impl Iterator<Item = &'a String>,
) -> CliError {
    CliError::NotInDirectory {
        what,
        given: given.to_owned(),
        known: ids.map(String::as_str).collect::<Vec<_>>().join(", "),
    }
}

/// An area's id, from its id or its name (ignoring case).
pub fn area(dir: &Directory, given: &str) -> Result<String, CliError> {
    let g = given.trim();
    dir.areas
        .iter()
        .find(|a| a.id == g || a.name.eq_ignore_ascii_case(g))
        .map(|a| a.id.clone())
        .ok_or_else(|| not_in_directory("area", g, dir.areas.iter().map(|a| &a.id)))
}

/// An agency's id, from its id or its name (ignoring case).
pub fn agency(dir: &Directory, given: &str) -> Result<String, CliError> {
    let g = given.trim();
    dir.agencies
        .iter()
        .find(|a| a.id == g || a.name.eq_ignore_ascii_case(g))
        .map(|a| a.id.clone())
        .ok_or_else(|| not_in_directory("agency", g, dir.agencies.iter().map(|a| &a.id)))
}

/// Supply lines with each item checked against the catalogue (by id or name).
pub fn supplies(dir: &Directory, lines: &[SupplyLine]) -> Result<Vec<SupplyLine>, CliError> {
    lines
        .iter()
        .map(|l| {
            let g = l.item_id.trim();
            dir.supplies
                .iter()
                .find(|s| s.id == g || s.name.eq_ignore_ascii_case(g))
                .map(|s| SupplyLine {
                    item_id: s.id.clone(),
                    quantity: l.quantity,
                })
                .ok_or_else(|| {
                    not_in_directory("supply item", g, dir.supplies.iter().map(|s| &s.id))
                })
        })
        .collect()
}

/// Looks up display names for rows, remembering each alias it opened.
pub struct Names<'a> {
    vault: &'a Vault,
    dir: Directory,
    aliases: HashMap<Uuid, Option<String>>,
    now: Timestamp,
}

impl<'a> Names<'a> {
    /// Names from this vault's directory, with "overdue" judged at `now`.
    pub fn new(vault: &'a Vault, now: Timestamp) -> Result<Self, CliError> {
        Ok(Self {
            dir: vault.directory()?,
            vault,
            aliases: HashMap::new(),
            now,
        })
    }

    /// The directory the names come from.
    pub fn directory(&self) -> &Directory {
        &self.dir
    }

    /// An area's name, or its id if the directory no longer has it.
    pub fn area(&self, id: &str) -> String {
        self.dir
            .area(id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    /// An agency's name, or its id if the directory no longer has it.
    pub fn agency(&self, id: &str) -> String {
        self.dir
            .agency(id)
            .map_or_else(|| id.to_owned(), |a| a.name.clone())
    }

    /// Her alias, or `None` if she is not on this device.
    pub fn alias(&mut self, id: Uuid) -> Result<Option<String>, CliError> {
        if let Some(a) = self.aliases.get(&id) {
            return Ok(a.clone());
        }
        let alias = match self.vault.person(id) {
            Ok(p) => Some(p.alias),
            Err(CoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        self.aliases.insert(id, alias.clone());
        Ok(alias)
    }

    /// A contact row.
    pub fn contact(&mut self, contact: Contact) -> Result<ContactRow, CliError> {
        let person_alias = match contact.person_id {
            Some(id) => self.alias(id)?,
            None => None,
        };
        Ok(ContactRow {
            area_name: self.area(&contact.area_id),
            person_alias,
            contact,
        })
    }

    /// A referral row, overdue judged now.
    pub fn referral(&mut self, referral: Referral) -> Result<ReferralRow, CliError> {
        Ok(ReferralRow {
            agency_name: self.agency(&referral.agency_id),
            person_alias: self.alias(referral.person_id)?,
            overdue: referral.is_overdue(self.now),
            referral,
        })
    }

    /// A concern row.
    pub fn concern(&self, concern: Concern) -> ConcernRow {
        ConcernRow {
            area_name: self.area(&concern.area_id),
            concern,
        }
    }

    /// A consent row, its state judged now.
    pub fn consent(&self, consent: Consent) -> ConsentRow {
        ConsentRow {
            agency_name: self.agency(&consent.agency_id),
            state: consent.state(self.now),
            consent,
        }
    }
}
