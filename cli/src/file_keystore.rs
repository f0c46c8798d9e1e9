//! A file-based [`KeyStore`] for the **command-line device only**.
//!
//! The vault's wrapping key is made from two halves: the PIN and a 32-byte
//! secret held by the platform keystore (`docs/adr/0002-key-hierarchy.md`).
//! On a phone that secret lives in the Android Keystore or the iOS Keychain,
//! where it never leaves secure hardware, so a copied vault file is useless
//! on its own.
//!
//! A computer running the `nightround` command has no such keystore, so here
//! each secret is a file, `DIR/keystore/<name>`, readable only by its owner
//! (file mode 0600, directory 0700). **This is much weaker protection**:
//! anyone who can copy the vault directory as this user (a backup, a stolen
//! laptop without disk encryption, malware running as the user) gets both the
//! vault and the secret, and only the PIN and Argon2id stand between them and
//! the records. Use the command-line device for tests, the demo and checking
//! a deployment, never to carry real people's records.
//!
//! Deleting a secret overwrites its bytes and syncs them before removing the
//! file. On copy-on-write or wear-levelled storage (SSDs, btrfs, APFS) the old
//! blocks may survive that; the core's crypto-shred does not rely on it alone,
//! since it also destroys the wrapped data key in the vault.

use nightround_core::crypto::random;
use nightround_core::keystore::{KeyStore, KeyStoreError};
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The size of every secret the core asks for.
pub const SECRET_LEN: usize = 32;

/// Owner read and write only.
pub const FILE_MODE: u32 = 0o600;

/// Owner only.
pub const DIR_MODE: u32 = 0o700;

/// The longest entry name accepted; the core's names are about 70 characters.
const MAX_NAME_LEN: usize = 200;

/// Secrets kept as owner-only files in one directory. See the module
/// documentation for why this is for the command-line device only.
#[derive(Debug, Clone)]
pub struct FileKeyStore {
    dir: PathBuf,
}

fn err(msg: impl Into<String>) -> KeyStoreError {
    KeyStoreError(msg.into())
}

/// Names the I/O failure by its kind only: paths and OS messages stay out of
/// errors that reach the screen.
fn io_err(what: &str, e: &std::io::Error) -> KeyStoreError {
    err(format!("could not {what} a key file ({})", e.kind()))
}

impl FileKeyStore {
    /// Opens the keystore directory `dir`, creating it (mode 0700) if needed
    /// and tightening its mode if someone loosened it.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, KeyStoreError> {
        let dir = dir.into();
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() || !meta.is_dir() => {
                return Err(err("the keystore path is not a plain directory"));
            }
            Ok(meta) => {
                if meta.permissions().mode() & 0o777 != DIR_MODE {
                    fs::set_permissions(&dir, fs::Permissions::from_mode(DIR_MODE))
                        .map_err(|e| io_err("protect the directory of", &e))?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                DirBuilder::new()
                    .recursive(true)
                    .mode(DIR_MODE)
                    .create(&dir)
                    .map_err(|e| io_err("create the directory for", &e))?;
                // `recursive` leaves existing parents alone but applies the
                // umask to the leaf: set the mode explicitly.
                fs::set_permissions(&dir, fs::Permissions::from_mode(DIR_MODE))
                    .map_err(|e| io_err("protect the directory of", &e))?;
            }
            Err(e) => return Err(io_err("find the directory of", &e)),
        }
        Ok(Self { dir })
    }

    /// The directory the secrets are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for `name`. Names come from the core, but are checked anyway
    /// so that no name can reach outside the directory.
    pub fn path_for(&self, name: &str) -> Result<PathBuf, KeyStoreError> {
        let ok = !name.is_empty()
            && name.len() <= MAX_NAME_LEN
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !ok {
            return Err(err(
                "a key name may only use letters, digits, '.', '_' and '-'",
            ));
        }
        Ok(self.dir.join(name))
    }

    /// Makes the directory entry changes (create, rename, remove) durable.
    fn sync_dir(&self) -> Result<(), KeyStoreError> {
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err("save the directory of", &e))
    }

    /// Overwrites a key file's bytes with zeros and syncs them to disk.
    fn overwrite(path: &Path) -> Result<(), KeyStoreError> {
        let mut f = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| io_err("open", &e))?;
        let len = f.metadata().map_err(|e| io_err("inspect", &e))?.len();
        // A key file is 32 bytes; a larger one is overwritten up to 1 MiB.
        let zeros = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX).min(1 << 20)];
        f.write_all(&zeros)
            .and_then(|()| f.sync_all())
            .map_err(|e| io_err("overwrite", &e))
    }
}

impl KeyStore for FileKeyStore {
    /// Writes a fresh secret to a temporary owner-only file, syncs it, then
    /// renames it into place, so a crash leaves either no secret or a whole one.
    fn create_secret(&self, name: &str) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
        let path = self.path_for(name)?;
        let tmp = self.dir.join(format!(".{name}.tmp"));
        match fs::remove_file(&tmp) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("clear", &e)),
        }
        let mut secret = Zeroizing::new(vec![0u8; SECRET_LEN]);
        random::fill(&mut secret);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&tmp)
            .map_err(|e| io_err("create", &e))?;
        f.write_all(&secret)
            .and_then(|()| f.sync_all())
            .map_err(|e| io_err("write", &e))?;
        drop(f);
        if path.exists() {
            // The old secret is being replaced: do not leave its bytes behind.
            Self::overwrite(&path)?;
        }
        fs::rename(&tmp, &path).map_err(|e| io_err("store", &e))?;
        self.sync_dir()?;
        Ok(secret)
    }

    /// Reads a secret, refusing a file others could read (as ssh does) or one
    /// that is not exactly one secret long.
    fn load_secret(&self, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeyStoreError> {
        let path = self.path_for(name)?;
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("inspect", &e)),
        };
        if !meta.is_file() {
            return Err(err("a key entry is not a plain file"));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(err(
                "a key file can be read by other users; make it owner-only (chmod 600) and try again",
            ));
        }
        let mut secret = Zeroizing::new(Vec::with_capacity(SECRET_LEN + 1));
        File::open(&path)
            .and_then(|f| f.take(SECRET_LEN as u64 + 1).read_to_end(&mut secret))
            .map_err(|e| io_err("read", &e))?;
        if secret.len() != SECRET_LEN {
            return Err(err("a key file is damaged (wrong length)"));
        }
        Ok(Some(secret))
    }

    /// Overwrites the file's bytes, syncs, then removes it. A missing entry
    /// is not an error.
    fn delete_secret(&self, name: &str) -> Result<(), KeyStoreError> {
        let path = self.path_for(name)?;
        match fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() => Self::overwrite(&path)?,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err("inspect", &e)),
        }
        fs::remove_file(&path).map_err(|e| io_err("remove", &e))?;
        self.sync_dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let ks = FileKeyStore::open(dir.path().join("ks")).unwrap();
        for bad in ["", "../x", "a/b", ".hidden", "a b", &"x".repeat(201)] {
            assert!(ks.path_for(bad).is_err(), "{bad:?} accepted");
        }
        assert!(ks.path_for("nightround.vault.0190-ab.00ff").is_ok());
    }

    #[test]
    fn replacing_a_secret_changes_it() {
        let dir = tempfile::tempdir().unwrap();
        let ks = FileKeyStore::open(dir.path().join("ks")).unwrap();
        let a = ks.create_secret("k").unwrap();
        let b = ks.create_secret("k").unwrap();
        assert_ne!(*a, *b);
        assert_eq!(*ks.load_secret("k").unwrap().unwrap(), *b);
    }
}
