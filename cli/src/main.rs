//! `nightround`: the command-line device. This file holds the command line
//! (clap derive) and turns a result into an exit code; each subcommand's
//! work is in `nightround_cli::commands`.

use clap::{Parser, Subcommand};
use nightround_cli::commands::{
    concern, consent, contact, enrol, holds, init, person, refer, retention, show, supplies, sync,
    Ctx,
};
use nightround_cli::device::Device;
use nightround_cli::error::EXIT_CODES_HELP;
use nightround_cli::output::Format;
use nightround_cli::CliError;
use std::path::PathBuf;
use std::process::ExitCode;

const ABOUT: &str = "One Nightround device on the command line: enrol, record, sync, show.
Its keystore is a file next to the vault, far weaker than a phone's: for tests, demos and
checking a deployment, not real people's records (see --help).";

const LONG_ABOUT: &str = "\
One Nightround device on the command line, on the same core as the phones:
enrol with a server (or make a local vault), record an evening round, sync,
and show what the phone's screens would show.

The PIN is read from the NIGHTROUND_PIN environment variable or, if that is
unset, from the first line of standard input (hidden when typed at a
terminal). It is never taken from the command line.

KEYSTORE WARNING: this command keeps the vault's keystore secret in a file
(DIR/keystore/, owner-only) next to the vault. Phones keep it in the Android
Keystore or the iOS Keychain, which a copied file cannot reach; here anyone
who can copy the vault directory as this user has both halves but the PIN.
Use the command-line device for tests, demos and checking a deployment, not
to carry real people's records.";

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "nightround",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    /// Where this device keeps its vault (DIR/vault.db) and keystore.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "./nightround-device"
    )]
    vault_dir: PathBuf,
    /// Print JSON (for tests and scripts) instead of plain text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Enrol this device with a server using a one-time code, and make its vault.
    Enrol(enrol::EnrolArgs),
    /// Make a local vault with no server, to try the core offline.
    Init(init::InitArgs),
    /// Add a person by the name she gives; prints her new id.
    AddPerson(person::AddPersonArgs),
    /// Log a contact, with what was handed out.
    Contact(contact::ContactArgs),
    /// Log supplies given out on their own.
    Supplies(supplies::SuppliesArgs),
    /// Record a safety concern; with --alert-hours, a team alert.
    Concern(concern::ConcernArgs),
    /// Refer her to one or more agencies, recording her consent to each.
    Refer(refer::ReferArgs),
    /// Move a referral on: sent, acknowledged, accepted, declined or closed.
    ReferralStatus(refer::ReferralStatusArgs),
    /// Send what this device recorded and receive what it may see.
    Sync(sync::SyncArgs),
    /// Show a screen: tonight, alerts, referrals, person, people, status, directory.
    Show(show::ShowArgs),
    /// Record that she withdrew her consent to an agency.
    WithdrawConsent(consent::WithdrawConsentArgs),
    /// End a team alert raised on this device before its time.
    EndAlert(consent::EndAlertArgs),
    /// What this device holds of one woman, by kind (counts only).
    Holds(holds::HoldsArgs),
    /// Purge what the phone's retention window has passed (set it with
    /// --window-days); sync does it too.
    Retention(retention::RetentionArgs),
}

fn run(cli: Cli) -> Result<(), CliError> {
    let ctx = Ctx {
        device: Device::new(cli.vault_dir),
        format: if cli.json { Format::Json } else { Format::Text },
    };
    match &cli.command {
        Command::Enrol(a) => enrol::run(a, &ctx),
        Command::Init(a) => init::run(a, &ctx),
        Command::AddPerson(a) => person::run(a, &ctx),
        Command::Contact(a) => contact::run(a, &ctx),
        Command::Supplies(a) => supplies::run(a, &ctx),
        Command::Concern(a) => concern::run(a, &ctx),
        Command::Refer(a) => refer::run(a, &ctx),
        Command::ReferralStatus(a) => refer::run_status(a, &ctx),
        Command::Sync(a) => sync::run(a, &ctx),
        Command::Show(a) => show::run(a, &ctx),
        Command::WithdrawConsent(a) => consent::run_withdraw(a, &ctx),
        Command::EndAlert(a) => consent::run_end_alert(a, &ctx),
        Command::Holds(a) => holds::run(a, &ctx),
        Command::Retention(a) => retention::run(a, &ctx),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nightround: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
