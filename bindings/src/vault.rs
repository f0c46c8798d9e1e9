//! One object per vault, with a method per thing a worker does and per thing
//! a screen shows. Each method is a one-line call into the core, guarded so
//! that no panic crosses to Kotlin or Swift.

use crate::error::parse_id;
use crate::guard::guarded;
use crate::keystore::{Adapter, PlatformKeyStore};
use crate::NightroundError;
use nightround_core::clock::SystemClock;
use nightround_core::domain::*;
use nightround_core::sync::{ListenReport, SyncControl, SyncOptions, SyncProgress, SyncReport};
use nightround_core::vault::{
    AlertView, Enrolment, FormDraft, FormKind, LockPolicy, LockedCheckIn, PeoplePage, ReferralView,
    RoundScreen, RoundSummary, SafetyAlertView, SyncStatus, TimelineEntry, TimelinePage,
    UnlockStatus,
};
use nightround_core::{Timestamp, Vault};
use std::sync::Arc;
type R<T> = Result<T, NightroundError>;

/// A handle on one sync: give it to [`NightroundVault::sync_with`], then
/// `cancel()` from any thread, or poll `progress()` for a progress line.
#[derive(uniffi::Object, Default)]
pub struct SyncHandle {
    control: SyncControl,
}

#[uniffi::export]
impl SyncHandle {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Stops the sync within a fraction of a second; it answers `Cancelled`.
    pub fn cancel(&self) {
        self.control.cancel()
    }

    pub fn is_cancelled(&self) -> bool {
        self.control.is_cancelled()
    }

    /// Changes pushed and pulled so far, and whether more is waiting.
    pub fn progress(&self) -> SyncProgress {
        self.control.progress()
    }
}

/// The lock policy as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LockPolicySetting {
    pub idle_timeout_seconds: u32,
    pub max_failed_unlocks: u32,
}

/// An encrypted vault on this phone.
#[derive(uniffi::Object)]
pub struct NightroundVault {
    pub(crate) inner: Vault,
}

#[uniffi::export]
impl NightroundVault {
    /// Creates a vault at `path` for the enrolled worker, unlocked, seeded
    /// with the default directory until the server sends the partnership's.
    #[uniffi::constructor]
    pub fn create(
        path: String,
        keystore: Arc<dyn PlatformKeyStore>,
        pin: String,
        identity: WorkerIdentity,
    ) -> R<Arc<Self>> {
        guarded(|| {
            Vault::create(
                path,
                Arc::new(Adapter(keystore)),
                Arc::new(SystemClock),
                &pin,
                identity,
                Directory::southend_defaults(),
            )
            .map(|inner| Arc::new(Self { inner }))
        })
    }

    /// Opens the vault at `path`, locked.
    #[uniffi::constructor]
    pub fn open(path: String, keystore: Arc<dyn PlatformKeyStore>) -> R<Arc<Self>> {
        guarded(|| {
            Vault::open(path, Arc::new(Adapter(keystore)), Arc::new(SystemClock))
                .map(|inner| Arc::new(Self { inner }))
        })
    }

    // --- Lock ---------------------------------------------------------------

    pub fn unlock(&self, pin: String) -> R<()> {
        guarded(|| self.inner.unlock(&pin))
    }

    /// Zeroizes the keys: on idle, on going to the background, on quick exit.
    pub fn lock(&self) {
        self.inner.lock()
    }

    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    pub fn change_pin(&self, current: String, new_pin: String) -> R<()> {
        guarded(|| self.inner.change_pin(&current, &new_pin))
    }

    /// Destroys the vault for good.
    pub fn wipe(&self) -> R<()> {
        guarded(|| self.inner.wipe())
    }

    /// Sets the duress PIN: entered at the unlock screen, it opens an empty
    /// app and erases this vault; the next sync tells the supervisor quietly.
    pub fn set_duress_pin(&self, duress_pin: String) -> R<()> {
        guarded(|| self.inner.set_duress_pin(&duress_pin))
    }

    pub fn has_duress_pin(&self) -> R<bool> {
        guarded(|| self.inner.has_duress_pin())
    }

    pub fn clear_duress_pin(&self) -> R<()> {
        guarded(|| self.inner.clear_duress_pin())
    }

    /// Before she types: wrong PINs left, a warning as the count nears the
    /// wipe, and any wait after interrupted unlocks.
    pub fn unlock_status(&self) -> R<UnlockStatus> {
        guarded(|| self.inner.unlock_status())
    }

    /// The idle timeout (seconds) and wrong-PIN limit in force: the vault
    /// file's, so the same after a restart.
    pub fn lock_policy(&self) -> LockPolicySetting {
        let p = self.inner.lock_policy();
        LockPolicySetting {
            idle_timeout_seconds: u32::try_from(p.idle_timeout.num_seconds()).unwrap_or(u32::MAX),
            max_failed_unlocks: p.max_failed_unlocks,
        }
    }

    pub fn failed_unlocks(&self) -> R<u32> {
        guarded(|| self.inner.failed_unlocks())
    }

    /// Sets the idle lock timeout and the wrong-PIN limit, kept in the
    /// vault file (it holds after a restart). Zero for either is `Invalid`.
    pub fn set_lock_policy(&self, idle_timeout_seconds: u32, max_failed_unlocks: u32) -> R<()> {
        guarded(|| {
            self.inner.set_lock_policy(LockPolicy {
                idle_timeout: chrono::Duration::seconds(i64::from(idle_timeout_seconds)),
                max_failed_unlocks,
            })
        })
    }

    // --- What the worker does -------------------------------------------

    pub fn add_person(&self, draft: PersonDraft) -> R<Person> {
        guarded(|| self.inner.add_person(draft))
    }

    pub fn update_person(&self, id: String, draft: PersonDraft) -> R<Person> {
        guarded(|| -> R<_> { Ok(self.inner.update_person(parse_id(&id)?, draft)?) })
    }

    pub fn record_contact(&self, draft: ContactDraft) -> R<Contact> {
        guarded(|| self.inner.record_contact(draft))
    }

    pub fn record_supplies(&self, draft: SupplyDropDraft) -> R<SupplyDrop> {
        guarded(|| self.inner.record_supplies(draft))
    }

    pub fn raise_concern(&self, draft: ConcernDraft) -> R<Concern> {
        guarded(|| self.inner.raise_concern(draft))
    }

    pub fn record_consent(&self, draft: ConsentDraft) -> R<Vec<Consent>> {
        guarded(|| self.inner.record_consent(draft))
    }

    pub fn withdraw_consent(&self, consent_id: String) -> R<Consent> {
        guarded(|| -> R<_> { Ok(self.inner.withdraw_consent(parse_id(&consent_id)?)?) })
    }

    pub fn make_referral(&self, draft: ReferralDraft) -> R<Referral> {
        guarded(|| self.inner.make_referral(draft))
    }

    pub fn submit_referral_form(&self, form: ReferralForm) -> R<Vec<Referral>> {
        guarded(|| self.inner.submit_referral_form(form))
    }

    pub fn set_referral_status(&self, id: String, status: ReferralStatus) -> R<Referral> {
        guarded(|| -> R<_> { Ok(self.inner.set_referral_status(parse_id(&id)?, status)?) })
    }

    pub fn delete_record(&self, kind: RecordKind, id: String) -> R<()> {
        guarded(|| -> R<_> { Ok(self.inner.delete_record(kind, parse_id(&id)?)?) })
    }

    // --- Drafts -----------------------------------------------------------

    /// Autosaves a half-filled form: sealed in the vault, never synced.
    pub fn save_draft(&self, draft: FormDraft) -> R<()> {
        guarded(|| self.inner.save_draft(draft))
    }

    /// The form's draft, if one was left (the app was killed, the phone
    /// locked): restore it when the form opens.
    pub fn draft(&self, kind: FormKind) -> R<Option<FormDraft>> {
        guarded(|| self.inner.draft(kind))
    }

    /// She discarded the form. (Saving the record drops its draft itself.)
    pub fn discard_draft(&self, kind: FormKind) -> R<()> {
        guarded(|| self.inner.discard_draft(kind))
    }

    // --- What the screens show ------------------------------------------

    pub fn identity(&self) -> R<WorkerIdentity> {
        guarded(|| self.inner.identity())
    }

    pub fn directory(&self) -> R<Directory> {
        guarded(|| self.inner.directory())
    }

    /// The quick-contact form's choices and defaults for this worker.
    pub fn quick_contact_form(&self) -> R<nightround_core::vault::forms::QuickContactForm> {
        guarded(|| self.inner.quick_contact_form())
    }

    pub fn last_area(&self) -> R<Option<String>> {
        guarded(|| self.inner.last_area())
    }

    pub fn person(&self, id: String) -> R<Person> {
        guarded(|| -> R<_> { Ok(self.inner.person(parse_id(&id)?)?) })
    }

    pub fn person_history(&self, id: String) -> R<Vec<Person>> {
        guarded(|| -> R<_> { Ok(self.inner.person_history(parse_id(&id)?)?) })
    }

    pub fn find_people(&self, prefix: String) -> R<Vec<Person>> {
        guarded(|| self.inner.find_people(&prefix))
    }

    /// The people list, `limit` from `offset`; damaged records are left out
    /// and named, with a notice to show.
    pub fn people_page(&self, prefix: String, offset: u32, limit: u32) -> R<PeoplePage> {
        guarded(|| self.inner.people_page(&prefix, offset, limit))
    }

    /// Her timeline, `limit` from `offset`, newest first; damaged records
    /// are left out and named.
    pub fn timeline_page(&self, person_id: String, offset: u32, limit: u32) -> R<TimelinePage> {
        guarded(|| -> R<_> {
            Ok(self
                .inner
                .timeline_page(parse_id(&person_id)?, offset, limit)?)
        })
    }

    pub fn contacts_since(&self, since: Timestamp) -> R<Vec<Contact>> {
        guarded(|| self.inner.contacts_since(since))
    }

    pub fn round_summary(&self, since: Timestamp) -> R<RoundSummary> {
        guarded(|| self.inner.round_summary(since))
    }

    pub fn supplies_totals(&self, from: Timestamp, to: Timestamp) -> R<Vec<SupplyTotal>> {
        guarded(|| self.inner.supplies_totals(from, to))
    }

    pub fn person_timeline(&self, person_id: String) -> R<Vec<TimelineEntry>> {
        guarded(|| -> R<_> { Ok(self.inner.person_timeline(parse_id(&person_id)?)?) })
    }

    pub fn consents(&self, person_id: String) -> R<Vec<Consent>> {
        guarded(|| -> R<_> { Ok(self.inner.consents(parse_id(&person_id)?)?) })
    }

    pub fn active_alerts(&self) -> R<Vec<AlertView>> {
        guarded(|| self.inner.active_alerts())
    }

    pub fn open_referrals(&self) -> R<Vec<ReferralView>> {
        guarded(|| self.inner.open_referrals())
    }

    pub fn pending_changes(&self) -> R<u64> {
        guarded(|| self.inner.pending_changes())
    }

    // --- Sync ----------------------------------------------------------------

    /// Keeps what [`crate::enrol_device`] returned.
    pub fn set_enrolment(&self, enrolment: Enrolment) -> R<()> {
        guarded(|| -> R<()> {
            nightround_core::vault::forms::check_server_url(&enrolment.server_url)?;
            Ok(self.inner.set_enrolment(enrolment)?)
        })
    }

    /// Pushes the outbox and pulls; call on a background thread when the
    /// network returns. `Revoked` means the vault has been erased.
    pub fn sync(&self) -> R<SyncReport> {
        guarded(|| self.inner.sync(&SyncOptions::default()))
    }

    /// As [`NightroundVault::sync`], within limits: `connect_seconds` for
    /// each connection, `read_seconds` for each answer, `overall_seconds` for
    /// the whole sync (0: none). `handle` cancels it from another thread
    /// (`Cancelled`) and reports progress while a new phone pulls a long
    /// history. Failures say in plain words whether the connection was cut,
    /// the server did not answer in time, its certificate was refused or it
    /// is down.
    pub fn sync_with(
        &self,
        handle: Arc<SyncHandle>,
        connect_seconds: u32,
        read_seconds: u32,
        overall_seconds: u32,
    ) -> R<SyncReport> {
        guarded(|| {
            let options = SyncOptions {
                connect_timeout: std::time::Duration::from_secs(u64::from(connect_seconds.max(1))),
                timeout: std::time::Duration::from_secs(u64::from(read_seconds.max(1))),
                deadline: (overall_seconds > 0).then(|| {
                    std::time::Instant::now()
                        + std::time::Duration::from_secs(u64::from(overall_seconds))
                }),
                control: handle.control.clone(),
                ..SyncOptions::default()
            };
            self.inner.sync(&options)
        })
    }

    /// Pending count, last success, the last problem in plain words.
    pub fn sync_status(&self) -> R<SyncStatus> {
        guarded(|| self.inner.sync_status())
    }

    /// Why each held-back change was refused.
    pub fn quarantine_reasons(&self) -> R<Vec<String>> {
        guarded(|| self.inner.quarantine_reasons())
    }

    /// Waits up to `wait_seconds` (at most 25) on the server's live channel
    /// and syncs when something urgent arrives. Call it in a loop while a
    /// round is open (Android foreground service, iOS in the foreground);
    /// `Offline` means wait a little and call again. Locked, it still
    /// listens but cannot read: `while_locked`, ring and let her unlock.
    pub fn listen(&self, wait_seconds: u32) -> R<ListenReport> {
        guarded(|| {
            self.inner.listen(
                &SyncOptions::default(),
                std::time::Duration::from_secs(u64::from(wait_seconds)),
            )
        })
    }

    // --- Lone-worker safety ---------------------------------------------------

    /// Her open round (next check-in, reminder time, overdue), or what
    /// starting one needs (buddies, default interval, suggested end).
    pub fn round_screen(&self) -> R<RoundScreen> {
        guarded(|| self.inner.round_screen())
    }

    pub fn start_round(&self, draft: RoundDraft) -> R<Round> {
        guarded(|| self.inner.start_round(draft))
    }

    /// One tap, also from the reminder notification.
    pub fn check_in(&self, round_id: String) -> R<CheckIn> {
        guarded(|| -> R<_> { Ok(self.inner.check_in(parse_id(&round_id)?)?) })
    }

    /// The reminder notification's "Check in" action, without unlocking the
    /// vault: sealed to the server and sent by the next (locked) sync; the
    /// answer says when to remind her next (`check_in_minutes` is the interval
    /// the reminder was scheduled with). The action must require the device's
    /// screen lock (ADR 0004).
    pub fn check_in_while_locked(
        &self,
        round_id: String,
        check_in_minutes: u32,
    ) -> R<LockedCheckIn> {
        guarded(|| -> R<_> {
            Ok(self
                .inner
                .check_in_while_locked(parse_id(&round_id)?, check_in_minutes)?)
        })
    }

    /// "Need help now": queued ahead of everything; sync straight after.
    pub fn call_for_help(&self) -> R<CheckIn> {
        guarded(|| self.inner.call_for_help())
    }

    pub fn end_round(&self, round_id: String) -> R<Round> {
        guarded(|| -> R<_> { Ok(self.inner.end_round(parse_id(&round_id)?)?) })
    }

    /// Colleagues' help calls and missed rounds, hers as buddy first.
    pub fn safety_alerts(&self) -> R<Vec<SafetyAlertView>> {
        guarded(|| self.inner.safety_alerts())
    }
}
