//! The command-line device's file keystore: owner-only files, destroyed by
//! overwrite-then-remove.

use nightround_cli::file_keystore::FileKeyStore;
use nightround_core::keystore::KeyStore;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn secrets_are_owner_only_files_and_delete_removes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keystore");
    let ks = FileKeyStore::open(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);

    let secret = ks.create_secret("nightround.vault.test.00ff").unwrap();
    assert_eq!(secret.len(), 32);
    let file = dir.join("nightround.vault.test.00ff");
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read(&file).unwrap(), *secret);
    assert_eq!(
        *ks.load_secret("nightround.vault.test.00ff")
            .unwrap()
            .unwrap(),
        *secret
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    ks.delete_secret("nightround.vault.test.00ff").unwrap();
    assert!(!file.exists());
    assert!(ks
        .load_secret("nightround.vault.test.00ff")
        .unwrap()
        .is_none());
    // Deleting what is not there is not an error.
    ks.delete_secret("nightround.vault.test.00ff").unwrap();
}

#[test]
fn loose_or_damaged_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ks = FileKeyStore::open(tmp.path().join("ks")).unwrap();
    ks.create_secret("loose").unwrap();
    let file = ks.path_for("loose").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = ks.load_secret("loose").unwrap_err();
    assert!(e.0.contains("chmod 600"), "{e}");

    ks.create_secret("short").unwrap();
    let file = ks.path_for("short").unwrap();
    std::fs::write(&file, b"too short").unwrap();
    assert!(ks.load_secret("short").unwrap_err().0.contains("damaged"));
}

#[test]
fn a_loosened_directory_is_tightened_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ks");
    FileKeyStore::open(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    FileKeyStore::open(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn the_binary_keeps_its_secret_owner_only_next_to_the_vault() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("device");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nightround"))
        .args(["--vault-dir"])
        .arg(&dir)
        .args([
            "init",
            "--name",
            "Sam",
            "--role",
            "outreach_worker",
            "--org",
            "Asp",
        ])
        .env("NIGHTROUND_PIN", "246810")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("vault.db")), 0o600);
    let ks = dir.join("keystore");
    assert_eq!(mode(&ks), 0o700);
    let entries: Vec<_> = std::fs::read_dir(&ks)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(mode(&entries[0]), 0o600);
    assert_eq!(std::fs::metadata(&entries[0]).unwrap().len(), 32);
}
