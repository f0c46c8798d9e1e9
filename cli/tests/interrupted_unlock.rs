//! Issue 13, item 6: an app killed during unlock ten times in a row (a crash
//! loop, the OS reclaiming memory, a flat battery) must still open with the
//! right PIN. Reproduced with the command-line device: each `show status` is
//! SIGKILLed while its PIN is being checked (seen in the vault's plain
//! counter), then the right PIN opens the vault with every contact in it.

mod common;

use common::{failure, Device, PIN};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// When the unlock marked in flight in the vault file started, if one is.
fn unlock_started_at(d: &Device) -> Option<i64> {
    let conn = rusqlite::Connection::open_with_flags(
        d.vault_path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .ok()?;
    conn.query_row("SELECT unlock_started_at FROM vault_info", [], |r| r.get(0))
        .unwrap_or(None)
}

/// Starts `show status` with the right PIN and kills it (SIGKILL) while the
/// PIN is being checked. Returns the wait the device asked for instead, if
/// it refused to try yet.
fn kill_during_unlock(d: &Device) -> Option<u64> {
    let before = unlock_started_at(d);
    let mut child = Command::new(env!("CARGO_BIN_EXE_nightround"))
        .arg("--vault-dir")
        .arg(&d.dir)
        .args(["show", "status"])
        .env("NIGHTROUND_PIN", PIN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        // This process's own attempt: a mark that was not there before.
        let now = unlock_started_at(d);
        if now.is_some() && now != before {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            let (code, err) = failure(&out);
            assert_eq!(code, 6, "{err}");
            let secs: u64 = err
                .split_whitespace()
                .find_map(|w| w.parse().ok())
                .unwrap_or_else(|| panic!("no wait in {err:?}"));
            assert!(err.contains("interrupted"), "{err}");
            return Some(secs);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the unlock never started");
}

#[test]
fn ten_kills_during_unlock_then_the_right_pin_opens_the_vault() {
    let d = Device::new();
    d.init();
    for alias in ["Jade", "Amber", "Ruby", "Kerry", "Dee"] {
        d.json(&["add-person", "--alias", alias]);
        d.json(&["contact", "--area", "york_road", "--person", alias]);
    }
    let mut kills = 0;
    let mut waited = Duration::ZERO;
    while kills < 10 {
        match kill_during_unlock(&d) {
            None => kills += 1,
            Some(secs) => {
                // Unverified attempts cost time, growing; never the vault.
                assert!(secs <= 16, "waited {secs} s after {kills} kills");
                waited += Duration::from_secs(secs);
                std::thread::sleep(Duration::from_secs(secs));
            }
        }
        assert!(d.vault_path().exists(), "erased after {kills} kills");
    }
    // The right PIN opens it (after the wait the tenth kill costs).
    let opened = loop {
        let out = d.run(&["--json", "show", "tonight"]);
        if out.status.success() {
            break out;
        }
        let (code, err) = failure(&out);
        assert_eq!(code, 6, "{err}");
        let secs: u64 = err.split_whitespace().find_map(|w| w.parse().ok()).unwrap();
        waited += Duration::from_secs(secs);
        std::thread::sleep(Duration::from_secs(secs));
    };
    let tonight: serde_json::Value = serde_json::from_slice(&opened.stdout).unwrap();
    assert_eq!(tonight["summary"]["contacts"], 5);
    assert!(
        waited > Duration::ZERO,
        "interrupted unlocks cost no time at all"
    );
    // And the counters are clear again: no wait, no wrong PINs.
    let status = d.run(&["show", "status"]);
    assert!(status.status.success());
    assert_eq!(unlock_started_at(&d), None);
}

#[test]
fn wrong_pins_still_erase_and_interrupted_ones_do_not_add_to_them() {
    let d = Device::new();
    d.init();
    for _ in 0..3 {
        assert_eq!(kill_during_unlock(&d), None);
    }
    // Three kills, then nine wrong PINs: 1 left, as with no kills at all.
    for left in (1..10).rev() {
        let (code, err) = failure(&d.run_with_pin("111111", &["show", "alerts"]));
        assert_eq!(code, 6);
        assert!(err.contains(&format!("{left} attempts left")), "{err}");
    }
    let (code, _) = failure(&d.run_with_pin("111111", &["show", "alerts"]));
    assert_eq!(code, 7);
    assert!(!d.vault_path().exists());
}
