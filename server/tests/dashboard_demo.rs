//! `nightround-server demo` as a library: a week of rounds from simulated
//! phones (real vaults, real sync over loopback) in well under a minute, with
//! no alias readable in the server's files.

use nightround_server::demo::{scenario, Demo, DemoOptions};
use std::time::Instant;

#[test]
fn the_demo_simulates_a_week_quickly_and_stores_no_alias_in_plaintext() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let opts = DemoOptions {
        data_dir: Some(dir.path().join("demo")),
        listen: "127.0.0.1:0".parse().unwrap(),
        listen_given: true,
        progress: false,
        ..DemoOptions::default()
    };
    let plan = scenario::Plan::new(chrono::Utc::now(), opts.days, opts.seed);
    let mut demo = Demo::start(&opts, plan.first_moment()).unwrap();
    let summary = scenario::simulate(&mut demo, &plan, false).unwrap();
    let took = started.elapsed();
    eprintln!("{summary:?} in {:.1}s", took.as_secs_f64());
    assert_eq!(summary.evenings, 7);
    assert!(summary.contacts >= 40, "{summary:?}");
    assert!(summary.women >= 15, "{summary:?}");
    assert!(summary.referrals >= 5, "{summary:?}");
    assert!(summary.alerts >= 2, "{summary:?}");
    assert!(
        took.as_secs() < 60,
        "the demo must finish in well under a minute"
    );
    assert_eq!(demo.credentials.len(), 2);
    assert!(demo.credentials.iter().all(|c| c.password.len() == 19));

    // Every phone synced everything.
    for p in &demo.phones {
        let status = p.vault.sync_status().unwrap();
        assert_eq!(status.pending, 0, "{}", p.name);
    }
    let aliases: Vec<String> = demo
        .phone("Sam")
        .unwrap()
        .vault
        .find_people("")
        .unwrap()
        .into_iter()
        .map(|p| p.alias)
        .collect();
    assert!(aliases.len() >= 15, "{aliases:?}");
    let data = demo.data_dir.clone();
    demo.shutdown().unwrap();

    // No alias in any file of the data directory (database, WAL, phones).
    let mut files = vec![data.clone()];
    let mut seen = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        seen += 1;
        for alias in &aliases {
            // As a JSON string, quotes included: a three-letter alias alone
            // turns up by chance in megabytes of ciphertext (it did: "Uma"),
            // while a leaked body would carry it quoted.
            let quoted = format!("\"{alias}\"");
            assert!(
                !bytes.windows(quoted.len()).any(|w| w == quoted.as_bytes()),
                "{alias} readable in {}",
                path.display()
            );
        }
    }
    assert!(
        seen >= 6,
        "the database and the phones' vaults were checked"
    );
}
