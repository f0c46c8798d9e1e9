//! `nightround retention [--window-days N]`: purge now what the server has
//! acknowledged and the phone's window has passed (the core also does it
//! after every sync), optionally setting the window first, so that a
//! deployment can check phone retention by hand
//! (`core/src/vault/retention.rs`).

use super::Ctx;
use crate::error::CliError;
use crate::output::{emit, View};
use clap::Args;
use serde::Serialize;

/// The window to set, if any.
#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// Days this phone keeps an acknowledged record (the partnership's
    /// setting; 7 to 365).
    #[arg(long)]
    pub window_days: Option<u32>,
}

/// What the purge removed (counts only).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Purged {
    /// The window now in force.
    pub window_days: u32,
    /// Records purged (people's included).
    pub records: u32,
    /// People purged with all their records.
    pub people: u32,
}

impl View for Purged {
    fn text(&self, out: &mut String) {
        out.push_str(&format!(
            "window {} days: purged {} records ({} people)\n",
            self.window_days, self.records, self.people
        ));
    }
}

/// Sets the window (if given) and purges.
pub fn run(args: &RetentionArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    if let Some(days) = args.window_days {
        vault.set_phone_window_days(days)?;
    }
    let report = vault.purge_expired()?;
    emit(
        ctx.format,
        &Purged {
            window_days: vault.phone_window_days()?,
            records: report.records,
            people: report.people,
        },
    )
}
