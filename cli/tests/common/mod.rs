//! Runs the real `nightround` binary against a temporary vault directory.

#![allow(dead_code)]

use serde_json::Value;
pub mod server;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Nine digits that cannot turn up by chance in an id or a time.
pub const PIN: &str = "975318642";

/// One device: a temporary vault directory.
pub struct Device {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl Device {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("device");
        Self { _tmp: tmp, dir }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_nightround"));
        c.arg("--vault-dir").arg(&self.dir).args(args);
        c.stdin(Stdio::null());
        c
    }

    /// Runs with `pin` in NIGHTROUND_PIN.
    pub fn run_with_pin(&self, pin: &str, args: &[&str]) -> Output {
        let out = self
            .command(args)
            .env("NIGHTROUND_PIN", pin)
            .output()
            .unwrap();
        assert_pin_not_shown(&out);
        out
    }

    /// Runs with the right PIN.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_pin(PIN, args)
    }

    /// Runs with NIGHTROUND_PIN unset and `stdin` on standard input.
    pub fn run_with_stdin(&self, stdin: &str, args: &[&str]) -> Output {
        let mut child = self
            .command(args)
            .env_remove("NIGHTROUND_PIN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_pin_not_shown(&out);
        out
    }

    /// Runs with the right PIN, expects success, and parses the JSON output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Makes a local vault for an outreach worker.
    pub fn init(&self) {
        self.json(&[
            "init",
            "--name",
            "Sam",
            "--role",
            "outreach_worker",
            "--org",
            "Aspirations",
        ]);
    }

    pub fn vault_path(&self) -> PathBuf {
        self.dir.join("vault.db")
    }
}

fn assert_pin_not_shown(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        assert!(
            !String::from_utf8_lossy(stream).contains(PIN),
            "the PIN was printed"
        );
    }
}

/// Exit code, stderr.
pub fn failure(out: &Output) -> (i32, String) {
    assert!(!out.status.success(), "expected a failure");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether any of the vault's files contain `needle` as plain bytes.
pub fn on_disk(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        let p = e.unwrap().path();
        p.is_file()
            && std::fs::read(&p)
                .unwrap()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
    })
}
