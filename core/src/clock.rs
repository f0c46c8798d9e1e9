//! Time, injected so that due dates, alerts and leases can be tested.

use crate::Timestamp;
use std::sync::Mutex;

/// Where the core reads "now" from.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The phone's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// A clock a test moves by hand.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }
    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Timestamps are stored as milliseconds since the epoch in plaintext columns.
pub fn to_millis(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`to_millis`]; out-of-range values are a damaged column.
pub fn from_millis(ms: i64) -> crate::error::Result<Timestamp> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or(crate::CoreError::Corrupt(crate::CorruptKind::Column))
}
