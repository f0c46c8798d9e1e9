//! The server's retention schedule (issue 10): once a day, on the server's
//! injected clock (like the watchdog), every live record past its kind's
//! period in the partnership's agreement is deleted — a tombstone, which
//! phones act on at their next pull — except a woman's records under a
//! legal hold. One audit entry per run, with counts only.

use crate::store::dashboard::NewAuditEntry;
use crate::store::data_protection::{DataProtectionStore, Disposal, HeldRecord};
use crate::store::StoreError;
use nightround_core::clock::Clock;
use nightround_core::domain::agreement::{
    is_safeguarding_record, RetentionSchedule, RetentionStart,
};
use nightround_core::domain::RecordKind;
use nightround_core::Timestamp;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The audit actor of the job.
pub const ACTOR: &str = "retention";

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionRun {
    /// Records deleted, by kind.
    pub deleted: BTreeMap<RecordKind, u32>,
    /// Records due but kept for a legal hold.
    pub held: u32,
}

impl RetentionRun {
    pub fn total(&self) -> u32 {
        self.deleted.values().sum()
    }
}

/// The time a record happened, from its body (each kind names it).
pub fn record_time(
    kind: RecordKind,
    body: &serde_json::Map<String, serde_json::Value>,
) -> Option<Timestamp> {
    let field = match kind {
        RecordKind::Person => "created_at",
        RecordKind::Contact | RecordKind::SupplyDrop | RecordKind::Concern => "at",
        RecordKind::Consent => "given_at",
        RecordKind::Referral => "created_at",
        RecordKind::Round => "started_at",
        RecordKind::CheckIn => "made_at",
    };
    body.get(field)
        .and_then(|v| serde_json::from_value::<Timestamp>(v.clone()).ok())
}

/// The woman a record is about: her own record, the plaintext link, or the
/// woman who reported a concern.
fn whose(r: &HeldRecord) -> Option<Uuid> {
    if r.kind == RecordKind::Person {
        return Some(r.id);
    }
    r.person_id.or_else(|| {
        (r.kind == RecordKind::Concern)
            .then(|| r.body.get("reported_by").and_then(|v| v.as_str()))
            .flatten()
            .and_then(|s| Uuid::parse_str(s).ok())
    })
}

/// What is due at `now`: decided from the records alone.
pub fn due(
    records: &[HeldRecord],
    schedule: &RetentionSchedule,
    holds: &HashSet<Uuid>,
    now: Timestamp,
) -> (Vec<Disposal>, RetentionRun) {
    // Her last contact with any service.
    let mut last_contact: HashMap<Uuid, Timestamp> = HashMap::new();
    for r in records.iter().filter(|r| r.kind == RecordKind::Contact) {
        if let (Some(p), Some(t)) = (r.person_id, record_time(r.kind, &r.body)) {
            let e = last_contact.entry(p).or_insert(t);
            *e = (*e).max(t);
        }
    }
    let mut items = Vec::new();
    let mut run = RetentionRun::default();
    for r in records {
        let Some(own) = record_time(r.kind, &r.body) else {
            continue;
        };
        let Some(period) = schedule.for_record(r.kind, is_safeguarding_record(r.kind, &r.body))
        else {
            continue;
        };
        let her = whose(r);
        let start = match period {
            nightround_core::domain::agreement::RetentionPeriod::Months {
                from: RetentionStart::HerLastContact,
                ..
            } => her
                .and_then(|p| last_contact.get(&p).copied())
                .map_or(own, |t| t.max(own)),
            _ => own,
        };
        let Some(at) = period.due(start) else {
            continue;
        };
        if at > now {
            continue;
        }
        if her.is_some_and(|p| holds.contains(&p)) {
            run.held += 1;
            continue;
        }
        items.push(Disposal::Delete { id: r.id });
        *run.deleted.entry(r.kind).or_default() += 1;
    }
    (items, run)
}

/// One run at the clock's now: delete what is due, audit the counts.
pub fn step(
    store: &dyn DataProtectionStore,
    schedule: &RetentionSchedule,
    now: Timestamp,
) -> Result<RetentionRun, StoreError> {
    let holds: HashSet<Uuid> = store.legal_holds()?.into_iter().collect();
    let records = store.held_records(None)?;
    let (items, run) = due(&records, schedule, &holds, now);
    let counts: Vec<String> = run
        .deleted
        .iter()
        .map(|(k, n)| format!("{} {n}", k.as_str()))
        .collect();
    let detail = format!(
        "deleted {}{}{}; kept for a legal hold {}",
        run.total(),
        if counts.is_empty() { "" } else { ": " },
        counts.join(", "),
        run.held
    );
    store.dispose(
        &items,
        &NewAuditEntry {
            at: now,
            actor: ACTOR.into(),
            action: "retention_run".into(),
            subject: None,
            detail: Some(detail),
        },
        now,
    )?;
    tracing::info!(deleted = run.total(), held = run.held, "retention run");
    Ok(run)
}

/// Runs [`step`] every `every` (a day in production) until aborted.
pub fn spawn(
    store: Arc<dyn DataProtectionStore>,
    clock: Arc<dyn Clock>,
    schedule: RetentionSchedule,
    every: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let (store, clock, schedule) = (store.clone(), clock.clone(), schedule.clone());
            let done =
                tokio::task::spawn_blocking(move || step(store.as_ref(), &schedule, clock.now()))
                    .await;
            match done {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "the retention run failed"),
                Err(e) => tracing::error!(error = %e, "the retention task failed"),
            }
        }
    })
}
