//! How fast a help call reaches the team: phones waiting on the live channel
//! against the same number of phones doing ordinary sync every few seconds
//! (the fallback), in one run, over TLS on loopback. Prints the time from the
//! tap to the help call being in each phone's vault. Run by hand:
//!
//! ```sh
//! cargo bench -p nightround-e2e --bench live_fanout            # 10 + 10 phones, poll every 15 s
//! cargo bench -p nightround-e2e --bench live_fanout -- 25 5    # 25 + 25 phones, poll every 5 s
//! ```
//!
//! The polling peer is generous: Android's periodic WorkManager sync cannot
//! run more often than every 15 minutes, and iOS background refresh is
//! rarer and unscheduled.

use nightround_core::domain::Role;
use nightround_e2e::harness::{quick_sync, Device, TestServer};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<28} n={:<3} min {:>7.0} ms   p50 {:>7.0} ms   max {:>7.0} ms",
        ms.len(),
        pick(0.0),
        pick(0.5),
        pick(1.0)
    );
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(10) as usize;
    let poll = Duration::from_secs(args.get(1).copied().unwrap_or(15));
    let server = TestServer::start(true);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let phones: Vec<(bool, Duration, Device)> = (0..2 * n)
        .map(|i| {
            let d = Device::new(&server, &format!("Worker {i}"), Role::OutreachWorker, None);
            d.vault.sync(&quick_sync()).expect("a first sync");
            // Pollers start spread over one interval, as real phones would be.
            let phase = poll.mul_f64((i / 2) as f64 / n as f64);
            (i % 2 == 0, phase, d)
        })
        .collect();

    let (tx, rx) = mpsc::channel::<(bool, Instant)>();
    let handles: Vec<_> = phones
        .into_iter()
        .map(|(live, phase, phone)| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                if !live {
                    std::thread::sleep(phase);
                }
                let deadline = Instant::now() + Duration::from_secs(120);
                while Instant::now() < deadline {
                    if live {
                        let _ = phone.vault.listen(&quick_sync(), Duration::from_secs(25));
                    } else {
                        let _ = phone.vault.sync(&quick_sync());
                    }
                    if !phone.vault.safety_alerts().unwrap_or_default().is_empty() {
                        let _ = tx.send((live, Instant::now()));
                        return;
                    }
                    if !live {
                        std::thread::sleep(poll);
                    }
                }
            })
        })
        .collect();
    drop(tx);
    // Let the listeners settle into their long-polls, and the pollers into
    // their phases.
    std::thread::sleep(Duration::from_millis(1500));

    let tapped = Instant::now();
    sam.vault.call_for_help().expect("a help call");
    sam.vault.sync(&quick_sync()).expect("sent");
    let sent = tapped.elapsed();

    let (mut live, mut polled) = (Vec::new(), Vec::new());
    for (is_live, at) in rx {
        let ms = at.duration_since(tapped).as_secs_f64() * 1000.0;
        if is_live {
            live.push(ms);
        } else {
            polled.push(ms);
        }
    }
    for h in handles {
        let _ = h.join();
    }
    println!("help call pushed in {:.0} ms", sent.as_secs_f64() * 1000.0);
    summary("live channel", live);
    summary(&format!("ordinary sync every {} s", poll.as_secs()), polled);
}
