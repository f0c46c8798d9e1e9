//! `nightround sync`: pushes what this device recorded and pulls what it may
//! see. Failures exit with their own codes (3 offline, 4 revoked, 5 refused).

use super::Ctx;
use crate::error::CliError;
use crate::output::{emit, Synced};
use clap::Args;
use nightround_core::sync::{
    deliver_undelivered, Backoff, SyncControl, SyncOptions, SyncProgress, SyncReport,
};
use nightround_core::vault::undelivered_path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How hard to try; the defaults are the phone's.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Tries per request, the first included, with backoff and jitter
    /// between them while the server cannot be reached. 1 gives a quick
    /// answer when checking a deployment.
    #[arg(long, value_name = "N", default_value_t = Backoff::default().attempts)]
    pub attempts: u32,
    /// Seconds each request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Seconds the whole sync may take, retries included (0: no limit).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub overall: u64,
}

/// Syncs once and prints what it did. First hands the server what a vault
/// erased for wrong PINs left beside it (`vault.db.undelivered`), so those
/// records reach the team even with no vault here any more.
pub fn run(args: &SyncArgs, ctx: &Ctx) -> Result<(), CliError> {
    let delivered = deliver_left_behind(ctx)?;
    if delivered.is_some() && !ctx.device.vault_path().exists() {
        return emit(
            ctx.format,
            &Synced {
                delivered: delivered.unwrap_or(0),
                ..Synced::from(SyncReport::default())
            },
        );
    }
    let vault = ctx.unlock()?;
    let defaults = SyncOptions::default();
    let options = SyncOptions {
        backoff: Backoff {
            attempts: args.attempts.max(1),
            ..defaults.backoff
        },
        timeout: Duration::from_secs(args.timeout.max(1)),
        deadline: (args.overall > 0).then(|| Instant::now() + Duration::from_secs(args.overall)),
        ..defaults
    };
    let report = with_progress_line(&options.control, || vault.sync(&options))?;
    emit(
        ctx.format,
        &Synced {
            delivered: delivered.unwrap_or(0),
            ..Synced::from(report)
        },
    )
}

/// Runs `sync` while a watcher prints a progress line on standard error
/// each second something moved (a new device pulling a long history would
/// otherwise print nothing for a minute). Standard output stays the result.
fn with_progress_line<T>(control: &SyncControl, sync: impl FnOnce() -> T) -> T {
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (control, done) = (control.clone(), done.clone());
        std::thread::spawn(move || {
            let mut shown = SyncProgress::default();
            let mut ticks = 0u32;
            while !done.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
                ticks += 1;
                let now = control.progress();
                if ticks.is_multiple_of(10) && now != shown {
                    eprintln!(
                        "Syncing: {} sent, {} received{}",
                        now.pushed,
                        now.pulled,
                        if now.more_waiting {
                            ", more waiting"
                        } else {
                            ""
                        }
                    );
                    shown = now;
                }
            }
        })
    };
    let out = sync();
    done.store(true, Ordering::SeqCst);
    let _ = watcher.join();
    out
}

/// Delivers `vault.db.undelivered` if there is one: `None` when there was
/// nothing, else how many changes the server took. A failure keeps the file
/// for the next try.
pub fn deliver_left_behind(ctx: &Ctx) -> Result<Option<u64>, CliError> {
    let vault_path = ctx.device.vault_path();
    if !undelivered_path(&vault_path).exists() {
        return Ok(None);
    }
    Ok(Some(deliver_undelivered(&vault_path)?))
}
