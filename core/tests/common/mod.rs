//! Helpers shared by the core's integration tests: a real vault file in a
//! temporary directory, a worker, a clock the test moves.
#![allow(dead_code)]

use chrono::TimeZone;
use nightround_core::clock::ManualClock;
use nightround_core::domain::*;
use nightround_core::keystore::MemoryKeyStore;
use nightround_core::{Timestamp, Vault};
use std::path::PathBuf;
use std::sync::Arc;

pub const PIN: &str = "246810";

pub fn outreach_worker() -> WorkerIdentity {
    WorkerIdentity {
        worker_id: "w-sam".into(),
        display_name: "Sam".into(),
        role: Role::OutreachWorker,
        organisation: "Aspirations".into(),
    }
}

pub fn evening() -> Timestamp {
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 20, 21, 0, 0)
        .unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub keystore: Arc<MemoryKeyStore>,
    pub clock: Arc<ManualClock>,
    pub vault: Vault,
}

impl Fixture {
    pub fn new() -> Self {
        Self::with_identity(outreach_worker())
    }

    pub fn with_identity(identity: WorkerIdentity) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let keystore = Arc::new(MemoryKeyStore::new());
        let clock = Arc::new(ManualClock::new(evening()));
        let vault = Vault::create(
            &path,
            keystore.clone(),
            clock.clone(),
            PIN,
            identity,
            Directory::southend_defaults(),
        )
        .unwrap();
        // Tests move the clock by hours; the idle lock has its own test.
        vault
            .set_lock_policy(nightround_core::vault::LockPolicy {
                idle_timeout: chrono::Duration::days(30),
                ..Default::default()
            })
            .unwrap();
        Fixture {
            dir,
            path,
            keystore,
            clock,
            vault,
        }
    }

    /// Drops the vault and opens the same file again, locked, as after the
    /// app was killed.
    pub fn reopen(&mut self) {
        let vault = Vault::open(&self.path, self.keystore.clone(), self.clock.clone()).unwrap();
        // The policy is kept in the file: the reopened vault has it already.
        assert_eq!(vault.lock_policy(), self.vault.lock_policy());
        self.vault = vault;
    }

    pub fn add(&self, alias: &str) -> Person {
        self.vault
            .add_person(PersonDraft {
                alias: alias.into(),
                ..Default::default()
            })
            .unwrap()
    }

    pub fn contact(&self, person: Option<&Person>, note: &str) -> Contact {
        self.vault
            .record_contact(ContactDraft {
                person_id: person.map(|p| p.id),
                at: None,
                area_id: "york_road".into(),
                kind: ContactKind::OutreachConversation,
                wellbeing: vec![],
                note: Some(note.into()),
                supplies: vec![
                    SupplyLine {
                        item_id: "condoms".into(),
                        quantity: 10,
                    },
                    SupplyLine {
                        item_id: "hygiene_pack".into(),
                        quantity: 1,
                    },
                ],
                safeguarding_acknowledged: false,
            })
            .unwrap()
    }

    /// The raw bytes of the vault file and its WAL and shared-memory files.
    pub fn raw_files(&self) -> Vec<(String, Vec<u8>)> {
        nightround_core::vault::vault_files(&self.path)
            .iter()
            .filter_map(|p| std::fs::read(p).ok().map(|b| (p.display().to_string(), b)))
            .collect()
    }

    /// A second, plain connection to the file, as an attacker with a copy has.
    pub fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Secrets in files, so that a child process can open the parent's vault
/// (tests of what survives a kill). Phones use the platform keystore.
pub struct FileKeyStore(pub PathBuf);

impl nightround_core::keystore::KeyStore for FileKeyStore {
    fn create_secret(
        &self,
        name: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, nightround_core::keystore::KeyStoreError> {
        let secret = nightround_core::crypto::random::array::<32>().to_vec();
        std::fs::create_dir_all(&self.0).unwrap();
        std::fs::write(self.0.join(name), &secret).unwrap();
        Ok(zeroize::Zeroizing::new(secret))
    }
    fn load_secret(
        &self,
        name: &str,
    ) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>, nightround_core::keystore::KeyStoreError> {
        Ok(std::fs::read(self.0.join(name))
            .ok()
            .map(zeroize::Zeroizing::new))
    }
    fn delete_secret(&self, name: &str) -> Result<(), nightround_core::keystore::KeyStoreError> {
        let _ = std::fs::remove_file(self.0.join(name));
        Ok(())
    }
}
