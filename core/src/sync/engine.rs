//! One `sync` call: push the outbox, then pull what this device may see.
//!
//! - The vault's lock is never held across the network: each step opens the
//!   vault, does its local work, and closes it again.
//! - An outbox entry leaves only on its ack, so a request dropped mid-way, a
//!   killed app or a restarted server just means the next sync sends it again
//!   and the server answers `duplicate`.
//! - One refused record is quarantined with its reason; the rest go on.
//! - A `revoked` answer crypto-shreds the vault.

use super::backoff::Backoff;
use super::protocol::{
    EnrolRequest, ErrorCode, PushRequest, MAX_PULL_CHANGES, MAX_PUSH_CHANGES, PROTOCOL_VERSION,
};
use super::transport::{HttpTransport, TransportError};
use crate::domain::WorkerIdentity;
use crate::error::{CoreError, Result};
use crate::vault::{Enrolment, Vault};
use std::time::Duration;

/// How a sync behaves; the defaults suit a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Changes per push (halved when the server says a batch is too large).
    pub batch_size: usize,
    /// Changes per pull page.
    pub page_size: usize,
    pub backoff: Backoff,
    /// Per request (the read timeout).
    pub timeout: Duration,
    /// For the TCP and TLS set-up of a request.
    pub connect_timeout: Duration,
    /// When the whole sync gives up, retries and waits included.
    pub deadline: Option<std::time::Instant>,
    /// Cancels the sync from another thread; reports its progress.
    pub control: super::SyncControl,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            batch_size: 100,
            page_size: MAX_PULL_CHANGES,
            backoff: Backoff::default(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            deadline: None,
            control: super::SyncControl::default(),
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Changes the server took (applied or merged).
    pub pushed: u64,
    /// Changes it already had (replays).
    pub duplicates: u64,
    /// Changes it refused, now quarantined.
    pub rejected: u64,
    /// Changes pulled and applied here.
    pub pulled: u64,
    /// Still waiting in the outbox.
    pub pending: u64,
}

impl SyncReport {
    /// Adds a batch's acks to the tally.
    fn count(&mut self, acks: &[super::protocol::Ack]) {
        use super::protocol::AckStatus::*;
        for ack in acks {
            match ack.status {
                Applied | Merged => self.pushed += 1,
                Duplicate => self.duplicates += 1,
                Rejected => self.rejected += 1,
            }
        }
    }
}

/// Retries what may pass, waiting the backoff or the server's Retry-After
/// (whichever is longer); the wait ends early on a cancel or the deadline.
fn retrying<T>(
    t: &HttpTransport,
    backoff: &Backoff,
    mut call: impl FnMut() -> std::result::Result<T, TransportError>,
) -> std::result::Result<T, TransportError> {
    let mut attempt = 1;
    loop {
        match call() {
            Err(e) if e.is_retryable() && attempt < backoff.attempts.max(1) => {
                let wait = backoff
                    .delay(attempt)
                    .max(e.retry_after().unwrap_or_default().min(backoff.max * 4));
                t.pause(wait)?;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// The error a screen shows, in plain words, for a failed request.
pub(super) fn to_core(e: TransportError) -> CoreError {
    match (&e, e.code()) {
        (_, Some(ErrorCode::Revoked)) => CoreError::Revoked,
        (TransportError::Network(words), _) => {
            CoreError::Offline(format!("{words}; everything is kept and will be sent later"))
        }
        (TransportError::Decode, _) => CoreError::Offline(
            "the server's answer could not be read; everything is kept and will be sent later"
                .into(),
        ),
        (TransportError::Certificate, _) => CoreError::Offline(
            "the server's certificate was refused (it is not the one this phone trusts); nothing was sent"
                .into(),
        ),
        (TransportError::Cancelled, _) => CoreError::Cancelled,
        (_, Some(ErrorCode::Unauthorized)) => CoreError::ServerRefused(
            "the server does not recognise this phone; enrol it again".into(),
        ),
        (_, Some(ErrorCode::UnsupportedProtocol)) => {
            CoreError::ServerRefused("this app is too old for the server; update it".into())
        }
        (TransportError::Server { status: 429, .. }, _) => CoreError::Offline(
            "the server asked this phone to slow down; everything is kept and will be sent later"
                .into(),
        ),
        (TransportError::Server { status, .. }, _) if *status >= 500 => {
            CoreError::Offline(
                "the server is busy or down; everything is kept and will be sent later".into(),
            )
        }
        (TransportError::Config(msg), _) => CoreError::ServerRefused(msg.clone()),
        (TransportError::Server { message, .. }, _) => CoreError::ServerRefused(message.clone()),
    }
}

/// Trades a one-time enrolment code for this phone's credentials. Call before
/// the vault exists; keep the result with [`Vault::set_enrolment`].
pub fn enrol(
    server_url: &str,
    pinned_cert_pem: Option<&str>,
    code: &str,
    device_name: &str,
) -> Result<(Enrolment, WorkerIdentity)> {
    let transport = HttpTransport::new(server_url, pinned_cert_pem, Duration::from_secs(30))
        .map_err(to_core)?;
    let resp = transport
        .enrol(&EnrolRequest {
            protocol: PROTOCOL_VERSION,
            code: code.trim().to_uppercase(),
            device_name: device_name.to_owned(),
        })
        .map_err(to_core)?;
    Ok((
        Enrolment {
            server_url: server_url.to_owned(),
            pinned_cert_pem: pinned_cert_pem.map(str::to_owned),
            device_id: resp.device_id,
            token: resp.token,
            lease_days: resp.lease_days,
            server_sealing_key: resp.server_sealing_key,
        },
        resp.identity,
    ))
}

/// Delivers what a shred for wrong PINs left beside the vault at
/// `vault_path`, if anything; the app calls it on start, before enrolling
/// again. Returns how many changes the server took. The file is removed once
/// the server has answered; the server revokes the old device.
pub fn deliver_undelivered(vault_path: &std::path::Path) -> Result<u64> {
    let path = crate::vault::undelivered_path(vault_path);
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(0);
    };
    let file: crate::vault::Undelivered = serde_json::from_slice(&bytes)
        .map_err(|_| CoreError::Corrupt(crate::CorruptKind::RecordBody))?;
    let c = &file.credentials;
    let t = HttpTransport::new(
        &c.server_url,
        c.pinned_cert_pem.as_deref(),
        Duration::from_secs(30),
    )
    .map_err(to_core)?;
    let mut taken = 0;
    let chunks: Vec<_> = file.entries.chunks(MAX_PUSH_CHANGES).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let req = super::protocol::SealedDelivery {
            protocol: PROTOCOL_VERSION,
            duress: false,
            entries: chunk.to_vec(),
            // The last delivery closes the device.
            shredded: i + 1 == chunks.len(),
        };
        let resp = retrying(&t, &Backoff::default(), || t.deliver_sealed(&c.token, &req))
            .map_err(to_core)?;
        taken += resp
            .acks
            .iter()
            .filter(|a| a.status != super::protocol::AckStatus::Rejected)
            .count() as u64;
    }
    let _ = std::fs::remove_file(&path);
    Ok(taken)
}

impl Vault {
    /// Locked (the app is in the background): delivers the outbox by its
    /// sealed copies, which need no key the phone holds while locked. Pulling
    /// waits for the next unlocked sync: pulled records must be sealed under
    /// the data key.
    fn push_while_locked(&self, options: &SyncOptions) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        loop {
            let Some((c, batch)) =
                self.locked_outbox(options.batch_size.clamp(1, MAX_PUSH_CHANGES))?
            else {
                return Err(CoreError::Locked);
            };
            if batch.is_empty() {
                break;
            }
            let t = HttpTransport::for_sync(&c.server_url, c.pinned_cert_pem.as_deref(), options)
                .map_err(to_core)?;
            let req = super::protocol::SealedDelivery {
                protocol: PROTOCOL_VERSION,
                duress: false,
                entries: batch.iter().map(|e| e.entry.clone()).collect(),
                shredded: false,
            };
            let resp = match retrying(&t, &options.backoff, || t.deliver_sealed(&c.token, &req)) {
                Ok(r) => r,
                Err(e) if e.code() == Some(ErrorCode::Revoked) => {
                    self.wipe()?;
                    return Err(CoreError::Revoked);
                }
                Err(e) => return Err(to_core(e)),
            };
            report.count(&resp.acks);
            options.control.pushed(resp.acks.len() as u64);
            self.locked_acks(&batch, &resp.acks)?;
            if resp.acks.is_empty() {
                return Err(CoreError::ServerRefused(
                    "the server acknowledged nothing".into(),
                ));
            }
        }
        report.pending = self.with_conn(|conn, _| {
            Ok(conn.query_row(
                "SELECT (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM sealed_outbox)",
                [],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })?;
        Ok(report)
    }

    /// Delivers the sealed copies a shred handed on, and the duress flag.
    fn deliver_sealed(
        &self,
        t: &HttpTransport,
        token: &str,
        options: &SyncOptions,
        report: &mut SyncReport,
    ) -> Result<()> {
        let (duress, entries) = self.sealed_to_deliver(MAX_PUSH_CHANGES)?;
        if !duress && entries.is_empty() {
            return Ok(());
        }
        let req = super::protocol::SealedDelivery {
            protocol: PROTOCOL_VERSION,
            duress,
            entries,
            shredded: false,
        };
        let resp =
            retrying(t, &options.backoff, || t.deliver_sealed(token, &req)).map_err(to_core)?;
        report.count(&resp.acks);
        self.sealed_delivered(&resp.acks)?;
        if req.entries.len() == MAX_PUSH_CHANGES {
            return self.deliver_sealed(t, token, options, report);
        }
        Ok(())
    }

    /// Pushes the outbox, then pulls; call it on a background thread when the
    /// network returns. Safe to call again at any point after any failure.
    pub fn sync(&self, options: &SyncOptions) -> Result<SyncReport> {
        if self.is_locked() {
            return self.push_while_locked(options);
        }
        let meta = self.sync_meta()?;
        let (Some(url), Some(token)) = (meta.server_url.clone(), meta.token.clone()) else {
            return Err(CoreError::NotEnrolled);
        };
        let result = HttpTransport::for_sync(&url, meta.pinned_cert_pem.as_deref(), options)
            .map_err(to_core)
            .and_then(|t| self.sync_over(&t, &token, meta.cursor, options));
        match result {
            Ok(report) => {
                self.note_sync_attempt(None)?;
                // What the server now holds and the window has passed goes
                // from the phone (core/src/vault/retention.rs).
                if let Err(e) = self.purge_expired() {
                    tracing::warn!(target: "nightround::vault", error = %e, "retention purge failed");
                }
                tracing::info!(target: "nightround::sync", pushed = report.pushed, pulled = report.pulled, "sync done");
                Ok(report)
            }
            Err(CoreError::Revoked) => {
                tracing::warn!(target: "nightround::sync", "device revoked: shredding the vault");
                self.wipe()?;
                Err(CoreError::Revoked)
            }
            Err(e) => {
                tracing::warn!(target: "nightround::sync", error = %e, "sync failed");
                // The sync screen shows the words alone, without the prefix.
                let words = match &e {
                    CoreError::Offline(d) | CoreError::ServerRefused(d) => d.clone(),
                    other => other.to_string(),
                };
                self.note_sync_attempt(Some(words))?;
                Err(e)
            }
        }
    }

    fn sync_over(
        &self,
        t: &HttpTransport,
        token: &str,
        cursor: u64,
        options: &SyncOptions,
    ) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        self.deliver_sealed(t, token, options, &mut report)?;
        let mut batch_size = options.batch_size.clamp(1, MAX_PUSH_CHANGES);
        loop {
            let batch = self.outbox_batch(batch_size)?;
            if batch.is_empty() {
                break;
            }
            let req = PushRequest {
                protocol: PROTOCOL_VERSION,
                batch_id: uuid::Uuid::now_v7(),
                changes: batch.iter().map(|o| o.change.clone()).collect(),
            };
            match retrying(t, &options.backoff, || t.push(token, &req)) {
                Ok(resp) => {
                    report.count(&resp.acks);
                    options.control.pushed(resp.acks.len() as u64);
                    self.apply_acks(&batch, &resp.acks)?;
                    if resp.acks.is_empty() {
                        // A server that acknowledges nothing would loop us forever.
                        return Err(CoreError::ServerRefused(
                            "the server acknowledged nothing".into(),
                        ));
                    }
                }
                Err(e) if e.code() == Some(ErrorCode::TooLarge) && batch_size > 1 => {
                    batch_size /= 2;
                }
                Err(e) => return Err(to_core(e)),
            }
        }
        let mut cursor = cursor;
        loop {
            let rev = self.directory_revision()?;
            let page = retrying(t, &options.backoff, || {
                t.pull(token, cursor, options.page_size, rev)
            })
            .map_err(to_core)?;
            let applied = self.apply_pull(&page)? as u64;
            report.pulled += applied;
            options.control.pulled_page(applied, page.more);
            if page.next_cursor <= cursor && page.more {
                return Err(CoreError::ServerRefused(
                    "the server's cursor did not move".into(),
                ));
            }
            cursor = page.next_cursor.max(cursor);
            if !page.more {
                break;
            }
        }
        report.pending = self.sync_status()?.pending;
        Ok(report)
    }
}
