//! The data directory is the server's alone: the database (Argon2 hashes,
//! record metadata), its `-wal` and `-shm`, the record key, the certificate
//! and its key. Every directory in it is 0700 and every file 0600, checked
//! at every start and by every admin command ([`enforce`]): what is looser
//! is tightened and logged; what cannot be tightened (a file of another
//! user, say) stops the start. New files are made private from the first
//! byte (the database is created 0600 before SQLite opens it, and SQLite
//! gives the WAL and shared memory the database's mode).

use crate::error::{Result, ServerError};
use std::path::{Path, PathBuf};

/// One mode tightened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub path: PathBuf,
    pub was: u32,
    pub now: u32,
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {:o} -> {:o}",
            self.path.display(),
            self.was,
            self.now
        )
    }
}

/// Makes `root` and everything under it private (directories 0700, files
/// 0600), logging and returning what it changed. Symbolic links are left
/// alone (and said so): their targets are not the data directory's.
#[cfg(unix)]
pub fn enforce(root: &Path) -> Result<Vec<Repair>> {
    use std::os::unix::fs::PermissionsExt;
    let mut repaired = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|e| ServerError::io("checking the data directory", &path, e))?;
        if meta.file_type().is_symlink() {
            tracing::warn!(path = %path.display(), "a symbolic link in the data directory was left alone");
            continue;
        }
        let want = if meta.is_dir() { 0o700 } else { 0o600 };
        let was = meta.permissions().mode() & 0o7777;
        if was != want {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(want)).map_err(
                |e| {
                    ServerError::io(
                        "making the data directory private (fix its owner or mode and start again)",
                        &path,
                        e,
                    )
                },
            )?;
            tracing::warn!(path = %path.display(), was = format!("{was:o}"),
                now = format!("{want:o}"), "tightened a data directory mode");
            repaired.push(Repair {
                path: path.clone(),
                was,
                now: want,
            });
        }
        if meta.is_dir() {
            let entries = std::fs::read_dir(&path)
                .map_err(|e| ServerError::io("reading the data directory", &path, e))?;
            for entry in entries {
                let entry =
                    entry.map_err(|e| ServerError::io("reading the data directory", &path, e))?;
                stack.push(entry.path());
            }
        }
    }
    Ok(repaired)
}

/// No Unix modes to check elsewhere.
#[cfg(not(unix))]
pub fn enforce(_root: &Path) -> Result<Vec<Repair>> {
    Ok(Vec::new())
}

/// Creates an empty file with mode 0600 unless it exists (SQLite takes an
/// empty file as a new database and keeps its mode).
pub fn create_private_file(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(ServerError::io("creating the database file", path, e)),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn loose_modes_are_tightened_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("d");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub").join("f"), "x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        std::fs::set_permissions(root.join("sub/f"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let r = enforce(&root).unwrap();
        assert!(r
            .iter()
            .any(|r| r.path.ends_with("sub/f") && r.was == 0o644));
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&root.join("sub")), 0o700);
        assert_eq!(mode(&root.join("sub/f")), 0o600);
        assert!(enforce(&root).unwrap().is_empty(), "nothing more to do");
        create_private_file(&root.join("db")).unwrap();
        assert_eq!(mode(&root.join("db")), 0o600);
    }
}
