//! Retention on the phone: a phone keeps only what the round needs offline.
//! Records older than the partnership's window (default 90 days) that the
//! server has acknowledged are purged from the vault file — row, index
//! columns and history — except her open referrals, alerts in force and an
//! open round; a person goes once nothing recent of hers is left, with her
//! consents. A tombstone the server has goes at once. `secure_delete`
//! zeroes the freed pages and the WAL is checkpointed with `TRUNCATE`, so a
//! byte scan of the files finds nothing.
//! The core runs it after every sync; shells and the CLI may run it too.

use super::{get_meta, put_meta, store, Vault};
use crate::clock::to_millis;
use crate::domain::agreement::{DEFAULT_PHONE_WINDOW_DAYS, MAX_PHONE_WINDOW_DAYS};
use crate::domain::{RecordKind, ValidationError};
use crate::error::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The shortest window a partnership may set: a round needs last night's
/// records, and a phone offline for a few days must not lose them.
pub const MIN_PHONE_WINDOW_DAYS: u32 = 7;

/// The sealed vault setting holding the window.
const META: &str = "retention";

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct RetentionSetting {
    phone_window_days: u32,
}

/// What one purge removed, counted by record (history rows are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub records: u32,
    pub people: u32,
}

impl Vault {
    /// Days this phone keeps an acknowledged record (the partnership's
    /// setting, 90 unless set).
    pub fn phone_window_days(&self) -> Result<u32> {
        self.with_sync_session(|conn, s, _| {
            Ok(get_meta::<RetentionSetting>(conn, &s.keys, META)?
                .map_or(DEFAULT_PHONE_WINDOW_DAYS, |r| r.phone_window_days))
        })
    }

    /// Sets the window from the partnership's agreement; out of range is
    /// refused and changes nothing.
    pub fn set_phone_window_days(&self, days: u32) -> Result<()> {
        if !(MIN_PHONE_WINDOW_DAYS..=MAX_PHONE_WINDOW_DAYS).contains(&days) {
            return Err(ValidationError::PhoneWindowOutOfRange {
                min: MIN_PHONE_WINDOW_DAYS,
                max: MAX_PHONE_WINDOW_DAYS,
            }
            .into());
        }
        self.with_sync_session(|conn, s, _| {
            put_meta(
                conn,
                &s.keys,
                META,
                &RetentionSetting {
                    phone_window_days: days,
                },
            )
        })
    }

    /// Purges what is past the window and acknowledged by the server (see
    /// the module's doc). Runs while unlocked: a person's records are found
    /// through the keyed index.
    pub fn purge_expired(&self) -> Result<PurgeReport> {
        let days = self.phone_window_days()?;
        self.with_sync_session(|conn, s, now| {
            let cutoff = to_millis(now - chrono::Duration::days(i64::from(days)));
            let now_ms = to_millis(now);
            let tx = conn.transaction()?;
            let mut report = PurgeReport::default();
            // Everything but people and consents, by its own time; and a
            // deletion the server has (erasure, its schedule, her consent
            // withdrawn) at once: its id is all a tombstone holds, and the
            // server holds one version of a record, so nothing older comes
            // back to be resurrected.
            let due: Vec<(String, String)> = {
                let mut st = tx.prepare(
                    "SELECT kind, id FROM records r
                     WHERE ((kind NOT IN ('person', 'consent')
                             AND occurred_at < ?1
                             AND NOT (kind = 'referral' AND is_open = 1)
                             AND NOT (kind = 'round' AND is_open = 1)
                             AND NOT (alert_until IS NOT NULL AND alert_until > ?3))
                            OR deleted = 1)
                       AND sync_state <> ?2
                       AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = r.kind AND o.id = r.id)
                       AND NOT EXISTS (SELECT 1 FROM sealed_outbox o WHERE o.kind = r.kind AND o.id = r.id)",
                )?;
                let rows = st.query_map(
                    (cutoff, store::SyncState::Pending as i64, now_ms),
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                rows.collect::<std::result::Result<_, _>>()?
            };
            for (kind, id) in &due {
                purge_row(&tx, kind, id)?;
                report.records += 1;
            }
            // People made before the window with nothing of theirs left but
            // consents: she goes, and her consents with her.
            let people: Vec<String> = {
                let mut st = tx.prepare(
                    "SELECT id FROM records r
                     WHERE kind = 'person' AND occurred_at < ?1 AND sync_state <> ?2
                       AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = r.kind AND o.id = r.id)
                       AND NOT EXISTS (SELECT 1 FROM sealed_outbox o WHERE o.kind = r.kind AND o.id = r.id)",
                )?;
                let rows = st.query_map((cutoff, store::SyncState::Pending as i64), |r| r.get(0))?;
                rows.collect::<std::result::Result<_, _>>()?
            };
            for id in &people {
                let Ok(uuid) = Uuid::parse_str(id) else {
                    continue;
                };
                let person_ref = store::person_ref(&s.keys, &uuid);
                let (others, consents_pending): (i64, i64) = tx.query_row(
                    "SELECT
                       (SELECT COUNT(*) FROM records WHERE person_ref = ?1 AND kind <> 'consent'),
                       (SELECT COUNT(*) FROM records r WHERE person_ref = ?1 AND kind = 'consent'
                          AND (sync_state = ?2
                               OR EXISTS (SELECT 1 FROM outbox o WHERE o.kind = r.kind AND o.id = r.id)))",
                    (&person_ref, store::SyncState::Pending as i64),
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                if others > 0 || consents_pending > 0 {
                    continue;
                }
                let consents: Vec<String> = {
                    let mut st = tx.prepare(
                        "SELECT id FROM records WHERE person_ref = ?1 AND kind = 'consent'",
                    )?;
                    let rows = st.query_map([&person_ref], |r| r.get(0))?;
                    rows.collect::<std::result::Result<_, _>>()?
                };
                for c in &consents {
                    purge_row(&tx, RecordKind::Consent.as_str(), c)?;
                    report.records += 1;
                }
                purge_row(&tx, RecordKind::Person.as_str(), id)?;
                report.records += 1;
                report.people += 1;
            }
            tx.commit()?;
            if report.records > 0 {
                // secure_delete zeroed the freed pages; the WAL still holds
                // the old ones until it is checkpointed and truncated.
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
                tracing::info!(target: "nightround::vault", records = report.records, "retention purge");
            }
            Ok(report)
        })
    }
}

/// One record gone from the file: its row (with the index columns) and its
/// whole history.
fn purge_row(tx: &Connection, kind: &str, id: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM record_history WHERE kind = ?1 AND id = ?2",
        (kind, id),
    )?;
    tx.execute(
        "DELETE FROM records WHERE kind = ?1 AND id = ?2",
        (kind, id),
    )?;
    Ok(())
}
