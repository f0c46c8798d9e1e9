//! The platform keystore, as the core needs it.
//!
//! Android implements it on the Android Keystore, iOS on the Keychain. The
//! secret it keeps is one half of the key that wraps the vault's data key (the
//! PIN is the other), so a copied vault file is useless without the phone, and
//! a phone is useless without the PIN. See `docs/adr/0002-key-hierarchy.md`.

use zeroize::Zeroizing;

/// Errors a platform keystore reports, as plain words (never key bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyStoreError(pub String);

/// A store of 32-byte secrets that never leave the phone.
pub trait KeyStore: Send + Sync {
    /// Makes a fresh random secret under `name`, replacing any old one.
    fn create_secret(&self, name: &str) -> Result<Zeroizing<Vec<u8>>, KeyStoreError>;
    /// The secret under `name`, or `None` if there is none.
    fn load_secret(&self, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeyStoreError>;
    /// Destroys the secret under `name`; destroying a missing one is not an error.
    fn delete_secret(&self, name: &str) -> Result<(), KeyStoreError>;
}

/// An in-memory keystore for tests and the command-line device.
#[derive(Default)]
pub struct MemoryKeyStore {
    secrets: std::sync::Mutex<std::collections::HashMap<String, Zeroizing<Vec<u8>>>>,
}

impl MemoryKeyStore {
    pub fn new() -> Self {
        Self::default()
    }
    /// Whether a secret exists, for tests that check a wipe destroyed it.
    pub fn contains(&self, name: &str) -> bool {
        self.lock().contains_key(name)
    }
    /// Whether it holds no secret at all (after a wipe or shred).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Zeroizing<Vec<u8>>>> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl KeyStore for MemoryKeyStore {
    fn create_secret(&self, name: &str) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        let mut secret = Zeroizing::new(vec![0u8; 32]);
        crate::crypto::random::fill(&mut secret);
        self.lock().insert(name.to_owned(), secret.clone());
        Ok(secret)
    }
    fn load_secret(&self, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeyStoreError> {
        Ok(self.lock().get(name).cloned())
    }
    fn delete_secret(&self, name: &str) -> Result<(), KeyStoreError> {
        self.lock().remove(name);
        Ok(())
    }
}
