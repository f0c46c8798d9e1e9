//! Failures through the real binary: each a plain sentence on stderr, its own
//! exit code, and nothing a record holds.

mod common;

use common::{failure, Device, PIN};

#[test]
fn wrong_pin_is_refused_clearly_and_counted() {
    let d = Device::new();
    d.init();
    let (code, err) = failure(&d.run_with_pin("111111", &["show", "tonight"]));
    assert_eq!(code, 6);
    assert!(err.contains("wrong PIN"), "{err}");
    assert!(err.contains("9 attempts left"), "{err}");
    assert_eq!(err.lines().count(), 1, "one plain line: {err}");

    // A malformed PIN is refused without spending an attempt.
    let (code, err) = failure(&d.run_with_pin("12ab", &["show", "tonight"]));
    assert_eq!(code, 6);
    assert!(err.contains("digits"), "{err}");
    let (_, err) = failure(&d.run_with_pin("222222", &["show", "tonight"]));
    assert!(err.contains("8 attempts left"), "{err}");

    // The right PIN, here from standard input, opens it and resets the count.
    let out = d.run_with_stdin(&format!("{PIN}\n"), &["--json", "show", "alerts"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, err) = failure(&d.run_with_pin("111111", &["show", "tonight"]));
    assert!(err.contains("9 attempts left"), "{err}");

    // No PIN at all.
    let (code, err) = failure(&d.run_with_stdin("", &["show", "tonight"]));
    assert_eq!(code, 6);
    assert!(err.contains("NIGHTROUND_PIN"), "{err}");
}

#[test]
fn setup_errors() {
    let d = Device::new();
    let (code, err) = failure(&d.run(&["show", "tonight"]));
    assert_eq!(code, 10);
    assert!(err.contains("no vault"), "{err}");
    assert!(!d.dir.exists(), "nothing is created by a failed command");

    // Too short a PIN for a new vault: nothing is made.
    let (code, _) = failure(&d.run_with_pin(
        "123",
        &[
            "init",
            "--name",
            "Sam",
            "--role",
            "supervisor",
            "--org",
            "Aspirations",
        ],
    ));
    assert_eq!(code, 6);
    assert!(!d.vault_path().exists());

    d.init();
    let (code, err) = failure(&d.run(&[
        "init",
        "--name",
        "Sam",
        "--role",
        "supervisor",
        "--org",
        "Aspirations",
    ]));
    assert_eq!(code, 10);
    assert!(err.contains("already a vault"), "{err}");

    let (code, err) = failure(&d.run(&["sync"]));
    assert_eq!(code, 10);
    assert!(err.contains("not enrolled"), "{err}");
}

#[test]
fn enrolment_against_an_unreachable_server_is_offline_and_makes_nothing() {
    let d = Device::new();
    // Port 9 on loopback: nothing listens, the connection is refused at once.
    let (code, err) = failure(&d.run(&[
        "enrol",
        "--server",
        "http://127.0.0.1:9",
        "--code",
        "ABCD-EFGH",
    ]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cannot reach the server"), "{err}");
    assert!(!d.vault_path().exists());
    assert!(!err.contains("ABCD-EFGH"), "the code is not echoed");
}

#[test]
fn refused_input_names_the_rule_not_the_record() {
    let d = Device::new();
    d.init();
    d.run(&[
        "add-person",
        "--alias",
        "Jade",
        "--description",
        "red coat, scar on left hand",
    ]);
    d.run(&[
        "add-person",
        "--alias",
        "jade",
        "--description",
        "tall, green bag",
    ]);

    let (code, err) = failure(&d.run(&["show", "person", "Jade"]));
    assert_eq!(code, 9);
    assert!(err.contains("2 people"), "{err}");
    for detail in ["red coat", "green bag"] {
        assert!(!err.contains(detail), "{err}");
    }

    let (code, err) = failure(&d.run(&["contact", "--person", "Nobody", "--area", "seafront"]));
    assert_eq!(code, 9);
    assert!(err.contains("no one on this device"), "{err}");

    let (code, err) = failure(&d.run(&["contact", "--area", "mars"]));
    assert_eq!(code, 9);
    assert!(err.contains("york_road"), "lists the areas: {err}");

    let (code, err) =
        failure(&d.run(&["contact", "--area", "seafront", "--supply", "crack_pipe=1"]));
    assert_eq!(code, 9);
    assert!(err.contains("condoms"), "lists the catalogue: {err}");

    // The core's own rules: a note too long is named by field and bound only.
    let long = "private words ".repeat(50);
    let (code, err) = failure(&d.run(&["contact", "--area", "seafront", "--note", &long]));
    assert_eq!(code, 9);
    assert!(err.contains("note is longer than 500"), "{err}");
    assert!(!err.contains("private words"), "{err}");

    let (code, err) = failure(&d.run(&[
        "contact",
        "--area",
        "seafront",
        "--flag",
        "appears_under_18",
    ]));
    assert_eq!(code, 9);
    assert!(err.contains("--ack-safeguarding"), "{err}");

    let (code, _) = failure(&d.run(&[
        "contact",
        "--area",
        "seafront",
        "--kind",
        "police_welfare_check",
    ]));
    assert_eq!(code, 9);

    // Clap refuses an unknown choice before anything is opened.
    let (code, err) = failure(&d.run(&["contact", "--area", "seafront", "--flag", "drunk"]));
    assert_eq!(code, 2);
    assert!(err.contains("intoxicated"), "lists the choices: {err}");

    let (code, err) = failure(&d.run(&["referral-status", "--id", "nope", "--status", "sent"]));
    assert_eq!(code, 9);
    assert!(err.contains("not a record id"), "{err}");

    // Nothing refused was saved.
    let tonight = d.json(&["show", "tonight"]);
    assert_eq!(tonight["summary"]["contacts"], 0);
}

#[test]
fn ten_wrong_pins_erase_the_vault_and_its_key() {
    let d = Device::new();
    d.init();
    for left in (1..10).rev() {
        let (code, err) = failure(&d.run_with_pin("111111", &["show", "alerts"]));
        assert_eq!(code, 6);
        assert!(err.contains(&format!("{left} attempts left")), "{err}");
    }
    let (code, err) = failure(&d.run_with_pin("111111", &["show", "alerts"]));
    assert_eq!(code, 7, "{err}");
    assert!(err.contains("erased"), "{err}");
    assert!(!d.vault_path().exists());
    let keystore = d.dir.join("keystore");
    assert_eq!(std::fs::read_dir(keystore).unwrap().count(), 0);
    // Even the right PIN finds nothing now.
    let (code, _) = failure(&d.run(&["show", "alerts"]));
    assert_eq!(code, 10);
}
