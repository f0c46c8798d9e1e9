//! Hearing urgent records in seconds: one long-poll beside the ordinary sync.
//!
//! While a round is open the app calls [`Vault::listen`] in a loop (Android:
//! a foreground service; iOS: while in the foreground). The server answers as
//! soon as a help call, a missed round or a team alert that this device may
//! see is stored after the phone's cursor; the phone then runs an ordinary
//! sync, which is what actually reads it. A server without the channel, or no
//! signal, means ordinary sync alone, as before (ADR 0004).

use super::engine::{to_core, SyncOptions, SyncReport};
use super::protocol::MAX_LIVE_WAIT_SECS;
use super::transport::{HttpTransport, TransportError};
use crate::error::{CoreError, Result};
use crate::vault::Vault;
use std::time::Duration;

/// What one `listen` call heard and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct ListenReport {
    /// Urgent records the server announced.
    pub heard: u64,
    /// The server has no live channel: the app should rely on ordinary sync.
    pub live_unavailable: bool,
    /// The sync run because something was heard (or to fall back); `None`
    /// while locked: the phone cannot read what it heard until she unlocks,
    /// so the app only notifies ("Safety alert: open Nightround").
    pub sync: Option<SyncReport>,
    /// Heard while the vault was locked.
    pub while_locked: bool,
}

impl Vault {
    /// Waits up to `wait` (capped at 25 s) for something urgent, then syncs
    /// if anything came. Offline answers `CoreError::Offline` at once, as sync
    /// does; the caller waits a little and calls again.
    pub fn listen(&self, options: &SyncOptions, wait: Duration) -> Result<ListenReport> {
        if self.is_locked() {
            return self.listen_locked(options, wait);
        }
        let meta = self.sync_meta()?;
        let (Some(url), Some(token)) = (meta.server_url.clone(), meta.token.clone()) else {
            return Err(CoreError::NotEnrolled);
        };
        let wait = wait.min(Duration::from_secs(MAX_LIVE_WAIT_SECS));
        let t = HttpTransport::new(&url, meta.pinned_cert_pem.as_deref(), options.timeout)
            .map_err(to_core)?;
        match t.live(&token, meta.cursor, wait, options.timeout) {
            Ok(resp) if resp.urgent.is_empty() => Ok(ListenReport::default()),
            Ok(resp) => Ok(ListenReport {
                heard: resp.urgent.len() as u64,
                live_unavailable: false,
                sync: Some(self.sync(options)?),
                while_locked: false,
            }),
            Err(TransportError::Server { status: 404, .. }) => Ok(ListenReport {
                heard: 0,
                live_unavailable: true,
                sync: Some(self.sync(options)?),
                while_locked: false,
            }),
            Err(e) => {
                let e = to_core(e);
                if matches!(e, CoreError::Revoked) {
                    // The ordinary path shreds and reports it.
                    return self.sync(options).map(|_| ListenReport::default());
                }
                Err(e)
            }
        }
    }
}

impl Vault {
    /// While locked: the credentials from the keystore-only package (ADR
    /// 0003), listening from the last pulled position (kept in plain); what
    /// is heard moves that position on, so the same alert rings once.
    fn listen_locked(&self, options: &SyncOptions, wait: Duration) -> Result<ListenReport> {
        let (creds, after) = self.locked_listen_start()?;
        let wait = wait.min(Duration::from_secs(MAX_LIVE_WAIT_SECS));
        let t = HttpTransport::new(
            &creds.server_url,
            creds.pinned_cert_pem.as_deref(),
            options.timeout,
        )
        .map_err(to_core)?;
        match t.live(&creds.token, after, wait, options.timeout) {
            Ok(resp) => {
                if let Some(max) = resp.urgent.iter().map(|i| i.seq).max() {
                    self.locked_listen_heard(max)?;
                }
                Ok(ListenReport {
                    heard: resp.urgent.len() as u64,
                    live_unavailable: false,
                    sync: None,
                    while_locked: true,
                })
            }
            Err(TransportError::Server { status: 404, .. }) => Ok(ListenReport {
                heard: 0,
                live_unavailable: true,
                sync: None,
                while_locked: true,
            }),
            Err(e) => match to_core(e) {
                // The ordinary (locked) path shreds and reports it.
                CoreError::Revoked => self.sync(options).map(|_| ListenReport::default()),
                other => Err(other),
            },
        }
    }
}
