//! `nightround refer` and `nightround referral-status`: the universal
//! referral form (her consent, agency by agency, and a referral to each, all
//! or nothing), and moving a referral on.

use super::{resolve, Ctx};
use crate::error::CliError;
use crate::output::{emit, ReferralsMade, StatusChanged};
use crate::values;
use clap::Args;
use nightround_core::domain::{ConsentMethod, InfoCategory, ReferralForm, ReferralStatus, Urgency};
use uuid::Uuid;

/// The referral form. Running it records her consent for each agency.
#[derive(Debug, Args)]
pub struct ReferArgs {
    /// Who (alias or id).
    #[arg(long, value_name = "ALIAS_OR_ID")]
    pub person: String,
    /// An agency she consents to be referred to (id or name; repeat or
    /// separate with commas); see `show directory`.
    #[arg(
        long = "agency",
        value_name = "ID",
        required = true,
        value_delimiter = ','
    )]
    pub agencies: Vec<String>,
    /// Red, amber or green: sets each agency's response deadline.
    #[arg(long, value_parser = values::urgency())]
    pub urgency: Urgency,
    /// What she needs.
    #[arg(long)]
    pub needs: String,
    /// How she gave consent.
    #[arg(long, value_parser = values::consent_method(), default_value = "verbal")]
    pub consent: ConsentMethod,
    /// What information her consent covers (comma-separated).
    #[arg(
        long,
        value_parser = values::info_category(),
        value_delimiter = ',',
        default_value = "contact_details"
    )]
    pub covers: Vec<InfoCategory>,
}

/// Records her consent and the referrals, and prints them.
pub fn run(args: &ReferArgs, ctx: &Ctx) -> Result<(), CliError> {
    let vault = ctx.unlock()?;
    let mut names = resolve::Names::new(&vault, chrono::Utc::now())?;
    let person = resolve::person(&vault, &args.person)?;
    let mut agency_ids = Vec::with_capacity(args.agencies.len());
    for a in &args.agencies {
        let id = resolve::agency(names.directory(), a)?;
        if !agency_ids.contains(&id) {
            agency_ids.push(id);
        }
    }
    let mut covers: Vec<InfoCategory> = Vec::with_capacity(args.covers.len());
    for c in &args.covers {
        if !covers.contains(c) {
            covers.push(*c);
        }
    }
    let referrals = vault.submit_referral_form(ReferralForm {
        person_id: person.id,
        agency_ids,
        urgency: args.urgency,
        needs: args.needs.clone(),
        consent_method: args.consent,
        consent_covers: covers,
        consent_review_at: None,
    })?;
    let rows = referrals
        .into_iter()
        .map(|r| names.referral(r))
        .collect::<Result<Vec<_>, _>>()?;
    emit(ctx.format, &ReferralsMade(rows))
}

/// Moving a referral on.
#[derive(Debug, Args)]
pub struct ReferralStatusArgs {
    /// The referral's id (see `show referrals`).
    #[arg(long)]
    pub id: String,
    /// Where it is now.
    #[arg(long, value_parser = values::referral_status())]
    pub status: ReferralStatus,
}

/// Moves the referral and prints it.
pub fn run_status(args: &ReferralStatusArgs, ctx: &Ctx) -> Result<(), CliError> {
    let id = Uuid::parse_str(args.id.trim()).map_err(|_| CliError::BadId(args.id.clone()))?;
    let vault = ctx.unlock()?;
    let mut names = resolve::Names::new(&vault, chrono::Utc::now())?;
    let referral = vault.set_referral_status(id, args.status)?;
    emit(ctx.format, &StatusChanged(names.referral(referral)?))
}
