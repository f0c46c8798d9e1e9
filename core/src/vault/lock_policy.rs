//! The lock policy kept in the vault file: the idle timeout and the
//! wrong-PIN limit survive a restart, and are known before the PIN is
//! checked (the limit decides when an unlock erases the vault).
//!
//! They sit in plain columns of `vault_info`, beside the failed-unlock
//! counter they govern: they say nothing about anyone, and whoever could
//! rewrite them could rewrite the counter too.

use super::LockPolicy;
use crate::domain::ValidationError;
use crate::error::Result;
use rusqlite::Connection;

impl LockPolicy {
    /// Refuses a policy that would lock at once or erase on no wrong PIN.
    pub fn check(&self) -> std::result::Result<(), ValidationError> {
        if self.max_failed_unlocks == 0 || self.idle_timeout < chrono::Duration::seconds(1) {
            return Err(ValidationError::LockPolicyOutOfRange);
        }
        Ok(())
    }
}

/// The policy stored in the file; the default for what was never set.
pub(crate) fn load(conn: &Connection) -> Result<LockPolicy> {
    let (idle, max): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT lock_idle_seconds, lock_max_failed FROM vault_info",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let default = LockPolicy::default();
    let policy = LockPolicy {
        idle_timeout: idle
            .filter(|s| *s > 0)
            .map_or(default.idle_timeout, chrono::Duration::seconds),
        max_failed_unlocks: max
            .and_then(|m| u32::try_from(m).ok())
            .filter(|m| *m > 0)
            .unwrap_or(default.max_failed_unlocks),
    };
    Ok(policy)
}

/// Writes `policy` to the file.
pub(crate) fn store(conn: &Connection, policy: &LockPolicy) -> Result<()> {
    conn.execute(
        "UPDATE vault_info SET lock_idle_seconds = ?1, lock_max_failed = ?2",
        (
            policy.idle_timeout.num_seconds(),
            i64::from(policy.max_failed_unlocks),
        ),
    )?;
    Ok(())
}
