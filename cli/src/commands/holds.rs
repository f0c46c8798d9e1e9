//! `nightround holds ALIAS_OR_ID`: what this device holds of one woman, by
//! kind, so that a deployment can check by hand that a withdrawn consent or
//! an erasure left nothing behind (protocol version 2, retraction).

use super::Ctx;
use crate::error::CliError;
use crate::output::{emit, View};
use clap::Args;
use nightround_core::vault::TimelineEntry;
use nightround_core::CoreError;
use serde::Serialize;
use uuid::Uuid;

/// Whose records.
#[derive(Debug, Args)]
pub struct HoldsArgs {
    /// Her alias (if this device still holds her profile) or her id.
    #[arg(value_name = "ALIAS_OR_ID")]
    pub who: String,
}

/// Counts only: nothing she said is printed.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Holdings {
    /// Her id.
    pub person_id: Uuid,
    /// Whether her profile is on this device.
    pub profile: bool,
    /// Contacts with her.
    pub contacts: usize,
    /// Her consents.
    pub consents: usize,
    /// Referrals of her.
    pub referrals: usize,
    /// Concerns naming her.
    pub concerns: usize,
}

impl Holdings {
    /// Whether the device holds nothing of her.
    pub fn is_empty(&self) -> bool {
        !self.profile && self.contacts + self.consents + self.referrals + self.concerns == 0
    }
}

impl View for Holdings {
    fn text(&self, out: &mut String) {
        if self.is_empty() {
            out.push_str(&format!(
                "this device holds nothing of {}\n",
                self.person_id
            ));
            return;
        }
        out.push_str(&format!(
            "{}: profile {}, {} contacts, {} consents, {} referrals, {} concerns\n",
            self.person_id,
            if self.profile { "yes" } else { "no" },
            self.contacts,
            self.consents,
            self.referrals,
            self.concerns
        ));
    }
}

/// Counts her records on this device.
pub fn run(args: &HoldsArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    let person_id = match Uuid::parse_str(args.who.trim()) {
        Ok(id) => id,
        Err(_) => super::resolve::person(&vault, &args.who)?.id,
    };
    let profile = match vault.person(person_id) {
        Ok(_) => true,
        Err(CoreError::NotFound(_)) => false,
        Err(e) => return Err(e.into()),
    };
    let mut h = Holdings {
        person_id,
        profile,
        contacts: 0,
        consents: 0,
        referrals: 0,
        concerns: 0,
    };
    // Without her profile the timeline is not found: nothing to count.
    let timeline = match vault.person_timeline(person_id) {
        Ok(t) => t,
        Err(CoreError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    for entry in timeline {
        match entry {
            TimelineEntry::Contact { .. } => h.contacts += 1,
            TimelineEntry::Consent { .. } => h.consents += 1,
            TimelineEntry::Referral { .. } => h.referrals += 1,
            TimelineEntry::Concern { .. } => h.concerns += 1,
        }
    }
    emit(ctx.format, &h)
}
