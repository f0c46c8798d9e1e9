//! `nightround supplies`: supplies given out on their own (restocking the
//! drop point, leaving some with a partner).

use super::{resolve, Ctx};
use crate::error::CliError;
use crate::output::{emit, SuppliesRecorded};
use crate::values;
use clap::Args;
use nightround_core::domain::{SupplyDropDraft, SupplyLine, SupplyPurpose};

/// The "supplies only" form.
#[derive(Debug, Args)]
pub struct SuppliesArgs {
    /// The area (id or name).
    #[arg(long, value_name = "AREA")]
    pub area: String,
    /// Why they went out without a contact.
    #[arg(long, value_parser = values::supply_purpose())]
    pub purpose: SupplyPurpose,
    /// Items as item=quantity (repeatable), e.g. condoms=40.
    #[arg(long = "supply", value_name = "ITEM=QTY", value_parser = values::supply_line, required = true)]
    pub supplies: Vec<SupplyLine>,
}

/// Records the drop and prints it.
pub fn run(args: &SuppliesArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    let names = resolve::Names::new(&vault, chrono::Utc::now())?;
    let dir = names.directory();
    let drop = vault.record_supplies(SupplyDropDraft {
        at: None,
        area_id: resolve::area(dir, &args.area)?,
        purpose: args.purpose,
        lines: resolve::supplies(dir, &args.supplies)?,
    })?;
    emit(
        ctx.format,
        &SuppliesRecorded {
            area_name: names.area(&drop.area_id),
            drop,
        },
    )
}
