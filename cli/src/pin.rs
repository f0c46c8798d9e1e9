//! Where the PIN comes from: the `NIGHTROUND_PIN` environment variable, or
//! else the first line of standard input. Never the command line, where any
//! user on the machine can read it in the process list, and never echoed or
//! logged. On a terminal the prompt goes to standard error and typing is not
//! echoed.

use crate::error::CliError;
use std::io::{BufRead, IsTerminal, Write};
use zeroize::Zeroizing;

/// The environment variable a script or test sets the PIN in.
pub const PIN_ENV: &str = "NIGHTROUND_PIN";

/// The longest line read as a PIN; a PIN is a handful of digits.
const MAX_LINE: u64 = 256;

/// Whether the PIN opens an existing vault or protects a new one (a new
/// one is asked for twice on a terminal, since a typo would lock her out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinUse {
    /// Unlocking a vault that exists.
    Unlock,
    /// Creating a vault.
    New,
}

/// Reads the PIN from the environment or standard input.
pub fn read_pin(purpose: PinUse) -> Result<Zeroizing<String>, CliError> {
    match std::env::var(PIN_ENV) {
        Ok(pin) => return Ok(Zeroizing::new(pin)),
        Err(std::env::VarError::NotUnicode(_)) => return Err(CliError::PinNotText),
        Err(std::env::VarError::NotPresent) => {}
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return first_line(stdin.lock());
    }
    let prompt = match purpose {
        PinUse::Unlock => "PIN: ",
        PinUse::New => "PIN for the new vault (6 or more digits): ",
    };
    let pin = prompt_hidden(prompt)?;
    if purpose == PinUse::New {
        let again = prompt_hidden("The same PIN again: ")?;
        if *again != *pin {
            return Err(CliError::PinMismatch);
        }
    }
    Ok(pin)
}

/// The first line of `input`, without its line ending.
pub fn first_line(input: impl BufRead) -> Result<Zeroizing<String>, CliError> {
    let mut line = Zeroizing::new(String::new());
    let read = input
        .take(MAX_LINE)
        .read_line(&mut line)
        .map_err(|e| CliError::PinInput(e.kind()))?;
    if read == 0 {
        return Err(CliError::NoPin);
    }
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Err(CliError::NoPin);
    }
    Ok(Zeroizing::new(trimmed.to_owned()))
}

/// Restores the terminal's settings when dropped, even on an error.
struct EchoOff {
    saved: rustix::termios::Termios,
}

impl EchoOff {
    fn new() -> std::io::Result<Self> {
        use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
        let stdin = std::io::stdin();
        let saved = tcgetattr(&stdin)?;
        let mut quiet = saved.clone();
        quiet.local_modes.remove(LocalModes::ECHO);
        quiet.local_modes.insert(LocalModes::ECHONL);
        tcsetattr(&stdin, OptionalActions::Flush, &quiet)?;
        Ok(Self { saved })
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        use rustix::termios::{tcsetattr, OptionalActions};
        let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &self.saved);
    }
}

/// Prompts on standard error and reads one line with echo off.
fn prompt_hidden(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    let mut err = std::io::stderr();
    let _ = err.write_all(prompt.as_bytes());
    let _ = err.flush();
    let _quiet = EchoOff::new().map_err(|e| CliError::PinInput(e.kind()))?;
    first_line(std::io::stdin().lock())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_only_without_its_ending() {
        let mut input = std::io::Cursor::new(b"246810\r\nsecond line\n".to_vec());
        assert_eq!(first_line(&mut input).unwrap().as_str(), "246810");
    }

    #[test]
    fn empty_input_is_no_pin() {
        let mut input = std::io::Cursor::new(Vec::new());
        assert!(matches!(first_line(&mut input), Err(CliError::NoPin)));
        let mut blank = std::io::Cursor::new(b"\n".to_vec());
        assert!(matches!(first_line(&mut blank), Err(CliError::NoPin)));
    }
}
