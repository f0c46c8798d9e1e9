//! A phone killed in the middle of a sync — between a push and its
//! acknowledgement, or while applying a pulled page — loses nothing and
//! doubles nothing: the next sync finishes the job. The phone is a child
//! process (the same test binary) killed with SIGKILL at seeded moments.

use nightround_cli::file_keystore::FileKeyStore;
use nightround_core::clock::SystemClock;
use nightround_core::domain::*;
use nightround_core::sync::protocol::PullResponse;
use nightround_core::sync::{Backoff, SyncOptions};
use nightround_core::vault::LockPolicy;
use nightround_core::Vault;
use nightround_e2e::harness::{TestServer, PIN};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn open_phone(dir: &Path) -> Vault {
    let keystore = Arc::new(FileKeyStore::open(dir.join("keystore")).expect("a keystore"));
    let vault = Vault::open(dir.join("vault.db"), keystore, Arc::new(SystemClock))
        .expect("the vault opens");
    vault.unlock(PIN).expect("unlock");
    vault
        .set_lock_policy(LockPolicy {
            idle_timeout: chrono::Duration::days(365),
            ..LockPolicy::default()
        })
        .expect("lock policy kept");
    vault
}

/// Small batches, so that a kill often lands between a push and its ack.
fn small_batches() -> SyncOptions {
    SyncOptions {
        batch_size: 5,
        backoff: Backoff {
            base: Duration::from_millis(1),
            max: Duration::from_millis(5),
            attempts: 2,
        },
        ..SyncOptions::default()
    }
}

/// The phone, in a child process: sync until killed.
#[test]
#[ignore = "child process of killed_phones_resume_without_loss_or_duplicates"]
fn child_phone() {
    let Ok(dir) = std::env::var("NIGHTROUND_PHONE_DIR") else {
        return;
    };
    let vault = open_phone(Path::new(&dir));
    println!("ready");
    loop {
        let _ = vault.sync(&small_batches());
    }
}

fn record_some(vault: &Vault, n: usize, made: &mut BTreeSet<uuid::Uuid>) {
    for i in 0..n {
        let c = vault
            .record_contact(ContactDraft {
                person_id: None,
                at: None,
                area_id: "york_road".into(),
                kind: ContactKind::OutreachConversation,
                wellbeing: vec![],
                note: Some(format!("contact {i}")),
                supplies: vec![],
                safeguarding_acknowledged: false,
            })
            .expect("a contact");
        made.insert(c.id);
    }
}

#[test]
fn killed_phones_resume_without_loss_or_duplicates() {
    let server = TestServer::start(false);
    let phone_dir = tempfile::tempdir().expect("a dir");
    let worker = server
        .admin()
        .create_worker(&server.org, "Sam", Role::OutreachWorker, None)
        .expect("a worker");
    let code = server
        .admin()
        .create_enrolment_code(&worker.id)
        .expect("a code");
    let (enrolment, identity) =
        nightround_core::sync::enrol(&server.url(), None, &code.code, "Sam's phone")
            .expect("enrol");
    let keystore =
        Arc::new(FileKeyStore::open(phone_dir.path().join("keystore")).expect("a keystore"));
    let mut made = BTreeSet::new();
    {
        let vault = Vault::create(
            phone_dir.path().join("vault.db"),
            keystore,
            Arc::new(SystemClock),
            PIN,
            identity,
            Directory::southend_defaults(),
        )
        .expect("a vault");
        vault.set_enrolment(enrolment).expect("enrolment");
    }
    let mut rng = StdRng::seed_from_u64(7);
    let exe = std::env::current_exe().expect("the test binary");
    let mut kills = 0;
    let mut interrupted = 0;
    for round in 0..8 {
        {
            let vault = open_phone(phone_dir.path());
            record_some(&vault, 40, &mut made);
        }
        let mut child = std::process::Command::new(&exe)
            .args(["--ignored", "--exact", "child_phone", "--nocapture"])
            .env("NIGHTROUND_PHONE_DIR", phone_dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the child starts");
        let mut out = child.stdout.take().expect("stdout");
        let mut seen = Vec::new();
        let mut buf = [0u8; 64];
        while !seen.windows(5).any(|w| w == b"ready") {
            let n = std::io::Read::read(&mut out, &mut buf).expect("read");
            assert!(n > 0, "round {round}: the child ended before it was ready");
            seen.extend_from_slice(&buf[..n]);
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(5..120)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        kills += 1;
        let pending = open_phone(phone_dir.path())
            .sync_status()
            .expect("status")
            .pending;
        if pending > 0 {
            interrupted += 1;
        }
    }
    assert!(
        interrupted > 0,
        "no kill landed mid-sync; the test proved nothing"
    );
    // The phone comes back and finishes.
    let vault = open_phone(phone_dir.path());
    vault.sync(&small_batches()).expect("the last sync");
    let status = vault.sync_status().expect("status");
    assert_eq!((status.pending, status.quarantined), (0, 0));
    // The server holds each contact once.
    let sup = server
        .admin()
        .create_worker(&server.org, "Supervisor", Role::Supervisor, None)
        .expect("a supervisor");
    let code = server
        .admin()
        .create_enrolment_code(&sup.id)
        .expect("a code");
    let (sup_enrolment, _) =
        nightround_core::sync::enrol(&server.url(), None, &code.code, "dashboard").expect("enrol");
    let t = nightround_core::sync::transport::HttpTransport::new(
        &server.url(),
        None,
        Duration::from_secs(10),
    )
    .expect("a transport");
    let mut cursor = 0;
    let mut ids = Vec::new();
    loop {
        let page: PullResponse = t
            .pull(&sup_enrolment.token, cursor, 500, u32::MAX)
            .expect("pull");
        ids.extend(
            page.changes
                .iter()
                .filter(|c| c.change.kind == RecordKind::Contact)
                .map(|c| c.change.id),
        );
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    let unique: BTreeSet<_> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no contact twice");
    assert_eq!(unique, made, "every contact made, none other");
    println!(
        "{kills} kills, {interrupted} with changes still unacknowledged, {} contacts, all delivered once",
        made.len()
    );
}
