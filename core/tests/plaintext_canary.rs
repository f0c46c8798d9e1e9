//! A canary string written into every free-text field must never reach the
//! disk, a log line or an error message — also when the app is killed in the
//! middle of a write.

mod common;
use common::*;
use nightround_core::domain::*;
use std::io::Write;
use std::sync::{Arc, Mutex};

const CANARY: &str = "QX7-canary-Jadeite-Z9";

/// Collects every log line the core emits, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_everything(f: &Fixture) -> Vec<String> {
    let mut errors = Vec::new();
    let person = f
        .vault
        .add_person(PersonDraft {
            alias: CANARY.into(),
            description: Some(format!("{CANARY} description")),
            key_worker: Some(CANARY.into()),
            ..Default::default()
        })
        .unwrap();
    f.vault
        .update_person(
            person.id,
            PersonDraft {
                alias: format!("{CANARY}2"),
                ..Default::default()
            },
        )
        .unwrap();
    f.contact(Some(&person), CANARY);
    f.vault
        .raise_concern(ConcernDraft {
            category: ConcernCategory::Threats,
            description: CANARY.into(),
            vehicle: Some(Vehicle {
                make: Some(CANARY[..10].into()),
                colour: None,
                partial_registration: None,
            }),
            area_id: "york_road".into(),
            at: None,
            severity: Severity::High,
            alert_until: Some(evening() + chrono::Duration::days(3)),
            police_consent: false,
            reported_by: Some(person.id),
        })
        .unwrap();
    f.vault
        .submit_referral_form(ReferralForm {
            person_id: person.id,
            agency_ids: vec!["stars".into()],
            urgency: Urgency::Red,
            needs: CANARY.into(),
            consent_method: ConsentMethod::Verbal,
            consent_covers: vec![InfoCategory::Health],
            consent_review_at: None,
        })
        .unwrap();
    // Refused input: the error must not echo it.
    for bad in [
        f.vault
            .add_person(PersonDraft {
                alias: CANARY.repeat(10),
                ..Default::default()
            })
            .err(),
        f.vault
            .record_contact(ContactDraft {
                person_id: None,
                at: None,
                area_id: CANARY.into(),
                kind: ContactKind::OutreachConversation,
                wellbeing: vec![],
                note: Some(CANARY.repeat(50)),
                supplies: vec![],
                safeguarding_acknowledged: false,
            })
            .err(),
    ] {
        let e = bad.expect("refused");
        errors.push(format!("{e} {e:?}"));
    }
    let contact = f.contact(None, CANARY);
    f.vault
        .delete_record(RecordKind::Contact, contact.id)
        .unwrap();
    errors
}

#[test]
fn canary_never_reaches_disk_logs_or_errors() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let f = Fixture::new();
    let errors = tracing::subscriber::with_default(subscriber, || {
        let errors = write_everything(&f);
        f.vault.lock();
        let _ = f.vault.unlock("000000");
        f.vault.unlock(PIN).unwrap();
        // The canary is really there, behind the key.
        assert!(f.vault.find_people("QX7").unwrap()[0]
            .alias
            .contains(CANARY));
        errors
    });
    for (name, bytes) in f.raw_files() {
        assert!(!contains(&bytes, CANARY.as_bytes()), "canary in {name}");
        assert!(
            !contains(&bytes, b"Jadeite"),
            "part of the canary in {name}"
        );
    }
    let logs = captured.0.lock().unwrap().clone();
    assert!(!logs.is_empty(), "the core did log");
    assert!(!contains(&logs, b"Jadeite"), "canary in logs");
    for e in errors {
        assert!(!e.contains("Jadeite"), "canary in error: {e}");
    }
}

/// Run only by `killed_mid_write_leaves_no_plaintext`, in a child process.
#[test]
#[ignore = "child process of killed_mid_write_leaves_no_plaintext"]
fn child_writer() {
    let Ok(dir) = std::env::var("NIGHTROUND_CANARY_CHILD_DIR") else {
        return;
    };
    let path = std::path::Path::new(&dir).join("vault.db");
    let keystore = Arc::new(nightround_core::keystore::MemoryKeyStore::new());
    let clock = Arc::new(nightround_core::clock::SystemClock);
    let vault = nightround_core::Vault::create(
        &path,
        keystore,
        clock,
        PIN,
        outreach_worker(),
        Directory::southend_defaults(),
    )
    .unwrap();
    let person = vault
        .add_person(PersonDraft {
            alias: CANARY.into(),
            ..Default::default()
        })
        .unwrap();
    println!("ready");
    std::io::stdout().flush().unwrap();
    loop {
        vault
            .record_contact(ContactDraft {
                person_id: Some(person.id),
                at: None,
                area_id: "york_road".into(),
                kind: ContactKind::OutreachConversation,
                wellbeing: vec![WellbeingFlag::Distressed],
                note: Some(format!("{CANARY} {}", "n".repeat(300))),
                supplies: vec![SupplyLine {
                    item_id: "condoms".into(),
                    quantity: 5,
                }],
                safeguarding_acknowledged: false,
            })
            .unwrap();
    }
}

#[test]
fn killed_mid_write_leaves_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_writer", "--nocapture"])
        .env("NIGHTROUND_CANARY_CHILD_DIR", dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !contains(&seen, b"ready") {
        let n = std::io::Read::read(&mut out, &mut buf).unwrap();
        assert!(n > 0, "child ended before it was ready");
        seen.extend_from_slice(&buf[..n]);
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    child.kill().unwrap(); // SIGKILL: no destructors, no checkpoint
    child.wait().unwrap();
    let path = dir.path().join("vault.db");
    let mut scanned = 0;
    for file in nightround_core::vault::vault_files(&path) {
        if let Ok(bytes) = std::fs::read(&file) {
            scanned += bytes.len();
            assert!(
                !contains(&bytes, b"Jadeite"),
                "canary in {}",
                file.display()
            );
        }
    }
    let wal = std::fs::metadata(nightround_core::vault::vault_files(&path)[1].clone());
    assert!(
        wal.map(|m| m.len() > 0).unwrap_or(false),
        "the kill left a WAL behind"
    );
    assert!(
        scanned > 10_000,
        "the child wrote records before it was killed"
    );
    // The records written before the kill are all there.
    let ks = Arc::new(nightround_core::keystore::MemoryKeyStore::new());
    let reopened =
        nightround_core::Vault::open(&path, ks, Arc::new(nightround_core::clock::SystemClock));
    assert!(reopened.is_ok(), "the file opens after a kill");
}
