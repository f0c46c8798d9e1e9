//! The binary: admin subcommands on a data directory, and `serve` printing
//! its address and certificate fingerprint.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nightround-server"))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn admin_commands_work_on_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, out, _) = run(&[
        "admin",
        "--data-dir",
        d,
        "add-org",
        "--name",
        "Essex Police",
    ]);
    assert!(ok);
    assert_eq!(out.trim(), "essex_police\tEssex Police");
    let (ok, worker, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "add-worker",
        "--org",
        "essex_police",
        "--name",
        "PC Reed",
        "--role",
        "police_officer",
    ]);
    assert!(ok, "{err}");
    let worker = worker.trim().to_owned();
    let (ok, code, _) = run(&["admin", "--data-dir", d, "enrol-code", "--worker", &worker]);
    assert!(ok);
    assert_eq!(code.trim().len(), 11);
    let (ok, out, _) = run(&["admin", "--data-dir", d, "workers"]);
    assert!(ok && out.contains("PC Reed") && out.contains("police officer"));
    let (ok, out, _) = run(&["admin", "--data-dir", d, "devices"]);
    assert!(ok && out.lines().count() == 1, "only the header: {out}");
    let (ok, _, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "add-worker",
        "--org",
        "essex_police",
        "--name",
        "Desk",
        "--role",
        "receiving_agency",
    ]);
    assert!(!ok && err.contains("agency"), "{err}");
    let (ok, _, _) = run(&[
        "admin",
        "--data-dir",
        d,
        "revoke-worker",
        "--worker",
        &worker,
    ]);
    assert!(ok);
    let (ok, _, err) = run(&["admin", "--data-dir", d, "enrol-code", "--worker", &worker]);
    assert!(!ok && err.contains("revoked"), "{err}");
    let (ok, _, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "revoke-device",
        "--device",
        "0190a1b2-0000-7000-8000-000000000000",
    ]);
    assert!(!ok && err.contains("no device"), "{err}");
}

/// The partnership's administrator is made on the server's own machine; only
/// a supervisor can be one, and a refusal writes nothing.
#[test]
fn a_partnership_administrator_is_made_by_the_admin_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, _) = run(&["admin", "--data-dir", d, "add-org", "--name", "Partnership"]);
    assert!(ok);
    let add = |name: &str, role: &str| {
        let (ok, id, err) = run(&[
            "admin",
            "--data-dir",
            d,
            "add-worker",
            "--org",
            "partnership",
            "--name",
            name,
            "--role",
            role,
        ]);
        assert!(ok, "{err}");
        id.trim().to_owned()
    };
    let ash = add("Ash", "supervisor");
    let sam = add("Sam", "outreach_worker");
    let (ok, _, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "dashboard-account",
        "--worker",
        &sam,
        "--username",
        "sam",
        "--partnership-admin",
    ]);
    assert!(!ok && err.contains("only a supervisor"), "{err}");
    // Nothing was written: an ordinary account can still be made.
    let (ok, _, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "dashboard-account",
        "--worker",
        &sam,
        "--username",
        "sam",
    ]);
    assert!(ok, "{err}");
    let (ok, password, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "dashboard-account",
        "--worker",
        &ash,
        "--username",
        "ash",
        "--partnership-admin",
    ]);
    assert!(ok && err.contains("partnership's administrator"), "{err}");
    assert_eq!(password.trim().len(), 19);
}

#[test]
fn serve_refuses_plain_http_off_loopback_and_prints_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = run(&[
        "serve",
        "--data-dir",
        d,
        "--listen",
        "0.0.0.0:0",
        "--plain-http",
    ]);
    assert!(!ok && err.contains("loopback"), "{err}");

    let mut child = bin()
        .args([
            "serve",
            "--data-dir",
            d,
            "--listen",
            "127.0.0.1:0",
            "--example-directory",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.starts_with("listening on https://127.0.0.1:"),
        "{first}"
    );
    assert!(
        second.starts_with("certificate SHA-256 fingerprint: "),
        "{second}"
    );
    assert!(dir.path().join("tls/server-cert.pem").exists());
    assert!(dir.path().join("keys/server-records.key").exists());
}

/// Issue 14's admin actions are wired: a link between profiles the store
/// does not hold, or of a profile to itself, is refused in words; a person
/// without links lists only the header. (Linking stored profiles is walked
/// in `tests/tests/shared_profiles.rs`.)
#[test]
fn profile_link_commands_refuse_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (a, b) = (
        uuid::Uuid::now_v7().to_string(),
        uuid::Uuid::now_v7().to_string(),
    );
    let (ok, _, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "link-profiles",
        "--a",
        &a,
        "--b",
        &b,
    ]);
    assert!(!ok);
    assert!(err.contains("no such person record"), "{err}");
    let (ok, _, err) = run(&[
        "admin",
        "--data-dir",
        d,
        "link-profiles",
        "--a",
        &a,
        "--b",
        &a,
    ]);
    assert!(!ok);
    assert!(err.contains("linked to itself"), "{err}");
    let (ok, _, err) = run(&["admin", "--data-dir", d, "unlink-profiles", "--link", &a]);
    assert!(!ok);
    assert!(err.contains("no such link"), "{err}");
    let (ok, out, err) = run(&["admin", "--data-dir", d, "profile-links", "--person", &a]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1, "only the header: {out}");
}
