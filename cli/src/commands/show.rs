//! `nightround show ...`: what the phone's screens show, from the same
//! queries in the core.

use super::{resolve, Ctx};
use crate::error::CliError;
use crate::output::{
    emit, AlertsScreen, DirectoryScreen, PeopleScreen, PersonBrief, PersonScreen, ReferralsScreen,
    StatusScreen, TimelineRow, TonightScreen,
};
use clap::{Args, Subcommand};
use nightround_core::vault::TimelineEntry;
use nightround_core::CoreError;

/// Which screen.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The screen to show.
    #[command(subcommand)]
    pub screen: Screen,
}

/// The screens.
#[derive(Debug, Subcommand)]
pub enum Screen {
    /// Tonight's round: counts, supplies, and the contacts.
    Tonight {
        /// How far back tonight's round goes.
        #[arg(long, value_name = "N", default_value_t = 12)]
        since_hours: u32,
    },
    /// Team alerts still in force.
    Alerts,
    /// Open referrals, overdue first.
    Referrals,
    /// One person's profile and timeline.
    Person {
        /// Her alias or id.
        #[arg(value_name = "ALIAS_OR_ID")]
        who: String,
    },
    /// Everyone on this device, by alias, with their ids.
    People,
    /// Who this device is and how sync stands.
    Status,
    /// The leaflet: services with what, where, when and phone; areas; supplies.
    Directory,
}

/// Shows one screen.
pub fn run(args: &ShowArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    let now = chrono::Utc::now();
    let f = ctx.format;
    match &args.screen {
        Screen::Tonight { since_hours } => {
            let since = now - chrono::Duration::hours(i64::from(*since_hours));
            let mut names = resolve::Names::new(&vault, now)?;
            let summary = vault.round_summary(since)?;
            let contacts = vault
                .contacts_since(since)?
                .into_iter()
                .map(|c| names.contact(c))
                .collect::<Result<Vec<_>, _>>()?;
            emit(
                f,
                &TonightScreen {
                    since,
                    summary,
                    contacts,
                },
            )
        }
        Screen::Alerts => {
            let rows = vault
                .active_alerts()?
                .into_iter()
                .map(|a| crate::output::AlertRow {
                    area_name: a.area_name,
                    concern: a.concern,
                })
                .collect();
            emit(f, &AlertsScreen(rows))
        }
        Screen::Referrals => {
            let rows = vault
                .open_referrals()?
                .into_iter()
                .map(|v| crate::output::ReferralRow {
                    referral: v.referral,
                    agency_name: v.agency_name,
                    person_alias: v.person_alias,
                    overdue: v.overdue,
                })
                .collect();
            emit(f, &ReferralsScreen(rows))
        }
        Screen::Person { who } => {
            let person = resolve::person(&vault, who)?;
            let mut names = resolve::Names::new(&vault, now)?;
            let mut timeline = Vec::new();
            for entry in vault.person_timeline(person.id)? {
                timeline.push(match entry {
                    TimelineEntry::Contact { contact } => {
                        TimelineRow::Contact(names.contact(contact)?)
                    }
                    TimelineEntry::Referral { referral } => {
                        TimelineRow::Referral(names.referral(referral)?)
                    }
                    TimelineEntry::Consent { consent } => {
                        TimelineRow::Consent(names.consent(consent))
                    }
                    TimelineEntry::Concern { concern } => {
                        TimelineRow::Concern(names.concern(concern))
                    }
                });
            }
            emit(f, &PersonScreen { person, timeline })
        }
        Screen::People => {
            let people = vault
                .find_people("")?
                .into_iter()
                .map(|p| PersonBrief {
                    id: p.id,
                    alias: p.alias,
                    created_at: p.created_at,
                })
                .collect();
            emit(f, &PeopleScreen(people))
        }
        Screen::Status => {
            let status = vault.sync_status()?;
            // Identity and directory are refused once the lease has run out,
            // which is exactly when this screen matters: show what there is.
            let identity = match vault.identity() {
                Ok(i) => Some(i),
                Err(CoreError::LeaseExpired) => None,
                Err(e) => return Err(e.into()),
            };
            let directory_revision = match vault.directory() {
                Ok(d) => Some(d.revision),
                Err(CoreError::LeaseExpired) => None,
                Err(e) => return Err(e.into()),
            };
            emit(
                f,
                &StatusScreen {
                    identity,
                    vault: vault.path().display().to_string(),
                    enrolled: status.enrolled,
                    pending: status.pending,
                    quarantined: status.quarantined,
                    quarantine_reasons: vault.quarantine_reasons()?,
                    last_success: status.last_success,
                    last_error: status.last_error,
                    lease_expires: status.lease_expires,
                    lease_expired: status.lease_expires.is_some_and(|l| now > l),
                    directory_revision,
                },
            )
        }
        Screen::Directory => emit(f, &DirectoryScreen(vault.directory()?)),
    }
}
