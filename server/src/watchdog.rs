//! The lone-worker watchdog (ADR 0004): every few seconds, on the server's
//! clock, it raises each open round whose check-in or end is overdue by more
//! than the grace period, then rings the [`Bell`] so that devices waiting on
//! the live channel hear it at once.
//!
//! All of its state is in the database ([`SafetyStore`]): a restart loses
//! nothing, and the first step after it raises whatever fell due meanwhile.

use crate::store::safety::{Escalation, SafetyStore, WatchRules};
use nightround_core::clock::Clock;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Wakes every live-channel request when something urgent is stored. It
/// carries a counter only; each waiting request asks the store what it may
/// see.
#[derive(Clone, Debug)]
pub struct Bell(Arc<watch::Sender<u64>>);

impl Default for Bell {
    fn default() -> Self {
        Self(Arc::new(watch::channel(0).0))
    }
}

impl Bell {
    /// Wakes every waiting request.
    pub fn ring(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver for one waiting request.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

/// One watchdog step at the clock's now: raise, log ids only, ring.
pub fn step(
    store: &dyn SafetyStore,
    clock: &dyn Clock,
    rules: &WatchRules,
    bell: &Bell,
) -> Result<Vec<Escalation>, crate::store::StoreError> {
    let raised = store.raise_overdue(clock.now(), rules)?;
    for e in &raised {
        tracing::warn!(round = %e.id, reason = ?e.reason, "a round went quiet: raised");
    }
    if !raised.is_empty() {
        bell.ring();
    }
    Ok(raised)
}

/// Runs [`step`] every `every` until the task is aborted.
pub fn spawn(
    store: Arc<dyn SafetyStore>,
    clock: Arc<dyn Clock>,
    rules: WatchRules,
    every: Duration,
    bell: Bell,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (store, clock, bell) = (store.clone(), clock.clone(), bell.clone());
            let done = tokio::task::spawn_blocking(move || {
                step(store.as_ref(), clock.as_ref(), &rules, &bell)
            })
            .await;
            match done {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "the watchdog step failed"),
                Err(e) => tracing::error!(error = %e, "the watchdog task failed"),
            }
        }
    })
}
