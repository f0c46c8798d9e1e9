//! Rendering what a command did or a screen shows: a readable plain-text
//! table by default, or with `--json` the same data as JSON for tests and
//! scripts. Commands build a view (`records`, `screens`, `device`, from the
//! shared `rows`); this module decides only how it is written.
//!
//! JSON reuses the core's own serialisation of records (snake_case names,
//! RFC 3339 UTC times), with display names (area, agency, alias) added beside
//! the ids so that a script need not look them up.

mod device;
mod records;
mod rows;
mod screens;
mod table;

pub use device::{DirectoryScreen, StatusScreen};
pub use records::{
    ConcernRaised, ContactRecorded, Enrolled, Initialised, PersonAdded, ReferralsMade,
    StatusChanged, SuppliesRecorded, Synced,
};
pub use rows::{ConcernRow, ConsentRow, ContactRow, ReferralRow};
pub use screens::{
    AlertRow, AlertsScreen, PeopleScreen, PersonBrief, PersonScreen, ReferralsScreen, TimelineRow,
    TonightScreen,
};

use crate::error::CliError;
use nightround_core::Timestamp;
use serde::Serialize;
use std::io::Write;

/// How output is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a person at a terminal.
    Text,
    /// One JSON document per command, for tests and scripts.
    Json,
}

/// Something a command shows: serialisable for `--json`, and able to write
/// itself as text.
pub trait View: Serialize {
    /// Appends the plain-text form to `out`.
    fn text(&self, out: &mut String);
}

/// Writes a view to standard output in the chosen format. A closed pipe
/// (`nightround show tonight | head`) is not an error.
pub fn emit(format: Format, view: &impl View) -> Result<(), CliError> {
    let mut s = String::new();
    match format {
        Format::Text => view.text(&mut s),
        Format::Json => {
            // The views hold strings, numbers and times only: this cannot fail.
            s = serde_json::to_string_pretty(view)
                .map_err(|_| CliError::Output(std::io::ErrorKind::InvalidData))?;
            s.push('\n');
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Output(e.kind())),
    }
}

/// A moment in this computer's local time, as a person reads it.
pub fn when(t: Timestamp) -> String {
    t.with_timezone(&chrono::Local)
        .format("%a %d %b %H:%M")
        .to_string()
}

/// A core enum's wire name as words: `dangerous_vehicle` → `dangerous vehicle`.
pub fn words<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s.replace('_', " "),
        _ => String::from("?"),
    }
}

/// Appends one line.
fn line(out: &mut String, text: impl AsRef<str>) {
    out.push_str(text.as_ref());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use nightround_core::domain::ConcernCategory;

    #[test]
    fn enum_words() {
        assert_eq!(
            words(&ConcernCategory::DangerousVehicle),
            "dangerous vehicle"
        );
    }
}
