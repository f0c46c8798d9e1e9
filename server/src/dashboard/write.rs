//! Changes made on the dashboard go through the sync write path: the same
//! stateless checks ([`crate::validate::check`]) and the same store push
//! (policy, merge, history, sequence numbers) as a phone's push, as if the
//! signed-in worker's "dashboard device" had pushed them. The phones then
//! pull them like any other change.

use super::auth::SignedIn;
use super::{blocking, DashError, DashboardState};
use crate::store::{Device, EnrolledDevice, PushItem};
use crate::validate;
use nightround_core::domain::RecordKind;
use nightround_core::sync::protocol::{AckStatus, Change};
use nightround_core::vault::version_after;
use nightround_core::Timestamp;
use uuid::Uuid;

/// The device id the dashboard's changes are applied under (no phone has it).
pub const DASHBOARD_DEVICE: Uuid = Uuid::nil();
/// The node name in versions the dashboard mints.
pub const DASHBOARD_NODE: &str = "dashboard";

/// A version after `current` (and after the clock at `now`).
pub fn next_version(current: Option<&str>, now: Timestamp) -> String {
    version_after(current, now, DASHBOARD_NODE)
}

/// Pushes one change as `who`; a rejection comes back as its reason.
pub async fn push(
    state: &DashboardState,
    who: &SignedIn,
    kind: RecordKind,
    id: Uuid,
    current_version: Option<&str>,
    body: serde_json::Value,
) -> Result<AckStatus, DashError> {
    let now = state.now();
    let change = Change::new(
        kind,
        id,
        next_version(current_version, now),
        false,
        Some(body),
    );
    let caller = EnrolledDevice {
        device: Device {
            id: DASHBOARD_DEVICE,
            worker_id: who.worker.id.clone(),
            name: "dashboard".into(),
            enrolled_at: now,
            last_sync_at: None,
            revoked_at: None,
        },
        worker: who.worker.clone(),
        organisation: who.organisation.clone(),
    };
    let store = state.0.store.clone();
    let ack = blocking(move || {
        let directory = store.directory()?;
        let identity = caller.identity();
        let writer = validate::Writer {
            viewer: caller.viewer(),
            identity: &identity,
            directory: &directory,
            now,
        };
        let verdict = validate::check(&change, &writer);
        let items = [PushItem {
            change: &change,
            verdict,
            held_by_device: true,
        }];
        let acks = store.push(&caller, &items, now)?;
        acks.into_iter().next().ok_or(DashError::Internal)
    })
    .await?;
    state.0.bell.ring();
    match ack.status {
        AckStatus::Rejected => Err(DashError::Invalid(format!(
            "The change was refused: {}.",
            ack.reason.as_deref().unwrap_or("no reason given")
        ))),
        status => Ok(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_move_past_the_current_one() {
        let now = chrono::Utc::now();
        let ms = now.timestamp_millis();
        let v = next_version(None, now);
        assert!(validate::is_canonical_version(&v));
        assert!(v.ends_with("-00000-dashboard"));
        let future = format!("{:013}-00007-abc", ms + 5000);
        let next = next_version(Some(&future), now);
        assert!(next > future, "{next} > {future}");
        assert!(validate::is_canonical_version(&next));
    }
}
