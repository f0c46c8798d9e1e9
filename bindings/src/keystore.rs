//! The platform keystore as a foreign trait: Kotlin implements it on the
//! Android Keystore, Swift on the Keychain, tests in memory.

use nightround_core::keystore::{KeyStore, KeyStoreError};
use std::sync::Arc;
use zeroize::Zeroizing;

/// A keystore failure, in the platform's own words (never key bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KeyStoreFailure {
    #[error("{detail}")]
    Unavailable { detail: String },
}

/// Whatever else the app's keystore throws (Android's
/// `UserNotAuthenticatedException`, a `RuntimeException`) arrives here as a
/// keystore failure instead of a panic: a typed error, and never a wrong PIN.
impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreFailure {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KeyStoreFailure::Unavailable {
            detail: format!("the key store threw {}", e.reason),
        }
    }
}

/// Holds 32-byte secrets that never leave the phone. `create_secret` makes a
/// fresh random one under `name` (replacing any), `load_secret` returns it or
/// null, `delete_secret` destroys it (deleting a missing one is not an error).
#[uniffi::export(with_foreign)]
pub trait PlatformKeyStore: Send + Sync {
    fn create_secret(&self, name: String) -> Result<Vec<u8>, KeyStoreFailure>;
    fn load_secret(&self, name: String) -> Result<Option<Vec<u8>>, KeyStoreFailure>;
    fn delete_secret(&self, name: String) -> Result<(), KeyStoreFailure>;
}

/// Lets the core use a platform keystore.
pub(crate) struct Adapter(pub Arc<dyn PlatformKeyStore>);

fn failure(e: KeyStoreFailure) -> KeyStoreError {
    let KeyStoreFailure::Unavailable { detail } = e;
    KeyStoreError(if detail.is_empty() {
        "key store unavailable".into()
    } else {
        detail
    })
}

fn checked(secret: Vec<u8>) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
    let secret = Zeroizing::new(secret);
    if secret.len() < 32 {
        return Err(KeyStoreError(
            "the key store returned a secret shorter than 32 bytes".into(),
        ));
    }
    Ok(secret)
}

impl KeyStore for Adapter {
    fn create_secret(&self, name: &str) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        checked(self.0.create_secret(name.to_owned()).map_err(failure)?)
    }
    fn load_secret(&self, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeyStoreError> {
        match self.0.load_secret(name.to_owned()).map_err(failure)? {
            None => Ok(None),
            Some(s) => checked(s).map(Some),
        }
    }
    fn delete_secret(&self, name: &str) -> Result<(), KeyStoreError> {
        self.0.delete_secret(name.to_owned()).map_err(failure)
    }
}
