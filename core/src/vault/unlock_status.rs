//! What the unlock screen shows before she types a PIN.

use super::unlock_guard::Counters;

/// Wrong PINs left before the vault is erased, whether to warn her, and how
/// long to wait after unlocks that were cut off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct UnlockStatus {
    /// Verified wrong PINs since the last successful unlock.
    pub failed_unlocks: u32,
    /// Unlocks cut off before their check (they never count toward the wipe).
    pub interrupted_unlocks: u32,
    /// Wrong PINs left before the vault is erased.
    pub attempts_left: u32,
    /// Seconds before the next attempt is heard (0: now).
    pub wait_seconds: u32,
    /// A warning in plain words when few attempts are left or she must wait.
    pub warning: Option<String>,
}

/// From this many attempts left, the screen warns.
pub const WARN_AT: u32 = 3;

impl UnlockStatus {
    pub(crate) fn new(c: Counters, max_failed: u32) -> Self {
        let attempts_left = max_failed.saturating_sub(c.failed);
        let warning = if c.wait_seconds > 0 {
            Some(format!(
                "Unlocking was interrupted several times. Try again in {} seconds; nothing has been erased.",
                c.wait_seconds
            ))
        } else if attempts_left <= WARN_AT {
            Some(match attempts_left {
                1 => "One more wrong PIN erases the records on this phone.".to_owned(),
                n => format!("{n} more wrong PINs erase the records on this phone."),
            })
        } else {
            None
        };
        Self {
            failed_unlocks: c.failed,
            interrupted_unlocks: c.interrupted,
            attempts_left,
            wait_seconds: c.wait_seconds,
            warning,
        }
    }
}
