//! `nightround withdraw-consent` and `nightround end-alert`: the actions a
//! deployment needs to check retraction by hand (protocol version 2): she
//! withdraws what she agreed to share; a worker ends her team alert early.
//! The phones that received either drop it on their next sync.

use super::{resolve, Ctx};
use crate::error::CliError;
use crate::output::{emit, View};
use clap::Args;
use nightround_core::CoreError;
use serde::Serialize;
use uuid::Uuid;

/// Which consent to withdraw: hers, to one agency.
#[derive(Debug, Args)]
pub struct WithdrawConsentArgs {
    /// Her alias or id.
    #[arg(long, value_name = "ALIAS_OR_ID")]
    pub person: String,
    /// The agency (id or name) she no longer agrees to share with.
    #[arg(long)]
    pub agency: String,
}

/// What was withdrawn.
#[derive(Debug, Serialize)]
pub struct Withdrawn {
    /// The consents marked withdrawn.
    pub consent_ids: Vec<Uuid>,
    /// The agency they named.
    pub agency_id: String,
}

impl View for Withdrawn {
    fn text(&self, out: &mut String) {
        out.push_str(&format!(
            "withdrew {} consent(s) to {}; phones that received what it shared drop it on their next sync\n",
            self.consent_ids.len(),
            self.agency_id
        ));
    }
}

/// Withdraws every consent in force from her to the agency.
pub fn run_withdraw(args: &WithdrawConsentArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    let person = resolve::person(&vault, &args.person)?;
    let agency = resolve::agency(&vault.directory()?, &args.agency)?;
    let mut ids = Vec::new();
    for c in vault.consents(person.id)? {
        if c.agency_id == agency && c.withdrawn_at.is_none() {
            ids.push(vault.withdraw_consent(c.id)?.id);
        }
    }
    if ids.is_empty() {
        return Err(CliError::Core(CoreError::NotFound(
            "consent to that agency",
        )));
    }
    emit(
        ctx.format,
        &Withdrawn {
            consent_ids: ids,
            agency_id: agency,
        },
    )
}

/// Which alert to end.
#[derive(Debug, Args)]
pub struct EndAlertArgs {
    /// The concern's id (as `show alerts --json` gives it).
    #[arg(value_name = "ID")]
    pub id: String,
}

/// The alert, ended.
#[derive(Debug, Serialize)]
pub struct Ended {
    /// The concern.
    pub id: Uuid,
}

impl View for Ended {
    fn text(&self, out: &mut String) {
        out.push_str(&format!("alert {} ended\n", self.id));
    }
}

/// Ends a team alert raised on this device.
pub fn run_end_alert(args: &EndAlertArgs, ctx: &Ctx) -> Result<(), CliError> {
    let id = Uuid::parse_str(args.id.trim())
        .map_err(|_| CliError::Core(CoreError::NotFound("team alert")))?;
    let vault = ctx.unlock()?;
    let ended = vault.end_alert(id)?;
    emit(ctx.format, &Ended { id: ended.id })
}
