//! `nightround init`: a local-only vault with no server, for trying the core
//! offline (the demo, a developer's machine).

use super::{required, Ctx};
use crate::error::CliError;
use crate::output::{emit, Initialised};
use crate::pin::{read_pin, PinUse};
use crate::values;
use clap::Args;
use nightround_core::domain::validation::check_pin;
use nightround_core::domain::{Role, WorkerIdentity};
use nightround_core::CoreError;
use uuid::Uuid;

/// Who the local vault records as.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Your name as records will show it.
    #[arg(long)]
    pub name: String,
    /// Your role; it decides what you may record (e.g. only police record
    /// welfare checks).
    #[arg(long, value_parser = values::local_role())]
    pub role: Role,
    /// Your organisation.
    #[arg(long)]
    pub org: String,
}

/// Creates the vault, asking for a new PIN.
pub fn run(args: &InitArgs, ctx: &Ctx) -> Result<(), CliError> {
    let identity = WorkerIdentity {
        // A local worker id that can never collide with a server's.
        worker_id: format!("local-{}", Uuid::now_v7()),
        display_name: required("--name", &args.name)?,
        role: args.role,
        organisation: required("--org", &args.org)?,
    };
    ctx.device.ensure_no_vault()?;
    let pin = read_pin(PinUse::New)?;
    check_pin(&pin).map_err(CoreError::from)?;
    let vault = ctx.device.create(&pin, identity)?;
    emit(
        ctx.format,
        &Initialised {
            identity: vault.identity()?,
            vault: vault.path().display().to_string(),
        },
    )
}
