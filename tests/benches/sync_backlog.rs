//! Pushing and pulling a 10,000-record backlog over loopback with TLS: the
//! time each way, and the bytes on the wire against the useful bytes (the
//! records' JSON). Run by hand:
//!
//! ```sh
//! cargo bench -p nightround-e2e --bench sync_backlog
//! cargo bench -p nightround-e2e --bench sync_backlog -- 2000   # a smaller backlog
//! ```

use nightround_core::clock::SystemClock;
use nightround_core::domain::*;
use nightround_e2e::fault_proxy::{FaultProxy, Schedule};
use nightround_e2e::harness::{quick_sync, Device, TestServer};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let server = TestServer::start(true);
    // A pass-through proxy counts what the network carries (TLS included).
    let proxy = FaultProxy::start(server.addr(), Schedule::new(0, 0.0)).expect("a proxy");
    let url = server.url_via(proxy.addr());
    let a = Device::enrol(
        &server,
        &url,
        "Sam",
        Role::OutreachWorker,
        None,
        Arc::new(SystemClock),
    );
    let b = Device::enrol(
        &server,
        &url,
        "Priya",
        Role::OutreachWorker,
        None,
        Arc::new(SystemClock),
    );

    let people: Vec<Person> = (0..300)
        .map(|i| {
            a.vault
                .add_person(PersonDraft {
                    alias: format!("Alias {i}"),
                    ..Default::default()
                })
                .expect("a person")
        })
        .collect();
    let mut useful = 0usize;
    for p in &people {
        useful += serde_json::to_vec(p).map(|v| v.len()).unwrap_or(0);
    }
    let made = Instant::now();
    for i in 0..n.saturating_sub(people.len()) {
        let c = a
            .vault
            .record_contact(ContactDraft {
                person_id: (i % 3 != 0).then(|| people[i % people.len()].id),
                at: None,
                area_id: if i % 2 == 0 {
                    "york_road"
                } else {
                    "ambleside_drive"
                }
                .into(),
                kind: ContactKind::OutreachConversation,
                wellbeing: if i % 5 == 0 {
                    vec![WellbeingFlag::Distressed]
                } else {
                    vec![]
                },
                note: (i % 4 == 0).then(|| "Talked about the drop-in on Thursday".into()),
                supplies: vec![SupplyLine {
                    item_id: "condoms".into(),
                    quantity: 5,
                }],
                safeguarding_acknowledged: false,
            })
            .expect("a contact");
        useful += serde_json::to_vec(&c).map(|v| v.len()).unwrap_or(0);
    }
    let recorded_in = made.elapsed();
    let pending = a.vault.sync_status().expect("status").pending;

    let (up0, down0) = proxy.bytes();
    let t = Instant::now();
    let pushed = a.vault.sync(&quick_sync()).expect("push");
    let push_time = t.elapsed();
    let (up1, down1) = proxy.bytes();

    let t = Instant::now();
    let pulled = b.vault.sync(&quick_sync()).expect("pull");
    let pull_time = t.elapsed();
    let (up2, down2) = proxy.bytes();

    let push_wire = (up1 - up0) + (down1 - down0);
    let pull_wire = (up2 - up1) + (down2 - down1);
    println!(
        "backlog: {pending} records ({} useful KiB of record JSON), recorded in {:.1} s",
        useful / 1024,
        recorded_in.as_secs_f64()
    );
    println!("BENCH sync_push records={} ms={:.0} per_record_us={:.0} wire_kib={} wire_over_useful={:.2}",
        pushed.pushed, push_time.as_secs_f64() * 1e3, push_time.as_secs_f64() * 1e6 / pending as f64,
        push_wire / 1024, push_wire as f64 / useful as f64);
    println!("BENCH sync_pull records={} ms={:.0} per_record_us={:.0} wire_kib={} wire_over_useful={:.2}",
        pulled.pulled, pull_time.as_secs_f64() * 1e3, pull_time.as_secs_f64() * 1e6 / pending as f64,
        pull_wire / 1024, pull_wire as f64 / useful as f64);
    println!(
        "(TLS 1.3 over loopback through a counting proxy; {} connections)",
        proxy.connections()
    );
    assert_eq!(pushed.pushed, pending);
    assert_eq!(b.vault.sync_status().expect("status").pending, 0);
}
