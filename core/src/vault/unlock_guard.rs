//! The unlock counters: which attempts count toward the wipe and which only
//! cost time.
//!
//! An attempt is marked as started on disk before its PIN is checked, so
//! killing the app mid-check cannot buy a free, unnoticed guess. But an
//! attempt that never finished was never shown to be wrong: it may be a crash
//! loop, the OS reclaiming memory or a flat battery. So it is counted apart
//! (`interrupted_unlocks`) and costs a growing wait, never the vault. Only a
//! PIN the key row proved wrong counts toward the wipe (`failed_unlocks`).
//! A successful unlock clears both.

use crate::clock::to_millis;
use crate::error::{CoreError, Result};
use crate::Timestamp;
use rusqlite::Connection;

/// Interrupted unlocks forgiven without a wait (a short crash loop).
pub const FREE_INTERRUPTED: u32 = 5;
/// The longest wait an interrupted unlock can cost.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;

/// The wait the `interrupted`-th interrupted unlock costs: none for the first
/// few, then 1 s doubling up to [`MAX_WAIT_SECONDS`].
pub fn wait_for(interrupted: u32) -> i64 {
    if interrupted <= FREE_INTERRUPTED {
        return 0;
    }
    let doublings = (interrupted - FREE_INTERRUPTED - 1).min(20);
    (1i64 << doublings).min(MAX_WAIT_SECONDS)
}

/// The counters as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    /// Verified wrong PINs since the last successful unlock.
    pub failed: u32,
    /// Attempts cut off before their check, since the last successful unlock.
    pub interrupted: u32,
    /// Seconds to wait before the next attempt is heard.
    pub wait_seconds: u32,
}

fn read(conn: &Connection) -> Result<(u32, Option<i64>, u32, Option<i64>)> {
    Ok(conn.query_row(
        "SELECT failed_unlocks, unlock_started_at, interrupted_unlocks, unlock_not_before
         FROM vault_info",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?)
}

/// Seconds left until `not_before`, never more than the wait that set it
/// (a phone clock moved back cannot lock her out for longer).
fn remaining(not_before: Option<i64>, interrupted: u32, now: Timestamp) -> u32 {
    let Some(nb) = not_before else { return 0 };
    let left_ms = nb.saturating_sub(to_millis(now)).max(0);
    let left = (left_ms + 999) / 1000;
    left.min(wait_for(interrupted)).max(0) as u32
}

/// What the unlock screen shows before she types: verified wrong PINs, and
/// how long to wait if unlocks were interrupted. Writes nothing.
pub fn counters(conn: &Connection, now: Timestamp) -> Result<Counters> {
    let (failed, started, mut interrupted, mut not_before) = read(conn)?;
    if let Some(s) = started {
        interrupted += 1;
        not_before = Some(s + wait_for(interrupted) * 1000);
    }
    Ok(Counters {
        failed,
        interrupted,
        wait_seconds: remaining(not_before, interrupted, now),
    })
}

/// Begins an attempt: accounts for an earlier one that never finished, answers
/// [`CoreError::TooSoon`] while its wait runs, else marks this one started
/// (committed before the PIN is checked). Returns the verified wrong PINs.
pub fn begin(conn: &Connection, now: Timestamp) -> Result<u32> {
    let (failed, started, mut interrupted, mut not_before) = read(conn)?;
    if let Some(s) = started {
        interrupted = interrupted.saturating_add(1);
        not_before = Some(s + wait_for(interrupted) * 1000);
        conn.execute(
            "UPDATE vault_info SET unlock_started_at = NULL, interrupted_unlocks = ?1,
                                   unlock_not_before = ?2",
            rusqlite::params![interrupted, not_before],
        )?;
        tracing::warn!(target: "nightround::vault", interrupted, "an unlock was interrupted before its check");
    }
    let wait_seconds = remaining(not_before, interrupted, now);
    if wait_seconds > 0 {
        return Err(CoreError::TooSoon { wait_seconds });
    }
    conn.execute(
        "UPDATE vault_info SET unlock_started_at = ?1",
        [to_millis(now)],
    )?;
    Ok(failed)
}

/// The PIN opened the vault: every counter back to nothing.
pub fn succeeded(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE vault_info SET failed_unlocks = 0, unlock_started_at = NULL,
                               interrupted_unlocks = 0, unlock_not_before = NULL",
        [],
    )?;
    Ok(())
}

/// The key row proved the PIN wrong: one more toward the wipe. Returns the
/// new count.
pub fn proved_wrong(conn: &Connection) -> Result<u32> {
    conn.execute(
        "UPDATE vault_info SET failed_unlocks = failed_unlocks + 1, unlock_started_at = NULL",
        [],
    )?;
    Ok(conn.query_row("SELECT failed_unlocks FROM vault_info", [], |r| r.get(0))?)
}

/// The check could not be made (keystore, damage): not her mistake, nothing
/// counts.
pub fn not_checked(conn: &Connection) -> Result<()> {
    conn.execute("UPDATE vault_info SET unlock_started_at = NULL", [])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_free_then_grow_then_stop_growing() {
        assert_eq!(wait_for(1), 0);
        assert_eq!(wait_for(FREE_INTERRUPTED), 0);
        assert_eq!(wait_for(FREE_INTERRUPTED + 1), 1);
        assert_eq!(wait_for(FREE_INTERRUPTED + 2), 2);
        assert_eq!(wait_for(FREE_INTERRUPTED + 5), 16);
        assert_eq!(wait_for(u32::MAX), MAX_WAIT_SECONDS);
    }
}
