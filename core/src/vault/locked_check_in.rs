//! "I am all right" from the reminder notification, without unlocking the
//! vault (ADR 0004): the check-in is sealed to the server's public key with
//! what the keystore-only delivery package holds (her identity, the server's
//! key, the device's credentials) and waits in `sealed_outbox` until a sync,
//! locked or not, delivers it. The phone itself cannot read it back; it
//! counts for her open round by its time until the server returns it.
//!
//! Anyone holding an unlocked-looking phone could tap it, so the shells
//! require the device's own screen lock for the notification action
//! (`setAuthenticationRequired` on Android, `.authenticationRequired` on iOS):
//! a snatched phone cannot be made to say she is fine.

use super::delivery::open_package;
use super::hlc::version_after;
use super::outbox::change_json;
use super::Vault;
use crate::clock::to_millis;
use crate::crypto::sealed_box::{change_aad, SealingSession};
use crate::domain::round::{remind_at, MAX_CHECK_IN_MINUTES, MIN_CHECK_IN_MINUTES};
use crate::domain::{CheckIn, CheckInKind, RecordKind};
use crate::error::{CoreError, CorruptKind, Result};
use crate::Timestamp;
use uuid::Uuid;

/// A check-in made while locked, and when the next one is due and to be
/// reminded of: the round cannot be read while locked, so the shell gives the
/// interval it scheduled the reminder with, and the core applies its rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct LockedCheckIn {
    pub check_in: CheckIn,
    pub next_check_in_due: Timestamp,
    pub remind_at: Timestamp,
}

impl Vault {
    /// Checks in on `round_id` (checking in every `check_in_minutes`) while
    /// the vault is locked. `Locked` when the delivery package lacks what it
    /// needs (enrol again, or start the round from this version of the app).
    pub fn check_in_while_locked(
        &self,
        round_id: Uuid,
        check_in_minutes: u32,
    ) -> Result<LockedCheckIn> {
        let keystore = self.keystore.clone();
        let now = self.clock.now();
        self.with_conn(|conn, vault_id| {
            let creds =
                open_package(conn, keystore.as_ref(), vault_id)?.ok_or(CoreError::Locked)?;
            let identity = creds.identity.ok_or(CoreError::Locked)?;
            let server_key: [u8; 32] = creds
                .server_sealing_key
                .as_deref()
                .and_then(|b| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD.decode(b).ok()
                })
                .and_then(|k| k.try_into().ok())
                .ok_or(CoreError::Locked)?;
            let session = SealingSession::new(&server_key).ok_or(CoreError::Locked)?;
            let node: String =
                conn.query_row("SELECT node_id FROM vault_info", [], |r| r.get(0))?;
            let check_in = CheckIn {
                id: Uuid::now_v7(),
                round_id: Some(round_id),
                kind: CheckInKind::AllRight,
                made_at: now,
                area_id: None,
                alert_until: None,
                recorded_by: identity,
            };
            let version = version_after(None, now, &node);
            let id = check_in.id.to_string();
            let body = zeroize::Zeroizing::new(
                serde_json::to_vec(&check_in)
                    .map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))?,
            );
            let kind = RecordKind::CheckIn.as_str();
            let change = change_json(RecordKind::CheckIn, &id, &version, Some(&body));
            let sealed = session.seal(&change_aad(kind, &id, &version), &change);
            conn.execute(
                "INSERT INTO sealed_outbox (kind, id, version, sealed, queued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![kind, id, version, sealed, to_millis(now)],
            )?;
            let minutes = check_in_minutes.clamp(MIN_CHECK_IN_MINUTES, MAX_CHECK_IN_MINUTES);
            let due = now + chrono::Duration::minutes(i64::from(minutes));
            Ok(LockedCheckIn {
                check_in,
                next_check_in_due: due,
                remind_at: remind_at(due),
            })
        })
    }
}

/// Check-ins made while locked since `since` and not yet delivered: how
/// many, and the latest.
pub(crate) fn locked_check_ins(
    conn: &rusqlite::Connection,
    since: Timestamp,
) -> Result<(u32, Option<Timestamp>)> {
    let (n, ms): (u32, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MAX(queued_at) FROM sealed_outbox
         WHERE kind = 'check_in' AND queued_at >= ?1",
        [to_millis(since)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((n, ms.map(crate::clock::from_millis).transpose()?))
}
