//! Record versions from a hybrid logical clock.
//!
//! A version is `PPPPPPPPPPPPP-LLLLL-NODE`: wall-clock milliseconds, a
//! logical counter, and the phone's node id, fixed-width so that versions sort
//! as strings. The clock never goes backwards, even when the phone's clock
//! does, and it moves past every version it has seen from elsewhere, so a
//! later edit always carries a greater version. Its state is kept in the vault
//! and advanced in the same transaction as the write that uses it.

use crate::error::{CoreError, CorruptKind, Result};
use crate::Timestamp;
use rusqlite::Connection;

/// A parsed record version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hlc {
    pub physical_ms: i64,
    pub logical: u32,
    pub node: String,
}

impl Hlc {
    pub fn encode(&self) -> String {
        format!("{:013}-{:05}-{}", self.physical_ms, self.logical, self.node)
    }

    pub fn parse(s: &str) -> Option<Hlc> {
        let mut parts = s.splitn(3, '-');
        let physical_ms = parts.next()?.parse().ok()?;
        let logical = parts.next()?.parse().ok()?;
        let node = parts.next()?.to_owned();
        if node.is_empty() {
            return None;
        }
        Some(Hlc {
            physical_ms,
            logical,
            node,
        })
    }
}

/// The next version for a local write, persisted before it is returned.
pub fn tick(conn: &Connection, now: Timestamp) -> Result<String> {
    let (physical, logical, node): (i64, i64, String) = conn.query_row(
        "SELECT hlc_physical, hlc_logical, node_id FROM vault_info",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let wall = now.timestamp_millis();
    let (p, l) = if wall > physical {
        (wall, 0)
    } else {
        (physical, logical + 1)
    };
    if l > 99_999 {
        return Err(CoreError::Corrupt(CorruptKind::Column));
    }
    conn.execute(
        "UPDATE vault_info SET hlc_physical = ?1, hlc_logical = ?2",
        (p, l),
    )?;
    Ok(Hlc {
        physical_ms: p,
        logical: l as u32,
        node,
    }
    .encode())
}

/// Moves the clock past a version seen from another device.
pub fn observe(conn: &Connection, seen: &str) -> Result<()> {
    if let Some(h) = Hlc::parse(seen) {
        conn.execute(
            "UPDATE vault_info SET hlc_physical = ?1, hlc_logical = ?2
             WHERE hlc_physical < ?1 OR (hlc_physical = ?1 AND hlc_logical < ?2)",
            (h.physical_ms, i64::from(h.logical)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE vault_info (hlc_physical INTEGER, hlc_logical INTEGER, node_id TEXT);
             INSERT INTO vault_info VALUES (0, 0, 'abcd1234');",
        )
        .unwrap();
        c
    }

    #[test]
    fn monotonic_even_when_the_wall_clock_goes_back() {
        let c = conn();
        let t = chrono::Utc::now();
        let a = tick(&c, t).unwrap();
        let b = tick(&c, t).unwrap();
        let back = tick(&c, t - chrono::Duration::hours(1)).unwrap();
        let later = tick(&c, t + chrono::Duration::seconds(1)).unwrap();
        assert!(a < b && b < back && back < later, "{a} {b} {back} {later}");
        assert_eq!(Hlc::parse(&b).unwrap().logical, 1);
    }

    #[test]
    fn observing_a_remote_version_moves_past_it() {
        let c = conn();
        let t = chrono::Utc::now();
        let remote = Hlc {
            physical_ms: t.timestamp_millis() + 60_000,
            logical: 3,
            node: "ffff0000".into(),
        }
        .encode();
        observe(&c, &remote).unwrap();
        let next = tick(&c, t).unwrap();
        let parsed = Hlc::parse(&next).unwrap();
        assert!(parsed > Hlc::parse(&remote).unwrap());
        assert_eq!(parsed.logical, 4);
    }
}
