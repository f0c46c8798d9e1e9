//! The lone-worker watchdog on an injected clock (ADR 0004): a missed
//! check-in, a late end, a restart between the due time and the escalation,
//! a check-in that arrives late from an offline phone, acknowledgement, help
//! calls, the live channel, and the audit trail of every step.

mod common;

use chrono::Duration;
use common::*;
use nightround_core::domain::{MissedReason, RecordKind, Role, Round, WatchState};
use nightround_core::sync::protocol::{AckStatus, LiveResponse};
use nightround_server::store::safety::{EscalationKind, EscalationState};
use std::time::Instant;

fn mins(m: i64) -> Duration {
    Duration::minutes(m)
}

/// The round as `dev` pulls it, if it may see it.
async fn pulled_round(s: &TestServer, dev: &TestDevice, id: uuid::Uuid) -> Option<Round> {
    s.pull_all(dev)
        .await
        .into_iter()
        .rfind(|p| p.change.id == id && p.change.kind == RecordKind::Round)
        .and_then(|p| p.change.body)
        .map(|b| serde_json::from_value(b).unwrap())
}

async fn audit_actions(s: &TestServer, subject: uuid::Uuid) -> Vec<String> {
    s.sql(&format!(
        "SELECT action FROM audit_log WHERE subject = '{subject}' ORDER BY seq"
    ))
    .into_iter()
    .map(|r| r[0].clone())
    .filter(|a| a.starts_with("safety_"))
    .collect()
}

/// Sends a check-in (or help call) from `dev`'s phone, versioned by the time
/// it was made (as the phone's clock did).
async fn send_check_in(
    s: &TestServer,
    dev: &TestDevice,
    c: &nightround_core::domain::CheckIn,
) -> Vec<nightround_core::sync::protocol::Ack> {
    s.push(
        dev,
        vec![change(
            RecordKind::CheckIn,
            &dev.version_at(c.made_at),
            serde_json::to_value(c).unwrap(),
        )],
    )
    .await
}

struct Team {
    sam: TestDevice,
    jo: TestDevice,
    police: TestDevice,
    supervisor_org: String,
}

async fn team(s: &TestServer) -> Team {
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let jo = s
        .device("Aspirations", "Jo", Role::OutreachWorker, None)
        .await;
    let police = s
        .device("Essex Police", "PC Reid", Role::PoliceOfficer, None)
        .await;
    let supervisor_org = s.admin().find_organisation("Aspirations").unwrap().id;
    Team {
        sam,
        jo,
        police,
        supervisor_org,
    }
}

async fn start_round(s: &TestServer, t: &Team, minutes: u32, end_after: Duration) -> Round {
    let now = s.now();
    let r = round(
        &t.sam.identity,
        Some(&t.jo.identity),
        now,
        minutes,
        now + end_after,
    );
    s.push_ok(
        &t.sam,
        vec![change(
            RecordKind::Round,
            &t.sam.version_at(now),
            serde_json::to_value(&r).unwrap(),
        )],
    )
    .await;
    r
}

#[tokio::test]
async fn a_missed_check_in_is_raised_once_after_the_grace_period() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let r = start_round(&s, &t, 30, Duration::hours(3)).await;

    s.clock.advance(mins(39));
    assert!(s.server.watchdog_step().unwrap().is_empty(), "inside grace");
    // Before it is raised, the police officer (another organisation) sees
    // nothing of the round.
    assert!(pulled_round(&s, &t.police, r.id).await.is_none());

    s.clock.advance(mins(2));
    let raised = s.server.watchdog_step().unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].id, r.id);
    assert_eq!(raised[0].kind, EscalationKind::MissedRound);
    assert_eq!(raised[0].reason, Some(MissedReason::CheckInOverdue));
    assert_eq!(raised[0].buddy_name.as_deref(), Some("Jo"));
    assert_eq!(raised[0].last_heard_at, r.started_at);
    assert!(
        s.server.watchdog_step().unwrap().is_empty(),
        "raised once only"
    );

    // The buddy's phone, and the whole team's, get the round as missed.
    for dev in [&t.jo, &t.police] {
        let got = pulled_round(&s, dev, r.id).await.expect("the team sees it");
        let w = got.watch.expect("the server's watch");
        assert_eq!(w.state, WatchState::Missed);
        assert_eq!(
            got.buddy.as_ref().unwrap().worker_id,
            t.jo.identity.worker_id
        );
    }
    let banner = s.server.safety().unacknowledged(&t.supervisor_org).unwrap();
    assert_eq!(banner.len(), 1);
    // Jo's and the officer's phones pulled it: each is "seen", once.
    pulled_round(&s, &t.jo, r.id).await;
    assert_eq!(
        audit_actions(&s, r.id).await,
        ["safety_raised", "safety_seen", "safety_seen"]
    );
}

#[tokio::test]
async fn a_check_in_keeps_the_round_quiet_until_the_next_one_is_late() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let r = start_round(&s, &t, 30, Duration::hours(3)).await;
    s.clock.advance(mins(25));
    let c = check_in(&t.sam.identity, Some(r.id), false, s.now());
    send_check_in(&s, &t.sam, &c).await;
    s.clock.advance(mins(20)); // 45 min after the start, 20 after the check-in
    assert!(s.server.watchdog_step().unwrap().is_empty());
    s.clock.advance(mins(21)); // 41 min after the check-in
    let raised = s.server.watchdog_step().unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].last_heard_at, c.made_at);
}

#[tokio::test]
async fn a_round_still_open_past_its_end_is_raised() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    // Check-ins every four hours, so only the end can be late.
    let r = start_round(&s, &t, 240, mins(60)).await;
    s.clock.advance(mins(69));
    assert!(s.server.watchdog_step().unwrap().is_empty());
    s.clock.advance(mins(2));
    let raised = s.server.watchdog_step().unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].id, r.id);
    assert_eq!(raised[0].reason, Some(MissedReason::PastExpectedEnd));
}

#[tokio::test]
async fn after_a_late_end_is_heard_from_she_is_not_raised_again_at_once() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let r = start_round(&s, &t, 30, mins(60)).await;
    // She checks in on time but forgets to end the round.
    for _ in 0..2 {
        s.clock.advance(mins(25));
        let c = check_in(&t.sam.identity, Some(r.id), false, s.now());
        send_check_in(&s, &t.sam, &c).await;
    }
    s.clock.advance(mins(21)); // 71 minutes: past the end and the grace
    let raised = s.server.watchdog_step().unwrap();
    assert_eq!(raised[0].reason, Some(MissedReason::PastExpectedEnd));
    let c = check_in(&t.sam.identity, Some(r.id), false, s.now());
    send_check_in(&s, &t.sam, &c).await;
    s.clock.advance(mins(30));
    assert!(
        s.server.watchdog_step().unwrap().is_empty(),
        "heard from again: one more interval and the grace"
    );
    s.clock.advance(mins(11));
    assert_eq!(s.server.watchdog_step().unwrap().len(), 1);
}

#[tokio::test]
async fn a_restart_between_the_due_time_and_the_escalation_loses_nothing() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let r = start_round(&s, &t, 30, Duration::hours(3)).await;
    s.clock.advance(mins(35)); // due, not yet past the grace period
    assert!(s.server.watchdog_step().unwrap().is_empty());
    let s = s.restart().await;
    s.clock.advance(mins(10));
    let raised = s.server.watchdog_step().unwrap();
    assert_eq!(raised.len(), 1, "the watch was in the database");
    assert_eq!(raised[0].id, r.id);
    let s = s.restart().await;
    assert!(
        s.server.watchdog_step().unwrap().is_empty(),
        "and is not raised again after another restart"
    );
    assert_eq!(
        s.server
            .safety()
            .unacknowledged(&t.supervisor_org)
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_late_check_in_from_an_offline_phone_means_heard_from_again() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let r = start_round(&s, &t, 30, Duration::hours(3)).await;
    // She checks in at 20 minutes with no signal; the phone keeps it.
    let offline = check_in(&t.sam.identity, Some(r.id), false, s.now() + mins(20));
    s.clock.advance(mins(41));
    assert_eq!(s.server.watchdog_step().unwrap().len(), 1);

    // At 50 minutes the phone finds signal and sends it, with its own time.
    s.clock.advance(mins(9));
    let acks = send_check_in(&s, &t.sam, &offline).await;
    assert_eq!(acks[0].status, AckStatus::Applied);

    let esc = s.server.safety().unacknowledged(&t.supervisor_org).unwrap();
    assert_eq!(esc.len(), 1, "still shown until a supervisor acknowledges");
    assert_eq!(esc[0].state, EscalationState::HeardFromAgain);
    assert_eq!(esc[0].last_heard_at, offline.made_at);
    let got = pulled_round(&s, &t.jo, r.id).await.unwrap();
    let w = got.watch.unwrap();
    assert_eq!(w.state, WatchState::HeardFromAgain);
    assert_eq!(w.last_heard_at, offline.made_at);
    // Nothing lost: the check-in itself is on the server with its own time.
    let stored: Vec<_> = s
        .pull_all(&t.jo)
        .await
        .into_iter()
        .filter(|p| p.change.id == offline.id)
        .collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].change.body.as_ref().unwrap()["made_at"],
        serde_json::to_value(offline.made_at).unwrap()
    );
    // She is watched afresh from when she was heard, not raised again at once.
    s.clock.advance(mins(30));
    assert!(s.server.watchdog_step().unwrap().is_empty());
    s.clock.advance(mins(11));
    assert_eq!(s.server.watchdog_step().unwrap().len(), 1);
    assert_eq!(
        audit_actions(&s, r.id).await,
        ["safety_raised", "safety_heard_from_again", "safety_raised"]
    );
}

#[tokio::test]
async fn acknowledging_and_ending_are_audited_and_reach_the_phones() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let r = start_round(&s, &t, 30, Duration::hours(3)).await;
    s.clock.advance(mins(45));
    assert_eq!(s.server.watchdog_step().unwrap().len(), 1);
    let safety = s.server.safety();
    let sup = s
        .admin()
        .create_worker(&t.supervisor_org, "Ana", Role::Supervisor, None)
        .unwrap();
    safety.note_seen(&[r.id], &sup.id, s.now()).unwrap();
    safety.note_seen(&[r.id], &sup.id, s.now()).unwrap();
    assert!(
        !safety
            .acknowledge(r.id, "essex_police", &sup.id, "Ana", s.now())
            .unwrap(),
        "another organisation cannot acknowledge it"
    );
    assert!(safety
        .acknowledge(r.id, &t.supervisor_org, &sup.id, "Ana", s.now())
        .unwrap());
    assert!(safety.unacknowledged(&t.supervisor_org).unwrap().is_empty());
    let got = pulled_round(&s, &t.jo, r.id).await.unwrap();
    assert_eq!(got.watch.unwrap().acknowledged_by.as_deref(), Some("Ana"));

    // She ends her round from her phone's (older) copy: the server keeps its
    // watch and marks the escalation resolved.
    s.clock.advance(mins(5));
    let mut ended = r.clone();
    ended.ended_at = Some(s.now());
    let acks = s
        .push(
            &t.sam,
            vec![change(
                RecordKind::Round,
                &t.sam.version_at(s.now()),
                serde_json::to_value(&ended).unwrap(),
            )],
        )
        .await;
    assert_ne!(acks[0].status, AckStatus::Rejected, "{acks:?}");
    let got = pulled_round(&s, &t.jo, r.id).await.unwrap();
    assert_eq!(got.ended_at, ended.ended_at);
    let w = got.watch.unwrap();
    assert_eq!(w.state, WatchState::Resolved);
    assert_eq!(w.acknowledged_by.as_deref(), Some("Ana"));
    s.clock.advance(Duration::hours(5));
    assert!(
        s.server.watchdog_step().unwrap().is_empty(),
        "ended rounds rest"
    );
    assert_eq!(
        audit_actions(&s, r.id).await,
        [
            "safety_raised",
            "safety_seen", // the supervisor's page
            "safety_acknowledged",
            "safety_seen", // Jo's phone, after the acknowledgement
            "safety_resolved"
        ]
    );
    // The chain still verifies with the watchdog's entries in it.
    let n: i64 = s.sql("SELECT COUNT(*) FROM audit_log")[0][0]
        .parse()
        .unwrap();
    assert!(n > 4);
}

#[tokio::test]
async fn phones_cannot_write_the_watch_or_make_a_check_in_an_alert() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let now = s.now();
    let mut r = round(&t.sam.identity, None, now, 30, now + Duration::hours(2));
    r.watch = Some(nightround_core::domain::RoundWatch {
        state: WatchState::Missed,
        reason: MissedReason::CheckInOverdue,
        raised_at: now,
        last_heard_at: now,
        acknowledged_by: None,
        acknowledged_at: None,
        changed_at: now,
    });
    let mut c = check_in(&t.sam.identity, None, false, now);
    c.alert_until = Some(now + Duration::hours(1));
    let acks = s
        .push(
            &t.sam,
            vec![
                change(
                    RecordKind::Round,
                    &t.sam.version_at(now),
                    serde_json::to_value(&r).unwrap(),
                ),
                change(
                    RecordKind::CheckIn,
                    &t.sam.version_at(now),
                    serde_json::to_value(&c).unwrap(),
                ),
            ],
        )
        .await;
    assert!(
        acks.iter().all(|a| a.status == AckStatus::Rejected),
        "{acks:?}"
    );
    // Jo cannot check in on Sam's behalf.
    let forged = check_in(&t.sam.identity, None, true, now);
    let acks = s
        .push(
            &t.jo,
            vec![change(
                RecordKind::CheckIn,
                &t.jo.version_at(now),
                serde_json::to_value(&forged).unwrap(),
            )],
        )
        .await;
    assert_eq!(acks[0].status, AckStatus::Rejected);
}

#[tokio::test]
async fn a_help_call_is_heard_on_the_live_channel_within_seconds() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let (_, cursor) = s.pull_from(&t.police, 0).await;
    // The officer's phone waits on the live channel...
    let url = s.url(&format!("/v1/live?after={cursor}&wait=20&protocol=2"));
    let http = s.http.clone();
    let token = t.police.token.clone();
    let waiting = tokio::spawn(async move {
        let resp = http.get(url).bearer_auth(token).send().await.unwrap();
        let at = Instant::now();
        let body: LiveResponse = resp.json().await.unwrap();
        (body, at)
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "nothing urgent yet: it waits");
    // ...when Sam presses "Need help now" with no round open.
    let help = check_in(&t.sam.identity, None, true, s.now());
    let sent = Instant::now();
    send_check_in(&s, &t.sam, &help).await;
    let (body, heard) = waiting.await.unwrap();
    let latency = heard.duration_since(sent);
    println!("help call heard on the live channel after {latency:?}");
    assert!(latency < std::time::Duration::from_secs(5));
    assert_eq!(body.urgent.len(), 1);
    assert_eq!(body.urgent[0].id, help.id);
    let esc = s.server.safety().unacknowledged(&t.supervisor_org).unwrap();
    assert_eq!(esc.len(), 1);
    assert_eq!(esc[0].kind, EscalationKind::HelpCall);
    assert_eq!(audit_actions(&s, help.id).await, ["safety_help_called"]);

    // An ordinary check-in is not urgent for another organisation: the
    // channel stays quiet and answers empty when its wait is over.
    let (_, cursor) = s.pull_from(&t.police, 0).await;
    let c = check_in(&t.sam.identity, None, false, s.now());
    send_check_in(&s, &t.sam, &c).await;
    let resp = s
        .http
        .get(s.url(&format!("/v1/live?after={cursor}&wait=1&protocol=2")))
        .bearer_auth(&t.police.token)
        .send()
        .await
        .unwrap();
    let body: LiveResponse = resp.json().await.unwrap();
    assert!(body.urgent.is_empty());
}

/// Two server processes' worth of state (two `start`s, two pools, two
/// bells) on one PostgreSQL database: a help call pushed to one is heard at
/// once by a phone waiting on the other (LISTEN/NOTIFY), and when both
/// watchdogs look at an overdue round it is raised exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_share_the_bell_and_raise_once() {
    if !on_postgres() {
        eprintln!(
            "\n*** SKIPPED on SQLite: two servers share a database only on PostgreSQL \
             (bash scripts/pg.sh -- cargo test -p nightround-server --test watchdog) ***\n"
        );
        return;
    }
    let s = TestServer::start().await;
    let other = nightround_server::start(config(s.dir.path(), &s.clock))
        .await
        .unwrap();
    let t = team(&s).await;
    let (_, cursor) = s.pull_from(&t.police, 0).await;
    // The officer's phone waits on the second server...
    let url = format!(
        "{}/v1/live?after={cursor}&wait=20&protocol=2",
        other.base_url()
    );
    let http = s.http.clone();
    let token = t.police.token.clone();
    let waiting = tokio::spawn(async move {
        let resp = http.get(url).bearer_auth(token).send().await.unwrap();
        let at = Instant::now();
        let body: LiveResponse = resp.json().await.unwrap();
        (body, at)
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "nothing urgent yet: it waits");
    // ...when Sam's help call reaches the first.
    let help = check_in(&t.sam.identity, None, true, s.now());
    let sent = Instant::now();
    send_check_in(&s, &t.sam, &help).await;
    let (body, heard) = waiting.await.unwrap();
    let latency = heard.duration_since(sent);
    println!("help call pushed to one server heard on the other after {latency:?}");
    assert!(latency < std::time::Duration::from_secs(5));
    assert_eq!(body.urgent.len(), 1);
    assert_eq!(body.urgent[0].id, help.id);

    // A round goes quiet; both watchdogs step at once, many times.
    let r = start_round(&s, &t, 30, Duration::hours(3)).await;
    s.clock.advance(mins(41));
    let steps = (0..8).map(|i| {
        let server = if i % 2 == 0 { &s.server } else { &other };
        let safety = server.safety();
        let clock = s.clock.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                use nightround_core::clock::Clock;
                safety
                    .raise_overdue(clock.now(), &Default::default())
                    .unwrap()
                    .len()
            })
            .await
            .unwrap()
        }
    });
    let raised: usize = futures_sum(steps).await;
    assert_eq!(raised, 1, "raised exactly once across both servers");
    assert_eq!(audit_actions(&s, r.id).await, ["safety_raised"]);
    other.shutdown().await.unwrap();
}

async fn futures_sum<F: std::future::Future<Output = usize> + Send + 'static>(
    fs: impl Iterator<Item = F>,
) -> usize {
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut n = 0;
    for h in handles {
        n += h.await.unwrap();
    }
    n
}

/// Issue 9, item 2: a check-in from another worker (of another organisation
/// even), dated a year ahead, on the raised round neither silences it nor
/// changes the banner; a check-in naming a round not yet stored does not
/// keep that round from being raised.
#[tokio::test]
async fn a_forged_or_foreign_check_in_neither_silences_nor_prevents_an_alarm() {
    let s = TestServer::start().await;
    let t = team(&s).await;
    let other = s
        .device("Other Outreach", "Kim", Role::OutreachWorker, None)
        .await;
    let r = start_round(&s, &t, 30, Duration::hours(3)).await;
    s.clock.advance(mins(41));
    assert_eq!(s.server.watchdog_step().unwrap().len(), 1);
    let before = s.dump(true);

    let year_ahead = s.now() + Duration::days(365);
    // Another organisation's worker, her own identity, on Sam's round.
    let foreign = check_in(&other.identity, Some(r.id), false, s.now());
    let acks = send_check_in(&s, &other, &foreign).await;
    assert_eq!(acks[0].status, AckStatus::Rejected, "{acks:?}");
    // Jo (Sam's own buddy, same organisation) on Sam's round.
    let buddy = check_in(&t.jo.identity, Some(r.id), false, s.now());
    let acks = send_check_in(&s, &t.jo, &buddy).await;
    assert_eq!(acks[0].status, AckStatus::Rejected, "{acks:?}");
    // Sam's own device, dated a year ahead.
    let ahead = check_in(&t.sam.identity, Some(r.id), false, year_ahead);
    let acks = send_check_in(&s, &t.sam, &ahead).await;
    assert_eq!(acks[0].status, AckStatus::Rejected, "{acks:?}");
    // Versioned now but made a year ahead.
    let acks = s
        .push(
            &t.sam,
            vec![change(
                RecordKind::CheckIn,
                &t.sam.version_at(s.now()),
                serde_json::to_value(&ahead).unwrap(),
            )],
        )
        .await;
    assert_eq!(acks[0].status, AckStatus::Rejected, "{acks:?}");
    assert_eq!(s.dump(true), before, "nothing changed");
    let seen = pulled_round(&s, &t.jo, r.id).await.unwrap();
    assert_eq!(seen.watch.map(|w| w.state), Some(WatchState::Missed));

    // A check-in naming a round that does not exist yet is refused, and the
    // round, when it comes, is raised on time.
    let later_round = round(
        &t.sam.identity,
        None,
        s.now(),
        30,
        s.now() + Duration::hours(3),
    );
    let pre = check_in(&t.sam.identity, Some(later_round.id), false, s.now());
    let acks = send_check_in(&s, &t.sam, &pre).await;
    assert_eq!(acks[0].status, AckStatus::Rejected, "{acks:?}");
    s.push_ok(
        &t.sam,
        vec![change(
            RecordKind::Round,
            &t.sam.version_at(s.now()),
            serde_json::to_value(&later_round).unwrap(),
        )],
    )
    .await;
    s.clock.advance(mins(41));
    let raised = s.server.watchdog_step().unwrap();
    assert!(raised.iter().any(|e| e.id == later_round.id), "{raised:?}");
}
