//! `nightround contact`: logs one conversation, check or visit, with what
//! was handed out in it.

use super::{resolve, Ctx};
use crate::error::CliError;
use crate::output::{emit, ContactRecorded};
use crate::values;
use clap::Args;
use nightround_core::domain::{ContactDraft, ContactKind, Role, SupplyLine, WellbeingFlag};

/// The quick-contact form.
#[derive(Debug, Args)]
pub struct ContactArgs {
    /// The area (id or name, see `show directory`); defaults to the area of
    /// the last contact.
    #[arg(long, value_name = "AREA")]
    pub area: Option<String>,
    /// Who (alias or id); leave out for an anonymous contact.
    #[arg(long, value_name = "ALIAS_OR_ID")]
    pub person: Option<String>,
    /// How it happened; defaults to a welfare check for police officers and
    /// an outreach conversation for everyone else.
    #[arg(long, value_parser = values::contact_kind())]
    pub kind: Option<ContactKind>,
    /// What you noticed (repeat or separate with commas).
    #[arg(long = "flag", value_name = "FLAG", value_parser = values::wellbeing_flag(), value_delimiter = ',')]
    pub flags: Vec<WellbeingFlag>,
    /// Supplies handed out, as item=quantity (repeatable), e.g. condoms=10.
    #[arg(long = "supply", value_name = "ITEM=QTY", value_parser = values::supply_line)]
    pub supplies: Vec<SupplyLine>,
    /// A short note (at most 500 characters).
    #[arg(long)]
    pub note: Option<String>,
    /// You have seen the under-18 safeguarding prompt and acted on it.
    #[arg(long)]
    pub ack_safeguarding: bool,
}

/// Records the contact and prints it.
pub fn run(args: &ContactArgs, ctx: &Ctx) -> Result<(), CliError> {
    if args.flags.contains(&WellbeingFlag::AppearsUnder18) && !args.ack_safeguarding {
        return Err(CliError::SafeguardingPrompt);
    }
    let vault = ctx.unlock()?;
    let mut names = resolve::Names::new(&vault, chrono::Utc::now())?;
    let dir = names.directory();
    let area_id = match &args.area {
        Some(a) => resolve::area(dir, a)?,
        None => vault.last_area()?.ok_or(CliError::NoArea)?,
    };
    let supplies = resolve::supplies(dir, &args.supplies)?;
    let person_id = match &args.person {
        Some(p) => Some(resolve::person(&vault, p)?.id),
        None => None,
    };
    let kind = args.kind.unwrap_or(match vault.identity()?.role {
        Role::PoliceOfficer => ContactKind::PoliceWelfareCheck,
        _ => ContactKind::OutreachConversation,
    });
    let mut wellbeing: Vec<WellbeingFlag> = Vec::with_capacity(args.flags.len());
    for f in &args.flags {
        if !wellbeing.contains(f) {
            wellbeing.push(*f);
        }
    }
    let contact = vault.record_contact(ContactDraft {
        person_id,
        at: None,
        area_id,
        kind,
        wellbeing,
        note: args.note.clone(),
        supplies,
        safeguarding_acknowledged: args.ack_safeguarding,
    })?;
    emit(ctx.format, &ContactRecorded(names.contact(contact)?))
}
