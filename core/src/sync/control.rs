//! A handle on a running sync from another thread: cancel it, and read how
//! far it has got (a new phone pulling a long history shows a progress line
//! instead of nothing for a minute).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// How far a sync has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SyncProgress {
    /// Changes the server has acknowledged so far.
    pub pushed: u64,
    /// Changes pulled and applied so far.
    pub pulled: u64,
    /// Pull pages received so far.
    pub pages: u64,
    /// Whether the server says more is waiting after what was pulled.
    pub more_waiting: bool,
}

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    pushed: AtomicU64,
    pulled: AtomicU64,
    pages: AtomicU64,
    more: AtomicBool,
}

/// Shared between the thread running a sync and whoever may cancel it or
/// watch it. Cloning gives another handle on the same sync.
#[derive(Debug, Clone, Default)]
pub struct SyncControl(Arc<Inner>);

impl PartialEq for SyncControl {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for SyncControl {}

impl SyncControl {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the sync at the next point it can: a request in flight is
    /// abandoned within a fraction of a second, nothing half-applied is kept
    /// (an outbox entry leaves only on its ack; a pulled page applies whole).
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    pub fn progress(&self) -> SyncProgress {
        SyncProgress {
            pushed: self.0.pushed.load(Ordering::SeqCst),
            pulled: self.0.pulled.load(Ordering::SeqCst),
            pages: self.0.pages.load(Ordering::SeqCst),
            more_waiting: self.0.more.load(Ordering::SeqCst),
        }
    }

    pub(crate) fn pushed(&self, n: u64) {
        self.0.pushed.fetch_add(n, Ordering::SeqCst);
    }

    pub(crate) fn pulled_page(&self, n: u64, more: bool) {
        self.0.pulled.fetch_add(n, Ordering::SeqCst);
        self.0.pages.fetch_add(1, Ordering::SeqCst);
        self.0.more.store(more, Ordering::SeqCst);
    }
}
