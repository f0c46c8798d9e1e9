//! Lone-worker rounds on one phone (ADR 0004): the round screen's numbers,
//! the rules of starting, checking in and ending, the help call's area and
//! alert time, and the urgent lane of the outbox. The server side and the
//! live channel are in server/tests/watchdog.rs and tests/tests/lone_worker.rs.

mod common;

use chrono::Duration;
use common::*;
use nightround_core::domain::round::{DEFAULT_CHECK_IN_MINUTES, HELP_ALERT_HOURS};
use nightround_core::domain::*;
use nightround_core::CoreError;
use uuid::Uuid;

fn draft(f: &Fixture, minutes: Option<u32>) -> RoundDraft {
    RoundDraft {
        expected_end: f.clock_now() + Duration::hours(3),
        check_in_minutes: minutes,
        buddy: None,
        area_id: None,
    }
}

trait Now {
    fn clock_now(&self) -> nightround_core::Timestamp;
}
impl Now for Fixture {
    fn clock_now(&self) -> nightround_core::Timestamp {
        use nightround_core::clock::Clock;
        self.clock.now()
    }
}

fn invalid(r: Result<impl std::fmt::Debug, CoreError>) -> ValidationError {
    match r {
        Err(CoreError::Validation(v)) => v,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn the_round_screen_counts_down_to_the_next_check_in() {
    let f = Fixture::new();
    let screen = f.vault.round_screen().unwrap();
    assert!(screen.open.is_none());
    assert_eq!(screen.default_check_in_minutes, DEFAULT_CHECK_IN_MINUTES);
    assert!(screen.suggested_end > f.clock_now() + Duration::hours(3) - Duration::minutes(1));
    assert_eq!(
        screen.suggested_end.timestamp() % (15 * 60),
        0,
        "a quarter hour"
    );

    // Her last contact was on York Road: the round starts there.
    f.contact(None, "leaflet");
    let round = f.vault.start_round(draft(&f, None)).unwrap();
    assert_eq!(round.area_id.as_deref(), Some("york_road"));
    assert_eq!(round.check_in_minutes, 30);
    let v = f.vault.round_screen().unwrap().open.unwrap();
    assert_eq!(
        v.next_check_in_due,
        round.started_at + Duration::minutes(30)
    );
    assert_eq!(v.remind_at, v.next_check_in_due - Duration::minutes(5));
    assert_eq!((v.minutes_until_due, v.check_in_overdue), (30, false));
    assert_eq!(v.area_name.as_deref(), Some("York Road"));

    f.clock.advance(Duration::minutes(20));
    let c = f.vault.check_in(round.id).unwrap();
    assert_eq!(c.kind, CheckInKind::AllRight);
    assert_eq!(c.alert_until, None, "an ordinary check-in is not an alert");
    let v = f.vault.round_screen().unwrap().open.unwrap();
    assert_eq!(v.check_ins, 1);
    assert_eq!(v.last_check_in_at, Some(c.made_at));
    assert_eq!(v.next_check_in_due, c.made_at + Duration::minutes(30));
    assert_eq!(v.unsent_check_ins, 1);

    f.clock.advance(Duration::minutes(31));
    let v = f.vault.round_screen().unwrap().open.unwrap();
    assert!(v.check_in_overdue);
    assert_eq!(v.minutes_until_due, -1);
    assert!(!v.raised_as_missed, "only the server raises a round");

    let ended = f.vault.end_round(round.id).unwrap();
    assert_eq!(ended.ended_at, Some(f.clock_now()));
    assert!(f.vault.round_screen().unwrap().open.is_none());
}

#[test]
fn one_round_at_a_time_and_only_her_own_open_one() {
    let f = Fixture::new();
    assert!(matches!(
        invalid(f.vault.start_round(draft(&f, Some(0)))),
        ValidationError::CheckInIntervalOutOfRange { .. }
    ));
    let mut long = draft(&f, None);
    long.expected_end = f.clock_now() + Duration::hours(20);
    assert!(matches!(
        invalid(f.vault.start_round(long)),
        ValidationError::RoundTooLong { .. }
    ));
    let round = f.vault.start_round(draft(&f, Some(45))).unwrap();
    assert_eq!(
        invalid(f.vault.start_round(draft(&f, None))),
        ValidationError::RoundAlreadyOpen
    );
    assert_eq!(
        invalid(f.vault.check_in(Uuid::now_v7())),
        ValidationError::NoOpenRound
    );
    f.vault.end_round(round.id).unwrap();
    assert_eq!(
        invalid(f.vault.check_in(round.id)),
        ValidationError::NoOpenRound
    );
    assert_eq!(
        invalid(f.vault.end_round(round.id)),
        ValidationError::NoOpenRound
    );
    // A new round can start once the last has ended.
    f.vault.start_round(draft(&f, None)).unwrap();
}

#[test]
fn a_help_call_carries_her_last_area_and_jumps_the_queue() {
    let f = Fixture::new();
    for i in 0..5 {
        f.contact(None, &format!("contact {i}"));
    }
    // No round open: help still goes, from where she last was.
    let help = f.vault.call_for_help().unwrap();
    assert_eq!(help.kind, CheckInKind::NeedHelp);
    assert_eq!(help.round_id, None);
    assert_eq!(help.area_id.as_deref(), Some("york_road"));
    assert_eq!(
        help.alert_until,
        Some(help.made_at + Duration::hours(HELP_ALERT_HOURS))
    );
    let raw = f.raw();
    let first: String = raw
        .query_row(
            "SELECT kind FROM outbox ORDER BY priority DESC, seq LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(first, "check_in", "the help call is the next thing sent");
    let urgent: i64 = raw
        .query_row("SELECT COUNT(*) FROM outbox WHERE priority > 0", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(urgent, 1, "contacts wait in the ordinary lane");
    // Her own help call is not an alert on her own phone.
    assert!(f.vault.safety_alerts().unwrap().is_empty());
}

#[test]
fn a_check_in_while_locked_needs_an_enrolled_phone() {
    let f = Fixture::new();
    let round = f.vault.start_round(draft(&f, None)).unwrap();
    f.vault.lock();
    // Never enrolled: there is no delivery package to seal it with.
    assert!(matches!(
        f.vault.check_in_while_locked(round.id, 30),
        Err(CoreError::Locked)
    ));
    // And while locked nothing of the round can be read.
    assert!(matches!(f.vault.round_screen(), Err(CoreError::Locked)));
}

#[test]
fn rounds_and_check_ins_survive_a_killed_app() {
    let mut f = Fixture::new();
    let round = f.vault.start_round(draft(&f, None)).unwrap();
    f.clock.advance(Duration::minutes(10));
    f.vault.check_in(round.id).unwrap();
    f.reopen();
    f.vault.unlock(PIN).unwrap();
    let v = f.vault.round_screen().unwrap().open.unwrap();
    assert_eq!(v.round.id, round.id);
    assert_eq!(v.check_ins, 1);
    assert_eq!(f.vault.pending_changes().unwrap(), 2);
}
