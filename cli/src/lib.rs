//! The `nightround` command-line device: one device on the same core as the
//! phones, to enrol, record, sync and show. The end-to-end tests, the demo
//! (`scripts/demo-round.sh`) and a person checking a deployment use it.
//!
//! - `commands`: one module per subcommand, each one call into the core;
//! - `output`: plain-text tables or `--json`;
//! - `device`: the vault directory, lock policy, opening and creating;
//! - `file_keystore`: the keystore for this command only (weaker than a
//!   phone's; read its documentation);
//! - `pin`: the PIN from `NIGHTROUND_PIN` or standard input, never argv;
//! - `values`: the core's enums and supply lines on the command line;
//! - `error`: plain-words errors and their exit codes.

#![warn(missing_docs)]

#[cfg(not(unix))]
compile_error!("the command-line device keeps owner-only key files and needs a Unix system");

pub mod commands;
pub mod device;
pub mod error;
pub mod file_keystore;
pub mod output;
pub mod pin;
pub mod values;

pub use error::{exit, CliError};
