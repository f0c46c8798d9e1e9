//! Exponential backoff with full jitter, so that a team's phones coming back
//! into signal together do not hammer the server in step.

use std::time::Duration;

/// When to retry a request that failed for a reason that may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    /// Tries in all, the first included.
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
            attempts: 4,
        }
    }
}

impl Backoff {
    /// The pause before retry number `retry` (1-based): uniformly random in
    /// `[0, min(max, base · 2^(retry-1))]`.
    pub fn delay(&self, retry: u32) -> Duration {
        let exp = self.base.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let cap = exp.min(self.max);
        let r = u64::from_le_bytes(crate::crypto::random::array::<8>());
        let nanos = cap.as_nanos() as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(r % (nanos + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_capped_and_jittered() {
        let b = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_millis(1000),
            attempts: 10,
        };
        let mut distinct = std::collections::HashSet::new();
        for retry in 1..=10 {
            let cap = Duration::from_millis(100 * (1 << (retry - 1))).min(b.max);
            for _ in 0..20 {
                let d = b.delay(retry);
                assert!(d <= cap, "retry {retry}: {d:?} > {cap:?}");
                distinct.insert(d);
            }
        }
        assert!(distinct.len() > 100, "jitter spreads the delays");
        assert!(b.delay(64) <= b.max, "no overflow on huge retry counts");
    }
}
