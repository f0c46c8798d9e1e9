//! `nightround add-person`: adds a person by the name she gives.

use super::Ctx;
use crate::error::CliError;
use crate::output::{emit, PersonAdded};
use clap::Args;
use nightround_core::domain::PersonDraft;

/// The "add person" form.
#[derive(Debug, Args)]
pub struct AddPersonArgs {
    /// The name she gives; never required to be a legal name.
    #[arg(long)]
    pub alias: String,
    /// How the team will recognise her.
    #[arg(long)]
    pub description: Option<String>,
    /// Her year of birth, if she gives it.
    #[arg(long, value_name = "YEAR")]
    pub birth_year: Option<i32>,
    /// She is registered with the outreach service.
    #[arg(long)]
    pub registered: bool,
    /// She prefers to be seen by a female worker.
    #[arg(long)]
    pub prefers_female_worker: bool,
    /// Her key worker.
    #[arg(long, value_name = "NAME")]
    pub key_worker: Option<String>,
}

/// Adds her and prints her new id.
pub fn run(args: &AddPersonArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    let person = vault.add_person(PersonDraft {
        alias: args.alias.clone(),
        description: args.description.clone(),
        birth_year: args.birth_year,
        registered_with_outreach: args.registered,
        prefers_female_worker: args.prefers_female_worker,
        key_worker: args.key_worker.clone(),
    })?;
    emit(ctx.format, &PersonAdded(person))
}
