//! The server's record key: 32 random bytes in `<data-dir>/keys/`, outside
//! the database, so that a copy of the database alone reveals no record.
//!
//! The file is created on first start with mode 0600 (its directory 0700),
//! written to a temporary name and renamed so a crash never leaves half a
//! key. Two working keys are derived from it: one seals record bodies, one
//! keys the hash enrolment codes are stored under.

use crate::config::DataPaths;
use crate::error::{Result, ServerError};
use nightround_core::crypto::sealed_box::ServerSealingKey;
use nightround_core::crypto::{random, DataKey};
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

/// The key id written into every envelope the server seals.
pub const SERVER_KEY_ID: u32 = 1;
const KEY_LEN: usize = 32;

/// The working keys derived from the key file.
#[derive(Clone, Debug)]
pub struct ServerKeys {
    /// Seals record bodies and history at rest.
    pub records: DataKey,
    /// Keys the HMAC that enrolment codes are stored under.
    pub enrolment_codes: DataKey,
    /// Opens the copies phones seal to the server's public key (ADR 0003).
    pub sealing: ServerSealingKey,
}

impl ServerKeys {
    fn from_file_key(key: &DataKey) -> Self {
        Self {
            records: key.derive("nightround.server.records"),
            enrolment_codes: key.derive("nightround.server.enrolment-codes"),
            // X25519 takes any 32 bytes as a secret (it clamps them).
            sealing: ServerSealingKey::from_bytes(*key.derive("nightround.server.sealing").bytes()),
        }
    }
}

/// Reads the key file, or makes it when this is a new data directory. A
/// database without its key is refused rather than given a new, useless key.
pub fn load_or_create(paths: &DataPaths) -> Result<ServerKeys> {
    let path = paths.records_key();
    if path.exists() {
        return read_key(&path).map(|k| ServerKeys::from_file_key(&k));
    }
    if paths.database().exists() {
        return Err(ServerError::Key(format!(
            "{} is missing but the database exists; restore the key from backup \
             (a new key could not open the stored records)",
            path.display()
        )));
    }
    create_private_dir(&paths.keys_dir())?;
    let key = DataKey::from_bytes(SERVER_KEY_ID, random::array());
    write_private_file(&path, key.bytes())?;
    tracing::info!(path = %path.display(), "created the server record key");
    Ok(ServerKeys::from_file_key(&key))
}

fn read_key(path: &Path) -> Result<DataKey> {
    let bytes = Zeroizing::new(
        std::fs::read(path).map_err(|e| ServerError::io("reading the server key", path, e))?,
    );
    let arr: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| {
        ServerError::Key(format!(
            "{} holds {} bytes, not {KEY_LEN}",
            path.display(),
            bytes.len()
        ))
    })?;
    warn_if_shared(path);
    Ok(DataKey::from_bytes(SERVER_KEY_ID, arr))
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the key file is readable by others; chmod 600 it");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

/// Creates a directory only its owner may enter (0700 on Unix).
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| ServerError::io("creating a private directory", dir, e))
}

/// Writes a secret file with mode 0600, atomically: a temporary file is
/// written and synced, then renamed into place.
pub fn write_private_file(path: &Path, contents: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let write = || -> std::io::Result<()> {
        let mut f = opts.open(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(parent) = path.parent() {
            // Makes the rename itself durable.
            std::fs::File::open(parent)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|e| ServerError::io("writing a secret file", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let paths = DataPaths::new(dir.path());
        let a = load_or_create(&paths).unwrap();
        let b = load_or_create(&paths).unwrap();
        assert_eq!(a.records.bytes(), b.records.bytes());
        assert_ne!(a.records.bytes(), a.enrolment_codes.bytes());
        assert_eq!(std::fs::read(paths.records_key()).unwrap().len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(paths.records_key())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_database_without_its_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let paths = DataPaths::new(dir.path());
        std::fs::write(paths.database(), b"").unwrap();
        assert!(matches!(load_or_create(&paths), Err(ServerError::Key(_))));
        create_private_dir(&paths.keys_dir()).unwrap();
        std::fs::write(paths.records_key(), [1u8; 31]).unwrap();
        assert!(matches!(load_or_create(&paths), Err(ServerError::Key(_))));
    }
}
