//! Ending a team alert early: a new version of the concern (an immutable
//! kind's correction, by its author) whose alert time is now. Phones outside
//! her organisation that received the alert drop it on their next sync
//! (protocol version 2, retraction).

use super::actions::{begin, save_change};
use super::indexing::concern_index;
use super::{store, Vault};
use crate::domain::{Concern, RecordKind};
use crate::error::{CoreError, Result};
use uuid::Uuid;

impl Vault {
    /// Ends a team alert she raised; an alert already over is left as it is.
    pub fn end_alert(&self, concern_id: Uuid) -> Result<Concern> {
        self.with_session(|conn, s, now| {
            let mut concern: Concern = store::read(conn, &s.keys, RecordKind::Concern, concern_id)?
                .ok_or(CoreError::NotFound("team alert"))?;
            if concern.recorded_by.worker_id != s.identity.worker_id {
                return Err(CoreError::NotFound("team alert raised on this phone"));
            }
            if !concern.is_active_alert(now) {
                return Ok(concern);
            }
            concern.alert_until = Some(now);
            let tx = begin(conn)?;
            save_change(
                &tx,
                s,
                RecordKind::Concern,
                concern.id,
                &concern,
                concern_index(&concern),
                now,
            )?;
            tx.commit()?;
            Ok(concern)
        })
    }
}
