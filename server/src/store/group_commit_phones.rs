//! Phones and pushes for the group-commit tests of both backends
//! (`sqlite/group_commit_tests.rs`, `postgres/group_commit_tests.rs`): an
//! enrolled phone, a supply drop as a phone sends it, and `Store::push`
//! through the real validation.

use crate::store::{EnrolledDevice, NewDevice, Organisation, PushItem, Store, StoredCode, Worker};
use crate::validate;
use nightround_core::domain::{
    RecordKind, Role, SupplyDrop, SupplyLine, SupplyPurpose, WorkerIdentity,
};
use nightround_core::sync::protocol::{Ack, Change};
use nightround_core::Timestamp;
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;

fn now() -> Timestamp {
    chrono::Utc::now()
}

/// An enrolled phone of a new outreach worker of `org` (made if new).
pub(crate) fn device<S: Store + ?Sized>(store: &S, org: &str, n: usize) -> EnrolledDevice {
    let at = now();
    if store.organisation(org).unwrap().is_none() {
        store
            .add_organisation(&Organisation {
                id: org.into(),
                name: org.into(),
                created_at: at,
            })
            .unwrap();
    }
    let worker = format!("{org}-{n}");
    store
        .add_worker(&Worker {
            id: worker.clone(),
            organisation_id: org.into(),
            display_name: worker.clone(),
            role: Role::OutreachWorker,
            agency_id: None,
            created_at: at,
            revoked_at: None,
        })
        .unwrap();
    let mut hash = [0u8; 32];
    hash[..16].copy_from_slice(Uuid::now_v7().as_bytes());
    store
        .add_enrolment_code(&StoredCode {
            hash,
            worker_id: worker.clone(),
            created_at: at,
            expires_at: at + chrono::Duration::hours(1),
        })
        .unwrap();
    let mut token = [1u8; 32];
    token[..16].copy_from_slice(Uuid::now_v7().as_bytes());
    store
        .redeem_enrolment_code(
            &hash,
            &NewDevice {
                id: Uuid::now_v7(),
                name: format!("{worker}'s phone"),
                token_hash: token,
            },
            at,
        )
        .unwrap()
        .unwrap()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A new supply drop by `by`, as a phone pushes it.
pub(crate) fn drop_change(by: &WorkerIdentity) -> Change {
    let at = now();
    let drop = SupplyDrop {
        id: Uuid::now_v7(),
        at,
        area_id: "york_road".into(),
        purpose: SupplyPurpose::RestockDropPoint,
        lines: vec![SupplyLine {
            item_id: "condoms".into(),
            quantity: 40,
        }],
        recorded_by: by.clone(),
    };
    let n = COUNTER.fetch_add(1, Ordering::SeqCst) % 100_000;
    let version = format!("{:013}-{n:05}-0000beef", at.timestamp_millis());
    Change::new(
        RecordKind::SupplyDrop,
        drop.id,
        version,
        false,
        Some(serde_json::to_value(drop).unwrap()),
    )
}

/// `Store::push` through the real validation.
pub(crate) fn push<S: Store + ?Sized>(
    store: &S,
    caller: &EnrolledDevice,
    changes: &[Change],
) -> Result<Vec<Ack>, String> {
    let directory = store.directory().unwrap();
    let identity = caller.identity();
    let writer = validate::Writer {
        viewer: caller.viewer(),
        identity: &identity,
        directory: &directory,
        now: now(),
    };
    let items: Vec<PushItem<'_>> = changes
        .iter()
        .map(|change| PushItem {
            change,
            verdict: validate::check(change, &writer),
            held_by_device: true,
        })
        .collect();
    store
        .push(caller, &items, now())
        .map_err(|e| format!("{e} {e:?}")) // PostgreSQL puts the cause in Debug
}
