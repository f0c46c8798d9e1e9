//! `nightround concern`: an "ugly mug" report of a dangerous man or vehicle;
//! with `--alert-hours` it is a team alert every team device gets.

use super::{resolve, Ctx};
use crate::error::CliError;
use crate::output::{emit, ConcernRaised};
use crate::values;
use clap::Args;
use nightround_core::domain::{ConcernCategory, ConcernDraft, Severity, Vehicle};

/// The concern form.
#[derive(Debug, Args)]
pub struct ConcernArgs {
    /// What kind of danger.
    #[arg(long, value_parser = values::concern_category())]
    pub category: ConcernCategory,
    /// What the man looked like and did.
    #[arg(long)]
    pub description: String,
    /// Where (area id or name).
    #[arg(long, value_name = "AREA")]
    pub area: String,
    /// How serious.
    #[arg(long, value_parser = values::severity(), default_value = "medium")]
    pub severity: Severity,
    /// Share with the whole team as an alert for this many hours (at most
    /// 90 days).
    #[arg(long, value_name = "N")]
    pub alert_hours: Option<u32>,
    /// She agrees that this may be passed to the police.
    #[arg(long)]
    pub police_consent: bool,
    /// Who reported it (alias or id); leave out to keep it anonymous.
    #[arg(long, value_name = "ALIAS_OR_ID")]
    pub reported_by: Option<String>,
    /// The vehicle's make.
    #[arg(long)]
    pub vehicle_make: Option<String>,
    /// The vehicle's colour.
    #[arg(long)]
    pub vehicle_colour: Option<String>,
    /// Part of the vehicle's registration.
    #[arg(long, value_name = "PART")]
    pub vehicle_reg: Option<String>,
}

/// Records the concern and prints it.
pub fn run(args: &ConcernArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    let now = chrono::Utc::now();
    let names = resolve::Names::new(&vault, now)?;
    let area_id = resolve::area(names.directory(), &args.area)?;
    let reported_by = match &args.reported_by {
        Some(p) => Some(resolve::person(&vault, p)?.id),
        None => None,
    };
    let vehicle = Vehicle {
        make: args.vehicle_make.clone(),
        colour: args.vehicle_colour.clone(),
        partial_registration: args.vehicle_reg.clone(),
    };
    let concern = vault.raise_concern(ConcernDraft {
        category: args.category,
        description: args.description.clone(),
        vehicle: (vehicle != Vehicle::default()).then_some(vehicle),
        area_id,
        at: None,
        severity: args.severity,
        alert_until: args
            .alert_hours
            .map(|h| now + chrono::Duration::hours(i64::from(h))),
        police_consent: args.police_consent,
        reported_by,
    })?;
    emit(ctx.format, &ConcernRaised(names.concern(concern)))
}
