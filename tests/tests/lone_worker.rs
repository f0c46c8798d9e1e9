//! Lone-worker safety end to end over loopback (ADR 0004): real vaults, a
//! real server with its watchdog, the live channel.
//!
//! - Device A starts a round with B as her buddy and stops checking in; B,
//!   waiting on the live channel, has the alert in its vault within seconds
//!   of the escalation (measured and printed; the goal is under 5 s).
//! - A help call goes out before a backlog of 1,000 ordinary records.

use nightround_core::clock::{Clock, ManualClock, SystemClock};
use nightround_core::domain::*;
use nightround_core::vault::SafetyAlertKind;
use nightround_e2e::harness::{quick_sync, Device, TestServer};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn the_buddy_hears_a_missed_check_in_within_seconds() {
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let server = TestServer::start_with_clock(true, Some(clock.clone()));
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let jo = Device::new(&server, "Jo", Role::OutreachWorker, None);
    jo.vault.sync(&quick_sync()).expect("Jo syncs");
    sam.vault
        .sync(&quick_sync())
        .expect("Sam syncs and learns the team");

    let screen = sam.vault.round_screen().unwrap();
    assert!(screen.open.is_none());
    let buddy = screen
        .buddies
        .iter()
        .find(|m| m.worker_id == jo.worker_id)
        .cloned()
        .expect("Jo is offered as a buddy");
    assert!(screen.buddies.iter().all(|m| m.worker_id != sam.worker_id));
    let round = sam
        .vault
        .start_round(RoundDraft {
            expected_end: SystemClock.now() + chrono::Duration::hours(3),
            check_in_minutes: Some(30),
            buddy: Some(buddy),
            area_id: Some("york_road".into()),
        })
        .unwrap();
    sam.vault
        .sync(&quick_sync())
        .expect("the round reaches the server");
    jo.vault.sync(&quick_sync()).expect("Jo is up to date");
    assert!(jo.vault.safety_alerts().unwrap().is_empty());

    // Jo's phone waits on the live channel, as the app's service does.
    let (tx, rx) = std::sync::mpsc::channel();
    let listener = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let heard = jo.vault.listen(&quick_sync(), Duration::from_secs(20));
            let alerts = jo.vault.safety_alerts().unwrap();
            if let Some(a) = alerts.into_iter().next() {
                tx.send((Instant::now(), a, heard)).unwrap();
                return jo;
            }
        }
        panic!("Jo never heard");
    });
    std::thread::sleep(Duration::from_millis(500));

    // Sam goes quiet: 41 minutes pass on the server's clock.
    let escalated = Instant::now();
    clock.advance(chrono::Duration::minutes(41));
    let (received, alert, heard) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the buddy's phone receives the alert");
    let latency = received.duration_since(escalated);
    println!(
        "missed check-in: escalation to the buddy's vault in {:.0} ms (goal < 5000 ms; includes up to 100 ms of watchdog tick)",
        latency.as_secs_f64() * 1000.0
    );
    assert!(latency < Duration::from_secs(5), "{latency:?}");
    let heard = heard.expect("the live channel answered");
    assert!(heard.heard >= 1 && heard.sync.is_some(), "{heard:?}");
    assert_eq!(alert.kind, SafetyAlertKind::MissedCheckIn);
    assert_eq!(alert.record_id, round.id);
    assert_eq!(alert.worker_name, "Sam");
    assert!(alert.to_me_as_buddy);
    assert_eq!(alert.area_name.as_deref(), Some("York Road"));
    let jo = listener.join().unwrap();

    // Sam's phone hears that its own round was raised, and her check-in
    // (made now) brings her back: Jo sees "heard from again".
    sam.vault.sync(&quick_sync()).unwrap();
    assert!(
        sam.vault
            .round_screen()
            .unwrap()
            .open
            .unwrap()
            .raised_as_missed
    );
    sam.vault.check_in(round.id).unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    jo.vault.sync(&quick_sync()).unwrap();
    let alerts = jo.vault.safety_alerts().unwrap();
    assert_eq!(
        alerts[0].kind,
        SafetyAlertKind::HeardFromAgain,
        "{alerts:?}"
    );
    sam.vault.end_round(round.id).unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    jo.vault.sync(&quick_sync()).unwrap();
    assert!(
        jo.vault.safety_alerts().unwrap().is_empty(),
        "a resolved round leaves the alerts screen"
    );
    assert!(sam.vault.round_screen().unwrap().open.is_none());
}

#[test]
fn a_help_call_goes_out_before_a_backlog_of_a_thousand_records() {
    let server = TestServer::start(false);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    // A night with no signal: a thousand contacts wait in the outbox...
    for _ in 0..1000 {
        sam.vault
            .record_contact(ContactDraft {
                person_id: None,
                at: None,
                area_id: "ambleside_drive".into(),
                kind: ContactKind::OutreachConversation,
                wellbeing: Vec::new(),
                note: None,
                supplies: vec![SupplyLine {
                    item_id: "condoms".into(),
                    quantity: 3,
                }],
                safeguarding_acknowledged: false,
            })
            .unwrap();
    }
    // ...when she presses "Need help now".
    let help = sam.vault.call_for_help().unwrap();
    assert_eq!(help.kind, CheckInKind::NeedHelp);
    assert_eq!(help.area_id.as_deref(), Some("ambleside_drive"));
    let report = sam.vault.sync(&quick_sync()).unwrap();
    assert_eq!(report.pushed, 1001);

    // The server numbers what it stores in arrival order: the help call came
    // in the first push, ahead of every contact.
    let help_seq: i64 = server.sql(&format!("SELECT seq FROM records WHERE id = '{}'", help.id))[0]
        [0]
    .parse()
    .unwrap();
    let counted = &server.sql("SELECT MIN(seq), COUNT(*) FROM records WHERE kind = 'contact'")[0];
    let (first_contact, contacts): (i64, i64) =
        (counted[0].parse().unwrap(), counted[1].parse().unwrap());
    assert_eq!(contacts, 1000);
    assert!(
        help_seq < first_contact,
        "help {help_seq} before contacts from {first_contact}"
    );
    println!("help call stored at seq {help_seq}; the backlog's contacts from seq {first_contact}");
}

#[test]
fn a_check_in_from_the_notification_while_locked_keeps_the_round_quiet() {
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let server = TestServer::start_with_clock(false, Some(clock.clone()));
    let sam = Device::enrol(
        &server,
        &server.url(),
        "Sam",
        Role::OutreachWorker,
        None,
        clock.clone(),
    );
    let round = sam
        .vault
        .start_round(RoundDraft {
            expected_end: clock.now() + chrono::Duration::hours(3),
            check_in_minutes: Some(30),
            buddy: None,
            area_id: Some("york_road".into()),
        })
        .unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    // The app goes to the background and locks; 25 minutes later, with no
    // signal, she taps "Check in" on the reminder.
    sam.vault.lock();
    clock.advance(chrono::Duration::minutes(25));
    let locked = sam.vault.check_in_while_locked(round.id, 30).unwrap();
    let made = &locked.check_in;
    assert_eq!(made.made_at, clock.now());
    // Nothing readable was written: the vault is still locked.
    assert!(sam.vault.is_locked());
    // Unlocked before any signal, her round screen already counts it.
    sam.vault.unlock(nightround_e2e::harness::PIN).unwrap();
    let v = sam.vault.round_screen().unwrap().open.unwrap();
    assert_eq!((v.check_ins, v.unsent_check_ins), (1, 1));
    assert_eq!(
        v.last_check_in_at.map(|t| t.timestamp_millis()),
        Some(made.made_at.timestamp_millis()),
        "counted by its time, to the millisecond kept in plain"
    );
    // The next reminder the locked check-in gave the shell is the one the
    // round screen gives, by the same rule.
    assert_eq!(
        v.remind_at.timestamp_millis(),
        locked.remind_at.timestamp_millis()
    );
    assert_eq!(
        locked.next_check_in_due,
        made.made_at + chrono::Duration::minutes(30)
    );
    sam.vault.lock();

    // Signal returns at 35 minutes: the background sync delivers it, locked.
    clock.advance(chrono::Duration::minutes(10));
    let report = sam.vault.sync(&quick_sync()).unwrap();
    assert_eq!((report.pushed, report.pending), (1, 0));
    // 41 minutes after the start the round would have been raised; her
    // check-in at 25 keeps it quiet until 25 + 30 + 10.
    clock.advance(chrono::Duration::minutes(6));
    assert_eq!(server.watchdog_step(), 0);
    clock.advance(chrono::Duration::minutes(25));
    assert_eq!(server.watchdog_step(), 1);

    // Back from the server, the check-in is an ordinary record on her phone.
    sam.vault.unlock(nightround_e2e::harness::PIN).unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    let v = sam.vault.round_screen().unwrap().open.unwrap();
    assert_eq!((v.check_ins, v.unsent_check_ins), (1, 0));
    assert_eq!(v.last_check_in_at, Some(made.made_at));
    assert_eq!(v.remind_at, locked.remind_at);
    assert!(v.raised_as_missed);
}

#[test]
fn a_locked_phone_hears_a_help_call_once_and_reads_it_after_unlocking() {
    let server = TestServer::start(true);
    let sam = Device::new(&server, "Sam", Role::OutreachWorker, None);
    let jo = Device::new(&server, "Jo", Role::OutreachWorker, None);
    jo.vault.sync(&quick_sync()).unwrap();
    // Jo's phone is in her pocket: the app is in the background, locked.
    jo.vault.lock();
    let listener = std::thread::spawn(move || {
        let heard = jo
            .vault
            .listen(&quick_sync(), Duration::from_secs(20))
            .expect("a locked phone can listen");
        (jo, heard, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(300));
    let tapped = Instant::now();
    sam.vault.call_for_help().unwrap();
    sam.vault.sync(&quick_sync()).unwrap();
    let (jo, heard, at) = listener.join().unwrap();
    println!(
        "help call heard by a locked phone {:.0} ms after the tap",
        at.duration_since(tapped).as_secs_f64() * 1000.0
    );
    assert_eq!(heard.heard, 1);
    assert!(heard.while_locked && heard.sync.is_none(), "{heard:?}");
    assert!(jo.vault.is_locked(), "listening opened nothing");
    // The same alert does not ring twice.
    let again = jo
        .vault
        .listen(&quick_sync(), Duration::from_secs(1))
        .unwrap();
    assert_eq!(again.heard, 0);
    // She unlocks and the app syncs: the help call is on her alerts screen.
    jo.vault.unlock(nightround_e2e::harness::PIN).unwrap();
    jo.vault.sync(&quick_sync()).unwrap();
    let alerts = jo.vault.safety_alerts().unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, SafetyAlertKind::HelpCall);
    assert_eq!(alerts[0].area_name, None, "no contact yet, so no area");
}
