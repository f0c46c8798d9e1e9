//! Record versions from a hybrid logical clock.
//!
//! A version is `PPPPPPPPPPPPP-LLLLL-NODE`: wall-clock milliseconds, a
//! logical counter, and the phone's node id, fixed-width so that versions sort
//! as strings. The clock never goes backwards, even when the phone's clock
//! does, and it moves past every version it has seen from elsewhere, so a
//! later edit always carries a greater version.
//!
//! The clock lives in memory while the vault is unlocked. Every version it
//! hands out is stored in the same transaction as its record, so on unlock it
//! is recovered from the greatest version in the file: nothing needs writing
//! on each tick (measured: a tick per write cost a WAL page per commit).

use crate::domain::validation::MAX_CLOCK_SKEW_MS;
use crate::error::Result;
use crate::Timestamp;
use rusqlite::{Connection, OptionalExtension};

/// A parsed record version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hlc {
    pub physical_ms: i64,
    pub logical: u32,
    pub node: String,
}

impl Hlc {
    pub fn encode(&self) -> String {
        encode(self.physical_ms, self.logical, &self.node)
    }

    /// Parses a version; `None` for anything the clock could not have
    /// written: a physical time outside `0..=MAX_PHYSICAL_MS` (thirteen
    /// digits, so that string order is clock order and `+ 1` never
    /// overflows), a counter over five digits, an empty node.
    pub fn parse(s: &str) -> Option<Hlc> {
        let mut parts = s.splitn(3, '-');
        let physical_ms: i64 = parts.next()?.parse().ok()?;
        let logical: u32 = parts.next()?.parse().ok()?;
        let node = parts.next()?.to_owned();
        if node.is_empty() || !(0..=MAX_PHYSICAL_MS).contains(&physical_ms) || logical > MAX_LOGICAL
        {
            return None;
        }
        Some(Hlc {
            physical_ms,
            logical,
            node,
        })
    }
}

/// `PPPPPPPPPPPPP-LLLLL-NODE`, written once into a string of the right size.
fn encode(physical_ms: i64, logical: u32, node: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(13 + 1 + 5 + 1 + node.len());
    // Writing to a String cannot fail.
    let _ = write!(out, "{physical_ms:013}-{logical:05}-{node}");
    out
}

/// The largest logical counter within one millisecond before the clock
/// borrows the next millisecond (five digits in the encoding).
const MAX_LOGICAL: u32 = 99_999;

/// The largest physical time a version may carry: thirteen digits (the year
/// 2286), the width that keeps versions sorting as strings.
pub const MAX_PHYSICAL_MS: i64 = 9_999_999_999_999;

/// Whether a version's physical time is more than the clock skew
/// ([`MAX_CLOCK_SKEW_MS`]) ahead of `now`: the writer's clock is wrong.
pub fn is_ahead_of(version: &Hlc, now: Timestamp) -> bool {
    version.physical_ms > now.timestamp_millis().saturating_add(MAX_CLOCK_SKEW_MS)
}

/// This phone's clock.
#[derive(Debug, Clone)]
pub struct HybridClock {
    physical_ms: i64,
    logical: u32,
    node: String,
}

impl HybridClock {
    /// A clock at zero for `node`.
    pub fn new(node: impl Into<String>) -> Self {
        Self {
            physical_ms: 0,
            logical: 0,
            node: node.into(),
        }
    }

    /// The clock past every version stored in the vault: past its own
    /// versions exactly (this clock made them, so a later edit must sort
    /// after them even if the wall clock went back), past others' only
    /// within the skew bound of `now`, as [`HybridClock::observe`] says.
    pub fn recover(conn: &Connection, now: Timestamp) -> Result<Self> {
        let node: String = conn.query_row("SELECT node_id FROM vault_info", [], |r| r.get(0))?;
        let mut clock = HybridClock::new(node);
        let own_suffix = format!("-{}", clock.node);
        for table in ["records", "record_history", "outbox"] {
            for (own, filter) in [
                (true, "version LIKE '%' || ?1"),
                (false, "version NOT LIKE '%' || ?1"),
            ] {
                let sql = format!("SELECT MAX(version) FROM {table} WHERE {filter}");
                let max: Option<String> = conn
                    .query_row(&sql, [&own_suffix], |r| r.get(0))
                    .optional()?
                    .flatten();
                match (max.as_deref().and_then(Hlc::parse), own) {
                    (Some(h), true) => clock.adopt(&h),
                    (Some(_), false) => clock.observe(max.as_deref().unwrap_or_default(), now),
                    (None, _) => {}
                }
            }
        }
        Ok(clock)
    }

    /// Moves the clock to at least `h`, whatever its time.
    fn adopt(&mut self, h: &Hlc) {
        if (h.physical_ms, h.logical) > (self.physical_ms, self.logical) {
            self.physical_ms = h.physical_ms;
            self.logical = h.logical;
        }
    }

    /// The next version for a local write.
    pub fn tick(&mut self, now: Timestamp) -> String {
        let wall = now.timestamp_millis();
        if wall > self.physical_ms {
            self.physical_ms = wall;
            self.logical = 0;
        } else if self.logical >= MAX_LOGICAL {
            // Bounded by `observe`, so this never reaches the end of i64;
            // saturating all the same.
            self.physical_ms = self.physical_ms.saturating_add(1);
            self.logical = 0;
        } else {
            self.logical += 1;
        }
        encode(self.physical_ms, self.logical, &self.node)
    }

    /// Moves the clock past a version seen elsewhere, but never more than
    /// the clock skew ([`MAX_CLOCK_SKEW_MS`]) ahead of the wall clock at
    /// `now`: one far-future version (a wrong clock, a hostile peer) cannot
    /// drag this clock into the future or overflow it. A version further
    /// ahead moves the clock only to the bound.
    pub fn observe(&mut self, seen: &str, now: Timestamp) {
        let Some(h) = Hlc::parse(seen) else { return };
        let bound = now
            .timestamp_millis()
            .saturating_add(MAX_CLOCK_SKEW_MS)
            .clamp(0, MAX_PHYSICAL_MS);
        let (physical_ms, logical) = if h.physical_ms > bound {
            (bound, 0)
        } else {
            (h.physical_ms, h.logical)
        };
        if (physical_ms, logical) > (self.physical_ms, self.logical) {
            self.physical_ms = physical_ms;
            self.logical = logical.min(MAX_LOGICAL);
        }
    }
}

/// The version a writer with no clock of its own (the server, the dashboard,
/// a locked phone) gives a change: after `after` and after the wall clock at
/// `now`, on `node`. Unlike [`HybridClock::observe`] it follows `after`
/// however far ahead it is, because the version it makes must sort after the
/// stored one it replaces; the server refuses versions beyond the skew
/// bound, so what it stores is never far ahead.
pub fn version_after(after: Option<&str>, now: Timestamp, node: &str) -> String {
    let mut clock = HybridClock::new(node);
    if let Some(h) = after.and_then(Hlc::parse) {
        clock.adopt(&h);
    }
    clock.tick(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tick_is_its_fixed_width_encoding_in_a_string_of_its_size() {
        let mut c = HybridClock::new("be0c4a11");
        let at = chrono::DateTime::from_timestamp_millis(1_795_201_200_000).unwrap();
        let v = c.tick(at);
        assert_eq!(v, "1795201200000-00000-be0c4a11");
        assert_eq!(v.capacity(), v.len());
        assert_eq!(Hlc::parse(&v).unwrap().encode(), v);
        assert_eq!(c.tick(at), "1795201200000-00001-be0c4a11");
    }

    #[test]
    fn monotonic_even_when_the_wall_clock_goes_back() {
        let mut c = HybridClock::new("abcd1234");
        let t = chrono::Utc::now();
        let a = c.tick(t);
        let b = c.tick(t);
        let back = c.tick(t - chrono::Duration::hours(1));
        let later = c.tick(t + chrono::Duration::seconds(1));
        assert!(a < b && b < back && back < later, "{a} {b} {back} {later}");
        assert_eq!(Hlc::parse(&b).unwrap().logical, 1);
    }

    #[test]
    fn observing_a_remote_version_moves_past_it() {
        let mut c = HybridClock::new("abcd1234");
        let t = chrono::Utc::now();
        let remote = Hlc {
            physical_ms: t.timestamp_millis() + 60_000,
            logical: 3,
            node: "ffff0000".into(),
        }
        .encode();
        c.observe(&remote, t);
        let next = Hlc::parse(&c.tick(t)).unwrap();
        assert!(next > Hlc::parse(&remote).unwrap());
        assert_eq!(next.logical, 4);
    }

    #[test]
    fn the_logical_counter_never_overflows_its_digits() {
        let mut c = HybridClock::new("n");
        let t = chrono::Utc::now();
        let mut last = c.tick(t);
        for _ in 0..(MAX_LOGICAL + 5) {
            let v = c.tick(t);
            assert!(v > last);
            last = v;
        }
        assert!(Hlc::parse(&last).unwrap().logical <= MAX_LOGICAL);
    }

    #[test]
    fn recovered_from_the_greatest_stored_version() {
        let conn = Connection::open_in_memory().unwrap();
        let mut c2 = conn;
        crate::vault::schema::migrate(&mut c2).unwrap();
        c2.execute(
            "INSERT INTO vault_info (singleton, vault_id, created_at, node_id) VALUES (1, 'v', 0, 'node1')",
            [],
        )
        .unwrap();
        c2.execute(
            "INSERT INTO outbox (kind, id, version, tombstone, queued_at) VALUES ('person', 'x', '9999999999999-00007-node1', 0, 0)",
            [],
        )
        .unwrap();
        let now = chrono::Utc::now();
        let mut clock = HybridClock::recover(&c2, now).unwrap();
        let v = clock.tick(now);
        assert_eq!(v, "9999999999999-00008-node1", "its own versions exactly");

        // A pulled far-future version moves a recovered clock only to the bound.
        c2.execute("DELETE FROM outbox", []).unwrap();
        c2.execute(
            "INSERT INTO outbox (kind, id, version, tombstone, queued_at) VALUES ('person', 'x', '9999999999999-00007-other', 0, 0)",
            [],
        )
        .unwrap();
        let mut clock = HybridClock::recover(&c2, now).unwrap();
        let v = Hlc::parse(&clock.tick(now)).unwrap();
        assert!(v.physical_ms <= now.timestamp_millis() + MAX_CLOCK_SKEW_MS);
    }

    #[test]
    fn versions_from_the_issue_at_the_extremes_do_not_parse_or_overflow() {
        // A 13-digit time with a letter node parses; nothing beyond 13
        // digits, a counter over five digits or a negative time does.
        assert!(Hlc::parse("9999999999999-99999-zz").is_some());
        for bad in [
            "9223372036854775807-99999-zz",
            "99999999999999-00000-zz",
            "9223372036854775808-00000-zz",
            "-0000000000001-00000-zz",
            "0000000000001-100000-zz",
            "0000000000001-4294967296-zz",
        ] {
            assert_eq!(Hlc::parse(bad), None, "{bad}");
        }
        // The writer with no clock of its own still sorts after the largest
        // version there can be, without overflowing.
        let now = chrono::Utc::now();
        let after = version_after(Some("9999999999999-99998-zz"), now, "server");
        assert!(after.as_str() > "9999999999999-99998-zz");
    }

    #[test]
    fn a_far_future_remote_version_moves_the_clock_only_to_the_bound() {
        let now = chrono::Utc::now();
        let bound = now.timestamp_millis() + MAX_CLOCK_SKEW_MS;
        for remote in [
            "9999999999999-99999-zz",
            "9223372036854775807-99999-zz",
            "9223372036854775807-4294967295-zz",
        ] {
            let mut c = HybridClock::new("abcd");
            c.observe(remote, now);
            let mut last = String::new();
            // Ticking a long while at the wall clock never overflows and
            // always moves forward.
            for _ in 0..(MAX_LOGICAL + 3) {
                let v = c.tick(now);
                let h = Hlc::parse(&v).expect("a version this clock can read back");
                assert!(h.physical_ms <= bound + 1, "{remote} -> {v}");
                assert!(v > last);
                last = v;
            }
        }
        // Within the bound a remote version is adopted exactly.
        let mut c = HybridClock::new("abcd");
        let near = Hlc {
            physical_ms: bound - 1,
            logical: 7,
            node: "ffff".into(),
        };
        c.observe(&near.encode(), now);
        assert!(Hlc::parse(&c.tick(now)).unwrap() > near);
    }
}
