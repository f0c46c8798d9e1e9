//! This computer as one device: the vault directory, its file keystore, and
//! opening or creating the vault in it. Every command goes through here so
//! that the paths and the lock policy are decided once.

use crate::error::CliError;
use crate::file_keystore::{FileKeyStore, DIR_MODE, FILE_MODE};
use nightround_core::clock::SystemClock;
use nightround_core::domain::{Directory, WorkerIdentity};
use nightround_core::vault::{vault_files, LockPolicy};
use nightround_core::{CoreError, Vault};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The vault file's name inside the vault directory.
pub const VAULT_FILE: &str = "vault.db";

/// The keystore directory's name inside the vault directory.
pub const KEYSTORE_DIR: &str = "keystore";

/// A command-line process lives for one command, so the phone's two-minute
/// idle lock would only get in the way of a slow sync; the keys still leave
/// memory when the process ends. Wrong-PIN erasure stays as on the phone.
pub fn lock_policy() -> LockPolicy {
    LockPolicy {
        idle_timeout: chrono::Duration::hours(1),
        ..LockPolicy::default()
    }
}

/// Where this device keeps its vault and keystore.
#[derive(Debug, Clone)]
pub struct Device {
    dir: PathBuf,
}

impl Device {
    /// The device whose files are in `dir` (which may not exist yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The vault directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The vault file.
    pub fn vault_path(&self) -> PathBuf {
        self.dir.join(VAULT_FILE)
    }

    fn keystore(&self) -> Result<Arc<FileKeyStore>, CliError> {
        FileKeyStore::open(self.dir.join(KEYSTORE_DIR))
            .map(Arc::new)
            .map_err(|e| CliError::Core(CoreError::KeyStore(e.0)))
    }

    /// Refuses early when a vault is already here, before anything is asked
    /// of a server (an enrolment code is single use). A file left by a
    /// creation that failed half-way holds no vault and does not count.
    pub fn ensure_no_vault(&self) -> Result<(), CliError> {
        let path = self.vault_path();
        if !path.exists() {
            return Ok(());
        }
        match Vault::open(&path, self.keystore()?, Arc::new(SystemClock)) {
            Ok(_) => Err(CliError::VaultExists(self.dir.clone())),
            Err(CoreError::NoVault) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the vault and unlocks it with `pin`.
    pub fn open(&self, pin: &str) -> Result<Vault, CliError> {
        let path = self.vault_path();
        if !path.exists() {
            return Err(CliError::NoVault(self.dir.clone()));
        }
        let vault =
            Vault::open(&path, self.keystore()?, Arc::new(SystemClock)).map_err(|e| match e {
                CoreError::NoVault => CliError::NoVault(self.dir.clone()),
                other => CliError::Core(other),
            })?;
        vault.set_lock_policy(lock_policy())?;
        vault.unlock(pin)?;
        Ok(vault)
    }

    /// Creates the directory (owner-only if new) and a vault in it for
    /// `identity`, seeded with the default directory until a server sends
    /// the partnership's own. The vault is left unlocked.
    pub fn create(&self, pin: &str, identity: WorkerIdentity) -> Result<Vault, CliError> {
        self.ensure_no_vault()?;
        if !self.dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(DIR_MODE)
                .create(&self.dir)
                .map_err(|e| CliError::VaultDir {
                    path: self.dir.clone(),
                    kind: e.kind(),
                })?;
        }
        let vault = Vault::create(
            self.vault_path(),
            self.keystore()?,
            Arc::new(SystemClock),
            pin,
            identity,
            Directory::southend_defaults(),
        )
        .map_err(|e| match e {
            CoreError::AlreadyExists => CliError::VaultExists(self.dir.clone()),
            other => CliError::Core(other),
        })?;
        vault.set_lock_policy(lock_policy())?;
        restrict_vault_files(&self.vault_path());
        Ok(vault)
    }
}

/// Makes the vault's files owner-only. They are sealed anyway, but a vault
/// directory given as an existing shared folder should not expose even the
/// sealed rows and their plaintext index columns. SQLite gives the journal
/// files the main file's mode when it makes them later.
fn restrict_vault_files(path: &Path) {
    for file in vault_files(path) {
        // Best effort: a file that is not there yet needs nothing.
        let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(FILE_MODE));
    }
}
