//! One module per subcommand. Each defines its arguments (clap derive) and a
//! `run` that opens the vault, makes one call into the core, and hands the
//! result to `output` to print.

pub mod concern;
pub mod consent;
pub mod contact;
pub mod enrol;
pub mod holds;
pub mod init;
pub mod person;
pub mod refer;
pub mod resolve;
pub mod retention;
pub mod show;
pub mod supplies;
pub mod sync;

use crate::device::Device;
use crate::error::CliError;
use crate::output::Format;
use crate::pin::{read_pin, PinUse};
use nightround_core::domain::validation::check_pin;
use nightround_core::{CoreError, Vault};

/// What every command needs: the device's files and the output format.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The vault directory and keystore.
    pub device: Device,
    /// Text or JSON.
    pub format: Format,
}

impl Ctx {
    /// Reads the PIN and opens this device's vault with it.
    pub fn unlock(&self) -> Result<Vault, CliError> {
        // Check for the vault first, so that a missing vault is reported
        // before anyone is asked for a PIN.
        if !self.device.vault_path().exists() {
            return Err(CliError::NoVault(self.device.dir().to_path_buf()));
        }
        let pin = read_pin(PinUse::Unlock)?;
        // A malformed PIN can never be right: refuse it without spending one
        // of the attempts before the vault is erased.
        check_pin(&pin).map_err(CoreError::from)?;
        self.device.open(&pin)
    }
}

/// Trims a required text option, refusing a blank one.
pub(crate) fn required(option: &'static str, value: &str) -> Result<String, CliError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(CliError::Blank(option));
    }
    Ok(v.to_owned())
}
