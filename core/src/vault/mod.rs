//! The vault: one SQLite file on the phone holding every record sealed.
//!
//! - `schema`: tables and migrations;
//! - `keyring`: the wrapped data key, unlock, PIN change, destruction;
//! - `store`: sealed rows and their history;
//! - `hlc`: record versions;
//! - `outbox`: changes waiting for the server;
//! - `actions`: one method per thing a worker does;
//! - `queries`: what each screen shows.
//!
//! A `Vault` is locked or unlocked. Unlocked, it holds the record keys in
//! memory; locking (or idling past the timeout) drops them, zeroized, and every
//! operation answers [`CoreError::Locked`] until the PIN is entered again.

mod actions;
mod alerts;
mod delivery;
mod drafts;
mod duress;
pub mod forms;
pub mod hlc;
mod indexing;
mod keyring;
mod keystore_garbage;
mod lock_policy;
mod locked_check_in;
mod outbox;
mod person_refs;
mod person_screen;
mod queries;
mod record_screens;
mod referral_read_back;
mod retention;
mod rounds;
pub mod schema;
mod screens;
mod store;
mod sync_store;
mod tonight;
mod unlock_guard;
mod unlock_status;

pub use delivery::{undelivered_path, DeliveryCredentials, Undelivered};
pub use drafts::{FormDraft, FormKind};
pub use hlc::{version_after, Hlc};
pub use locked_check_in::LockedCheckIn;
pub use person_screen::{ConsentView, PersonScreen};
pub use queries::{AlertView, ReferralView, RoundSummary, TimelineEntry};
pub use record_screens::{ConcernView, ConcernsPage, ContactView, SupplyDropView, SupplyDropsPage};
pub use referral_read_back::{hours_words, ReadBackAgency, ReferralReadBack};
pub use retention::{PurgeReport, MIN_PHONE_WINDOW_DAYS};
pub use rounds::{RoundScreen, RoundView, SafetyAlertKind, SafetyAlertView};
pub use screens::{unreadable_notice, PeoplePage, TimelinePage};
pub use store::SyncState;
pub use sync_store::{Enrolment, SyncMeta, SyncStatus};
pub use tonight::{TonightRow, TonightScreen};
pub use unlock_status::UnlockStatus;

use crate::clock::{to_millis, Clock};
use crate::crypto::session_rng::SessionRng;
use crate::crypto::{envelope, Aad, DataKey, RecordKeys};
use crate::domain::validation::check_pin;
use crate::domain::{Directory, WorkerIdentity};
use crate::error::{CoreError, CorruptKind, Result};
use crate::keystore::KeyStore;
use crate::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// When the vault locks itself and when it gives up on a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    /// Idle time after which the next operation finds the vault locked.
    pub idle_timeout: chrono::Duration,
    /// Wrong PINs in a row after which the vault is crypto-shredded.
    pub max_failed_unlocks: u32,
}

impl Default for LockPolicy {
    fn default() -> Self {
        Self {
            idle_timeout: chrono::Duration::minutes(2),
            max_failed_unlocks: 10,
        }
    }
}

/// What an unlocked vault holds in memory. Dropping it zeroizes the keys.
pub(crate) struct Session {
    pub(crate) keys: RecordKeys,
    pub(crate) data_key: DataKey,
    pub(crate) identity: WorkerIdentity,
    pub(crate) directory: Directory,
    /// After this, user actions answer `LeaseExpired` until a sync succeeds.
    pub(crate) lease_deadline: Option<Timestamp>,
    /// Hands out record versions; recovered from the file on unlock.
    pub(crate) clock: Mutex<hlc::HybridClock>,
    /// Remembered between contacts (the quick-contact area default).
    pub(crate) prefs: Mutex<actions::Preferences>,
    /// Seals each outbox entry to the server's key, when the phone has it.
    pub(crate) sealing: Option<crate::crypto::sealed_box::SealingSession>,
    /// Forms known to have no draft stored (saves skip deleting it).
    pub(crate) drafts_absent: drafts::KnownAbsent,
    /// Nonces and record ids for this session's writes, seeded from the OS
    /// at unlock; zeroized with the session when the vault locks.
    pub(crate) rng: SessionRng,
    /// The index hashes of the people written about since unlock.
    pub(crate) person_refs: person_refs::PersonRefs,
}

impl Session {
    /// The next record version.
    pub(crate) fn tick(&self, now: Timestamp) -> String {
        self.clock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tick(now)
    }

    /// Moves the clock past a version received from the server (at most the
    /// clock skew ahead of `now`).
    pub(crate) fn observe(&self, version: &str, now: Timestamp) {
        self.clock
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .observe(version, now)
    }
}

struct Inner {
    /// `None` once the vault has been wiped.
    conn: Option<Connection>,
    vault_id: String,
    session: Option<Session>,
    last_activity: Timestamp,
    policy: LockPolicy,
}

/// The encrypted store on one phone.
pub struct Vault {
    path: PathBuf,
    keystore: Arc<dyn KeyStore>,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

fn open_connection(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    schema::configure(&conn)?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

fn read_vault_id(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT vault_id FROM vault_info", [], |r| r.get(0))
        .optional()?)
}

/// The files SQLite keeps for a database at `path`.
pub fn vault_files(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

/// Makes the file of a new vault: schema, keys, identity and directory.
fn initialise(
    path: &Path,
    keystore: &dyn KeyStore,
    now: Timestamp,
    pin: &str,
    identity: WorkerIdentity,
    directory: Directory,
) -> Result<(Connection, String, Session)> {
    check_pin(pin)?;
    let mut conn = open_connection(path)?;
    if read_vault_id(&conn)?.is_some() {
        return Err(CoreError::AlreadyExists);
    }
    let vault_id = uuid::Uuid::now_v7().to_string();
    let node_id: String = crate::crypto::random::array::<4>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO vault_info (singleton, vault_id, created_at, node_id) VALUES (1, ?1, ?2, ?3)",
        (&vault_id, to_millis(now), &node_id),
    )?;
    let data_key = keyring::create(&tx, keystore, &vault_id, pin, now)?;
    let keys = RecordKeys::from_data_key(&data_key);
    put_meta(&tx, &keys, "identity", &identity)?;
    put_meta(&tx, &keys, "directory", &directory)?;
    tx.commit()?;
    let hybrid_clock = hlc::HybridClock::recover(&conn, now)?;
    tracing::info!(target: "nightround::vault", "vault created");
    let session = Session {
        keys,
        data_key,
        identity,
        directory,
        lease_deadline: None,
        clock: Mutex::new(hybrid_clock),
        prefs: Mutex::new(actions::Preferences::default()),
        sealing: None,
        drafts_absent: Default::default(),
        rng: SessionRng::from_os(),
        person_refs: Default::default(),
    };
    Ok((conn, vault_id, session))
}

impl Vault {
    /// Makes a new vault at `path`, unlocked, for the worker this phone is
    /// enrolled for, seeded with `directory`.
    pub fn create(
        path: impl AsRef<Path>,
        keystore: Arc<dyn KeyStore>,
        clock: Arc<dyn Clock>,
        pin: &str,
        identity: WorkerIdentity,
        directory: Directory,
    ) -> Result<Vault> {
        let path = path.as_ref().to_path_buf();
        let now = clock.now();
        let (conn, vault_id, session) =
            initialise(&path, keystore.as_ref(), now, pin, identity, directory)?;
        Ok(Vault {
            path,
            keystore,
            clock,
            inner: Mutex::new(Inner {
                conn: Some(conn),
                vault_id,
                session: Some(session),
                last_activity: now,
                policy: LockPolicy::default(),
            }),
        })
    }

    /// Opens the vault at `path`, locked.
    pub fn open(
        path: impl AsRef<Path>,
        keystore: Arc<dyn KeyStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Vault> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            return Err(CoreError::NoVault);
        }
        let mut conn = Connection::open(&path)?;
        // Look before writing anything: a file that is not a vault (or an
        // empty one a failed creation left) is refused untouched.
        if !schema::is_vault(&conn)? {
            return Err(CoreError::NoVault);
        }
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let vault_id = read_vault_id(&conn)?.ok_or(CoreError::NoVault)?;
        // Entries a PIN change killed half-way left in the keystore.
        keystore_garbage::collect(&conn, keystore.as_ref())?;
        let policy = lock_policy::load(&conn)?;
        let now = clock.now();
        Ok(Vault {
            path,
            keystore,
            clock,
            inner: Mutex::new(Inner {
                conn: Some(conn),
                vault_id,
                session: None,
                last_activity: now,
                policy,
            }),
        })
    }

    /// Sets when the vault locks itself and how many wrong PINs it allows,
    /// and keeps it in the file so that it holds after a restart.
    pub fn set_lock_policy(&self, policy: LockPolicy) -> Result<()> {
        policy.check()?;
        let mut inner = self.lock_inner();
        let conn = inner.conn.as_ref().ok_or(CoreError::Shredded)?;
        lock_policy::store(conn, &policy)?;
        inner.policy = policy;
        Ok(())
    }

    /// The policy in force (the file's, or the default if never set).
    pub fn lock_policy(&self) -> LockPolicy {
        self.lock_inner().policy
    }

    /// Caps the vault file's size, as a device-management policy may; a write
    /// past the cap fails with [`CoreError::DiskFull`] and saves nothing,
    /// exactly as a full disk does.
    pub fn set_storage_limit(&self, max_bytes: u64) -> Result<()> {
        let inner = self.lock_inner();
        let conn = inner.conn.as_ref().ok_or(CoreError::Shredded)?;
        let page_size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let page_size = page_size.max(1) as u64;
        let pages = (max_bytes / page_size).max(1);
        conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Before a shred for wrong PINs: keeps the unsent changes' sealed
    /// copies for delivery. A failure here must not stop the shred.
    fn keep_undelivered(&self, conn: &Connection, vault_id: &str) {
        if let Err(e) =
            delivery::write_undelivered(conn, self.keystore.as_ref(), vault_id, &self.path)
        {
            tracing::warn!(target: "nightround::vault", error = %e, "undelivered changes could not be kept");
        }
    }

    /// Runs `f` on the connection whether or not the vault is unlocked: for
    /// bookkeeping that touches no sealed data (sync while locked).
    pub(crate) fn with_conn<R>(
        &self,
        f: impl FnOnce(&mut Connection, &str) -> Result<R>,
    ) -> Result<R> {
        let mut inner = self.lock_inner();
        let Inner { conn, vault_id, .. } = &mut *inner;
        let conn = conn.as_mut().ok_or(CoreError::Shredded)?;
        f(conn, vault_id)
    }

    pub(crate) fn vault_id(&self) -> String {
        self.lock_inner().vault_id.clone()
    }

    /// The duress path: shred this vault, then open a fresh, empty one for
    /// the same worker under the duress PIN, carrying only the unsent
    /// changes' sealed copies and a flag for the next sync.
    fn enter_duress(
        &self,
        pin: &str,
        package: duress::DuressPackage,
        copies: Vec<duress::SealedCopy>,
    ) -> Result<()> {
        self.shred()?;
        let now = self.clock.now();
        let (mut conn, vault_id, mut session) = initialise(
            &self.path,
            self.keystore.as_ref(),
            now,
            pin,
            package.identity,
            package.directory,
        )?;
        let tx = conn.transaction()?;
        // The fresh vault keeps the same policy, so nothing on the settings
        // screen tells her coercer anything changed.
        lock_policy::store(&tx, &self.lock_inner().policy)?;
        put_meta(&tx, &session.keys, "sync", &package.sync)?;
        for (kind, id, version, sealed) in &copies {
            tx.execute(
                "INSERT OR IGNORE INTO sealed_outbox (kind, id, version, sealed, queued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![kind, id, version, sealed, to_millis(now)],
            )?;
        }
        tx.commit()?;
        session.lease_deadline = package.sync.lease_deadline();
        session.sealing = package.sync.sealing_session();
        let mut inner = self.lock_inner();
        inner.conn = Some(conn);
        inner.vault_id = vault_id;
        inner.session = Some(session);
        inner.last_activity = now;
        // Nothing on screen tells her coercer anything happened.
        tracing::info!(target: "nightround::vault", "vault unlocked");
        Ok(())
    }

    /// Where the vault file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_inner(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the connection torn
        // (SQLite rolls back); carry on with what is there.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the keys are out of memory.
    pub fn is_locked(&self) -> bool {
        let mut inner = self.lock_inner();
        let now = self.clock.now();
        expire_if_idle(&mut inner, now);
        inner.session.is_none()
    }

    /// Drops the keys from memory (zeroized). Called on idle, on going to the
    /// background, and by quick exit.
    pub fn lock(&self) {
        let mut inner = self.lock_inner();
        if inner.session.take().is_some() {
            tracing::info!(target: "nightround::vault", "vault locked");
        }
    }

    /// Wrong PINs entered since the last successful unlock.
    pub fn failed_unlocks(&self) -> Result<u32> {
        let inner = self.lock_inner();
        let conn = inner.conn.as_ref().ok_or(CoreError::Shredded)?;
        Ok(conn.query_row("SELECT failed_unlocks FROM vault_info", [], |r| r.get(0))?)
    }

    /// What the unlock screen shows before she types: how many wrong PINs
    /// are left before the vault is erased, whether to warn, and how long to
    /// wait after interrupted unlocks. Writes nothing.
    pub fn unlock_status(&self) -> Result<UnlockStatus> {
        let inner = self.lock_inner();
        let conn = inner.conn.as_ref().ok_or(CoreError::Shredded)?;
        let c = unlock_guard::counters(conn, self.clock.now())?;
        Ok(UnlockStatus::new(c, inner.policy.max_failed_unlocks))
    }

    /// Opens the vault with `pin`. The attempt is marked started on disk
    /// before the PIN is checked; one cut off there costs a growing wait
    /// ([`CoreError::TooSoon`]), never the vault. Only a PIN the key row
    /// proves wrong counts toward the wipe; at the policy's limit the vault
    /// is crypto-shredded.
    pub fn unlock(&self, pin: &str) -> Result<()> {
        // A PIN that cannot be right (not six or more digits) is refused
        // without using up an attempt.
        check_pin(pin)?;
        let mut inner = self.lock_inner();
        let now = self.clock.now();
        let max = inner.policy.max_failed_unlocks;
        let vault_id = inner.vault_id.clone();
        let conn = inner.conn.as_mut().ok_or(CoreError::Shredded)?;
        let failed = unlock_guard::begin(conn, now)?;
        if failed >= max {
            self.keep_undelivered(conn, &vault_id);
            drop(inner);
            self.shred()?;
            return Err(CoreError::Shredded);
        }
        match keyring::unwrap(conn, self.keystore.as_ref(), &vault_id, pin) {
            Ok(keyring::Unwrapped::Key(data_key)) => {
                unlock_guard::succeeded(conn)?;
                let keys = RecordKeys::from_data_key(&data_key);
                let identity = get_meta(conn, &keys, "identity")?
                    .ok_or(CoreError::Corrupt(CorruptKind::Canary))?;
                let directory = get_meta(conn, &keys, "directory")?
                    .ok_or(CoreError::Corrupt(CorruptKind::Canary))?;
                let sync: Option<SyncMeta> = get_meta(conn, &keys, "sync")?;
                let prefs: actions::Preferences =
                    get_meta(conn, &keys, "preferences")?.unwrap_or_default();
                let clock = hlc::HybridClock::recover(conn, now)?;
                inner.session = Some(Session {
                    keys,
                    data_key,
                    identity,
                    directory,
                    lease_deadline: sync.as_ref().and_then(|m| m.lease_deadline()),
                    sealing: sync.as_ref().and_then(|m| m.sealing_session()),
                    clock: Mutex::new(clock),
                    prefs: Mutex::new(prefs),
                    drafts_absent: Default::default(),
                    rng: SessionRng::from_os(),
                    person_refs: Default::default(),
                });
                inner.last_activity = now;
                tracing::info!(target: "nightround::vault", "vault unlocked");
                Ok(())
            }
            Ok(keyring::Unwrapped::WrongPin) => {
                let duress = duress::try_open(conn, self.keystore.as_ref(), &vault_id, pin);
                let duress = match duress {
                    Ok(d) => d,
                    Err(e) => {
                        unlock_guard::not_checked(conn)?;
                        return Err(e);
                    }
                };
                if let Some(package) = duress {
                    let copies = duress::sealed_copies(conn)?;
                    drop(inner);
                    return self.enter_duress(pin, package, copies);
                }
                let failed = unlock_guard::proved_wrong(conn)?;
                tracing::warn!(target: "nightround::vault", failed, "wrong PIN");
                self.after_wrong_pin(inner, failed, max, &vault_id)
            }
            Err(e) => {
                // Damage or a keystore failure is not her mistake.
                unlock_guard::not_checked(conn)?;
                Err(e)
            }
        }
    }

    /// After a PIN the key row proved wrong: erase at the limit, else say how
    /// many are left.
    fn after_wrong_pin(
        &self,
        mut inner: MutexGuard<'_, Inner>,
        failed: u32,
        max: u32,
        vault_id: &str,
    ) -> Result<()> {
        if failed >= max {
            if let Some(conn) = inner.conn.as_mut() {
                self.keep_undelivered(conn, vault_id);
            }
            inner.session = None;
            drop(inner);
            self.shred()?;
            return Err(CoreError::Shredded);
        }
        Err(CoreError::WrongPin {
            attempts_left: max - failed,
        })
    }

    /// Rewraps the data key under a new PIN; records are not re-encrypted.
    /// A wrong current PIN counts toward the wipe exactly as at unlock.
    ///
    /// The new keystore entry is listed as garbage before it is made, and the
    /// old one in the same transaction as the new key row: whichever point the
    /// app dies at, the next open destroys the entry no key row uses.
    pub fn change_pin(&self, current: &str, new_pin: &str) -> Result<()> {
        check_pin(new_pin)?;
        check_pin(current)?;
        let mut inner = self.lock_inner();
        let now = self.clock.now();
        expire_if_idle(&mut inner, now);
        if inner.session.is_none() {
            return Err(CoreError::Locked);
        }
        let max = inner.policy.max_failed_unlocks;
        let vault_id = inner.vault_id.clone();
        let conn = inner.conn.as_mut().ok_or(CoreError::Shredded)?;
        let failed = unlock_guard::begin(conn, now)?;
        let checked = keyring::unwrap(conn, self.keystore.as_ref(), &vault_id, current);
        let data_key = match checked {
            Ok(keyring::Unwrapped::WrongPin) => {
                let failed = unlock_guard::proved_wrong(conn)?;
                tracing::warn!(target: "nightround::vault", failed, "wrong PIN at PIN change");
                return self.after_wrong_pin(inner, failed, max, &vault_id);
            }
            Ok(keyring::Unwrapped::Key(k)) => {
                unlock_guard::succeeded(conn)?;
                k
            }
            Err(e) => {
                unlock_guard::not_checked(conn)?;
                return Err(e);
            }
        };
        let _ = failed;
        let Inner { conn, session, .. } = &mut *inner;
        let conn = conn.as_mut().ok_or(CoreError::Shredded)?;
        let session = session.as_ref().ok_or(CoreError::Locked)?;
        if data_key.bytes() != session.data_key.bytes() {
            return Err(CoreError::Corrupt(CorruptKind::KeyRecord));
        }
        let salt = keyring::fresh_salt();
        let new_entry = keyring::keystore_name(&vault_id, &salt);
        keystore_garbage::add(conn, &new_entry)?;
        let tx = conn.transaction()?;
        let old_entry = keyring::rewrap(
            &tx,
            self.keystore.as_ref(),
            &vault_id,
            &session.data_key,
            new_pin,
            salt,
            now,
        )?;
        keystore_garbage::remove(&tx, &new_entry)?;
        keystore_garbage::add(&tx, &old_entry)?;
        tx.commit()?;
        keystore_garbage::collect(conn, self.keystore.as_ref())?;
        inner.last_activity = now;
        Ok(())
    }

    /// Destroys the vault: the wrapped key is overwritten and deleted, the
    /// keystore secret destroyed, then the files removed. What was sealed can
    /// never be opened again, even from a copy of the file made before.
    pub fn wipe(&self) -> Result<()> {
        self.shred()
    }

    fn shred(&self) -> Result<()> {
        let mut inner = self.lock_inner();
        inner.session = None;
        let vault_id = inner.vault_id.clone();
        if let Some(conn) = inner.conn.as_ref() {
            let entry = keyring::current_keystore_name(conn, &vault_id)?;
            let duress_entry = duress::keystore_entry(conn, &vault_id)?;
            let delivery_entry = delivery::keystore_entry(conn, &vault_id)?;
            let garbage = keystore_garbage::names(conn)?;
            keyring::destroy(conn)?;
            conn.execute("DELETE FROM duress", [])?;
            conn.execute("DELETE FROM delivery", [])?;
            for d in [duress_entry, delivery_entry]
                .into_iter()
                .flatten()
                .chain(garbage)
            {
                self.keystore
                    .delete_secret(&d)
                    .map_err(|e| CoreError::KeyStore(e.0))?;
            }
            // Push the overwritten pages into the main file, then drop the WAL.
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            if let Some(entry) = entry {
                self.keystore
                    .delete_secret(&entry)
                    .map_err(|e| CoreError::KeyStore(e.0))?;
            }
        }
        inner.conn = None;
        for file in vault_files(&self.path) {
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(_) => return Err(CoreError::Storage("could not remove vault file".into())),
            }
        }
        tracing::warn!(target: "nightround::vault", "vault shredded");
        Ok(())
    }

    /// Runs `f` with the connection and the unlocked session, or answers
    /// `Locked` (or `LeaseExpired` when the phone has gone too long without
    /// a sync). Every user action and query goes through here.
    pub(crate) fn with_session<R>(
        &self,
        f: impl FnOnce(&mut Connection, &Session, Timestamp) -> Result<R>,
    ) -> Result<R> {
        self.session_call(true, |conn, s, now| f(conn, s, now))
    }

    /// As [`Vault::with_session`] but allowed past the lease: sync itself
    /// must run to renew it.
    pub(crate) fn with_sync_session<R>(
        &self,
        f: impl FnOnce(&mut Connection, &Session, Timestamp) -> Result<R>,
    ) -> Result<R> {
        self.session_call(false, |conn, s, now| f(conn, s, now))
    }

    /// As [`Vault::with_sync_session`], with the session writable.
    pub(crate) fn with_sync_session_mut<R>(
        &self,
        f: impl FnOnce(&mut Connection, &mut Session, Timestamp) -> Result<R>,
    ) -> Result<R> {
        self.session_call(false, f)
    }

    fn session_call<R>(
        &self,
        check_lease: bool,
        f: impl FnOnce(&mut Connection, &mut Session, Timestamp) -> Result<R>,
    ) -> Result<R> {
        let mut inner = self.lock_inner();
        let now = self.clock.now();
        expire_if_idle(&mut inner, now);
        // Only what she does counts as activity: background sync and the
        // live channel (which call in every few seconds during a round) must
        // never keep an idle vault unlocked.
        if check_lease {
            inner.last_activity = now;
        }
        let Inner { conn, session, .. } = &mut *inner;
        let conn = conn.as_mut().ok_or(CoreError::Shredded)?;
        let session = session.as_mut().ok_or(CoreError::Locked)?;
        if check_lease && session.lease_deadline.is_some_and(|d| now > d) {
            return Err(CoreError::LeaseExpired);
        }
        f(conn, session, now)
    }

    pub(crate) fn set_lease_deadline(&self, deadline: Option<Timestamp>) {
        if let Some(s) = self.lock_inner().session.as_mut() {
            s.lease_deadline = deadline;
        }
    }

    /// Replaces the directory (the server sends the partnership's own).
    pub fn replace_directory(&self, directory: Directory) -> Result<()> {
        let mut inner = self.lock_inner();
        let now = self.clock.now();
        expire_if_idle(&mut inner, now);
        let Inner { conn, session, .. } = &mut *inner;
        let conn = conn.as_mut().ok_or(CoreError::Shredded)?;
        let session = session.as_mut().ok_or(CoreError::Locked)?;
        put_meta(conn, &session.keys, "directory", &directory)?;
        session.directory = directory;
        Ok(())
    }
}

fn expire_if_idle(inner: &mut Inner, now: Timestamp) {
    if inner.session.is_some() && now - inner.last_activity > inner.policy.idle_timeout {
        inner.session = None;
        tracing::info!(target: "nightround::vault", "vault locked after idle timeout");
    }
}

fn meta_aad<'a>(name: &'a str, version: &'a str) -> Aad<'a> {
    Aad {
        table: "meta",
        record_id: name,
        version,
    }
}

/// Seals a vault-level value (identity, directory, settings) under `name`.
pub(crate) fn put_meta<T: Serialize>(
    conn: &Connection,
    keys: &RecordKeys,
    name: &str,
    value: &T,
) -> Result<()> {
    let current: Option<String> = conn
        .prepare_cached("SELECT version FROM sealed_meta WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?;
    let next = current
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(1, |v| v + 1)
        .to_string();
    let plain = zeroize::Zeroizing::new(
        serde_json::to_vec(value).map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))?,
    );
    let sealed = envelope::seal(&keys.records, &meta_aad(name, &next), &plain);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO sealed_meta (name, version, body) VALUES (?1, ?2, ?3)",
    )?
    .execute(rusqlite::params![name, next, sealed])?;
    Ok(())
}

/// Opens a vault-level value sealed under `name`.
pub(crate) fn get_meta<T: DeserializeOwned>(
    conn: &Connection,
    keys: &RecordKeys,
    name: &str,
) -> Result<Option<T>> {
    let row: Option<(String, Vec<u8>)> = conn
        .prepare_cached("SELECT version, body FROM sealed_meta WHERE name = ?1")?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((version, body)) = row else {
        return Ok(None);
    };
    let plain = envelope::open(&keys.records, &meta_aad(name, &version), &body)?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| CoreError::Corrupt(CorruptKind::RecordBody))
}
