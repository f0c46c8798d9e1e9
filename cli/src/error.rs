//! The command's errors, in plain words, each with its own exit code so that
//! scripts and tests can tell "offline" from "revoked" from "wrong PIN".
//!
//! Messages name what went wrong, never what a record holds: no alias, note or
//! description, and never the PIN or the device token.

use nightround_core::domain::ValidationError;
use nightround_core::CoreError;
use std::path::PathBuf;

/// Exit codes, as `--help` lists them.
pub mod exit {
    /// Anything not listed below (storage, key store, a damaged file).
    pub const OTHER: u8 = 1;
    /// The command line could not be parsed (clap's own code).
    pub const USAGE: u8 = 2;
    /// The server cannot be reached; everything is kept for the next sync.
    pub const OFFLINE: u8 = 3;
    /// This device's access was withdrawn and its vault erased.
    pub const REVOKED: u8 = 4;
    /// The server refused (enrolment code, unknown device, old protocol).
    pub const REFUSED: u8 = 5;
    /// The PIN was wrong, missing or not a valid PIN.
    pub const PIN: u8 = 6;
    /// The vault was erased after too many wrong PINs.
    pub const ERASED: u8 = 7;
    /// The device has gone too long without a sync; sync first.
    pub const LEASE: u8 = 8;
    /// The input was refused: a rule of the core, or an unknown person,
    /// area, agency, supply item or record.
    pub const REFUSED_INPUT: u8 = 9;
    /// No vault here, a vault already here, or not enrolled with a server.
    pub const SETUP: u8 = 10;
}

/// The exit code table for `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0   done
  1   other failure (storage, key store, damaged file)
  2   the command line was wrong
  3   offline: the server cannot be reached; everything is kept
  4   revoked: this device's access was withdrawn; its vault has been erased
  5   the server refused (enrolment code, unknown device, app too old)
  6   wrong, missing or invalid PIN
  7   the vault has been erased after too many wrong PINs
  8   the lease ran out: sync before doing anything else
  9   the input was refused (a rule, or an unknown person, area, agency, item)
  10  no vault here, a vault already here, or not enrolled";

/// Everything the command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The core refused or failed; its messages carry no record contents.
    #[error("{0}")]
    Core(#[from] CoreError),
    /// Neither `NIGHTROUND_PIN` nor standard input gave a PIN.
    #[error("no PIN given: set NIGHTROUND_PIN or give it on the first line of standard input")]
    NoPin,
    /// `NIGHTROUND_PIN` holds bytes that are not text.
    #[error("NIGHTROUND_PIN is not valid text")]
    PinNotText,
    /// Reading the PIN from the terminal or standard input failed.
    #[error("could not read the PIN ({0})")]
    PinInput(std::io::ErrorKind),
    /// The PIN typed twice for a new vault differed.
    #[error("the two PINs are not the same; nothing was created")]
    PinMismatch,
    /// The vault directory holds no vault yet.
    #[error("there is no vault in {}; run `nightround init` or `nightround enrol` first", .0.display())]
    NoVault(PathBuf),
    /// `init` or `enrol` found a vault already there.
    #[error("there is already a vault in {}; choose another --vault-dir", .0.display())]
    VaultExists(PathBuf),
    /// Creating the vault directory failed.
    #[error("could not create the vault directory {} ({kind})", .path.display())]
    VaultDir {
        /// The directory.
        path: PathBuf,
        /// What went wrong, without the OS message.
        kind: std::io::ErrorKind,
    },
    /// The certificate file for `--cert` could not be read or is not PEM.
    #[error("could not use the certificate {}: {reason}", .path.display())]
    Certificate {
        /// The file named on the command line.
        path: PathBuf,
        /// Why, in plain words.
        reason: String,
    },
    /// No person on this device has that alias or id.
    #[error("no one on this device is known by that alias or id")]
    NoSuchPerson,
    /// Several people share the alias; the ids let the user pick one.
    #[error("{count} people on this device are known by that alias; give an id instead: {ids}")]
    AmbiguousPerson {
        /// How many matched.
        count: usize,
        /// Their record ids, comma-separated.
        ids: String,
    },
    /// An id on the command line is not in the directory.
    #[error("unknown {what} `{given}`; known: {known}")]
    NotInDirectory {
        /// "area", "agency" or "supply item".
        what: &'static str,
        /// What was typed (a directory id, not a record's contents).
        given: String,
        /// The ids that would have been accepted.
        known: String,
    },
    /// A required text option was blank.
    #[error("{0} must not be blank")]
    Blank(&'static str),
    /// An "appears under 18" contact without the acknowledgement.
    #[error(
        "she may be under 18: follow the safeguarding procedure, then record the contact again \
         with --ack-safeguarding"
    )]
    SafeguardingPrompt,
    /// No `--area` and no earlier contact to take it from.
    #[error("give --area: there is no earlier contact to take the area from")]
    NoArea,
    /// Enrolment succeeded but the vault could not be made or keep it.
    #[error("{0}; the enrolment code has been used, so ask for a new one")]
    EnrolledButNotSaved(Box<CliError>),
    /// A referral id that is not a valid id.
    #[error("`{0}` is not a record id")]
    BadId(String),
    /// Writing to standard output failed (other than a closed pipe).
    #[error("could not write the output ({0})")]
    Output(std::io::ErrorKind),
}

impl CliError {
    /// The process exit code for this error (see [`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Core(e) => core_exit_code(e),
            CliError::NoPin | CliError::PinNotText | CliError::PinInput(_) => exit::PIN,
            CliError::PinMismatch => exit::PIN,
            CliError::NoVault(_) | CliError::VaultExists(_) | CliError::VaultDir { .. } => {
                exit::SETUP
            }
            CliError::Certificate { .. } => exit::SETUP,
            CliError::NoSuchPerson
            | CliError::AmbiguousPerson { .. }
            | CliError::NotInDirectory { .. }
            | CliError::BadId(_)
            | CliError::Blank(_)
            | CliError::SafeguardingPrompt
            | CliError::NoArea => exit::REFUSED_INPUT,
            CliError::EnrolledButNotSaved(inner) => inner.exit_code(),
            CliError::Output(_) => exit::OTHER,
        }
    }
}

/// Exit codes for the core's errors.
fn core_exit_code(e: &CoreError) -> u8 {
    match e {
        CoreError::Offline(_) | CoreError::Cancelled => exit::OFFLINE,
        CoreError::Revoked => exit::REVOKED,
        CoreError::ServerRefused(_) => exit::REFUSED,
        CoreError::WrongPin { .. } | CoreError::Locked | CoreError::TooSoon { .. } => exit::PIN,
        CoreError::Validation(ValidationError::PinTooShort { .. })
        | CoreError::Validation(ValidationError::PinNotDigits) => exit::PIN,
        CoreError::Shredded => exit::ERASED,
        CoreError::LeaseExpired => exit::LEASE,
        CoreError::Validation(_) | CoreError::NotFound(_) => exit::REFUSED_INPUT,
        CoreError::NoVault | CoreError::AlreadyExists | CoreError::NotEnrolled => exit::SETUP,
        CoreError::Corrupt(_)
        | CoreError::Envelope(_)
        | CoreError::SchemaTooNew { .. }
        | CoreError::KeyStore(_)
        | CoreError::KeyStoreSecretMissing
        | CoreError::DiskFull
        | CoreError::Storage(_) => exit::OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_failures_have_distinct_codes() {
        let codes = [
            CliError::from(CoreError::Offline("x".into())).exit_code(),
            CliError::from(CoreError::Revoked).exit_code(),
            CliError::from(CoreError::ServerRefused("x".into())).exit_code(),
            CliError::from(CoreError::Storage("x".into())).exit_code(),
        ];
        assert_eq!(codes, [3, 4, 5, 1]);
    }

    #[test]
    fn wrong_pin_and_erased_are_told_apart() {
        let wrong = CliError::from(CoreError::WrongPin { attempts_left: 3 });
        assert_eq!(wrong.exit_code(), exit::PIN);
        assert!(wrong.to_string().contains("3 attempts left"));
        assert_eq!(
            CliError::from(CoreError::Shredded).exit_code(),
            exit::ERASED
        );
    }
}
