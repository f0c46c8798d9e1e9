//! Time as the partnership reads it: UK clock time (GMT, or BST from the last
//! Sunday of March to the last Sunday of October, changing at 01:00 UTC),
//! and evening **rounds**: a round runs from noon to noon, so a contact at
//! 02:00 belongs to the evening before.

use chrono::{
    Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday,
};
use nightround_core::Timestamp;

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    last.checked_sub_signed(Duration::days(i64::from(back)))
}

/// The UK's offset from UTC at `t`.
pub fn uk_offset(t: Timestamp) -> FixedOffset {
    let year = t.year();
    let change = |month| {
        last_sunday(year, month)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|n| Utc.from_utc_datetime(&n))
    };
    let summer = match (change(3), change(10)) {
        (Some(start), Some(end)) => t >= start && t < end,
        _ => false,
    };
    let secs = if summer { 3600 } else { 0 };
    FixedOffset::east_opt(secs).unwrap_or_else(|| Utc.fix())
}

/// UK clock time at `t`.
pub fn local(t: Timestamp) -> NaiveDateTime {
    t.with_timezone(&uk_offset(t)).naive_local()
}

/// The instant of a UK clock time (the earlier one in the autumn hour).
pub fn from_local(n: NaiveDateTime) -> Timestamp {
    let guess = Utc.from_utc_datetime(&n);
    let off = uk_offset(guess - Duration::hours(1));
    Utc.from_utc_datetime(&(n - Duration::seconds(i64::from(off.local_minus_utc()))))
}

/// `21:05`
pub fn hm(t: Timestamp) -> String {
    local(t).format("%H:%M").to_string()
}

/// `21:05:30`, for waits shorter than a minute.
pub fn hms(t: Timestamp) -> String {
    local(t).format("%H:%M:%S").to_string()
}

/// `Tue 4 Nov`
pub fn day(t: Timestamp) -> String {
    local(t).format("%a %-d %b").to_string()
}

/// `Tue 4 Nov 21:05`
pub fn day_hm(t: Timestamp) -> String {
    local(t).format("%a %-d %b %H:%M").to_string()
}

/// `2025-11-04`
pub fn iso_day(t: Timestamp) -> String {
    local(t).format("%Y-%m-%d").to_string()
}

/// The evening a moment belongs to: the UK date of twelve hours earlier.
pub fn round_of(t: Timestamp) -> NaiveDate {
    (local(t) - Duration::hours(12)).date()
}

/// When the round of `day` begins (noon, UK time).
pub fn round_start(day: NaiveDate) -> Timestamp {
    from_local(day.and_hms_opt(12, 0, 0).unwrap_or_default())
}

/// Monday of the week `d` falls in.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d.week(Weekday::Mon).first_day()
}

/// "in 3 h", "2 days ago": a rough distance from `now` to `t`.
pub fn relative(t: Timestamp, now: Timestamp) -> String {
    let d = t - now;
    let (past, d) = if d < Duration::zero() {
        (true, -d)
    } else {
        (false, d)
    };
    let words = if d < Duration::minutes(1) {
        return "now".into();
    } else if d < Duration::hours(1) {
        format!("{} min", d.num_minutes())
    } else if d < Duration::hours(48) {
        format!("{} h", d.num_hours())
    } else {
        format!("{} days", d.num_days())
    };
    if past {
        format!("{words} ago")
    } else {
        format!("in {words}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn british_summer_time() {
        // 2025: BST from 30 March 01:00 UTC to 26 October 01:00 UTC.
        assert_eq!(uk_offset(at("2025-03-30T00:59:00Z")).local_minus_utc(), 0);
        assert_eq!(
            uk_offset(at("2025-03-30T01:00:00Z")).local_minus_utc(),
            3600
        );
        assert_eq!(
            uk_offset(at("2025-10-26T00:59:00Z")).local_minus_utc(),
            3600
        );
        assert_eq!(uk_offset(at("2025-10-26T01:00:00Z")).local_minus_utc(), 0);
        assert_eq!(hm(at("2025-07-01T20:05:00Z")), "21:05");
        assert_eq!(hm(at("2025-12-01T20:05:00Z")), "20:05");
    }

    #[test]
    fn rounds_run_noon_to_noon() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 2).unwrap();
        assert_eq!(round_of(at("2025-12-02T21:00:00Z")), d);
        assert_eq!(round_of(at("2025-12-03T02:00:00Z")), d);
        assert_eq!(round_of(at("2025-12-03T11:59:00Z")), d);
        assert_eq!(round_of(at("2025-12-03T12:00:00Z")), d.succ_opt().unwrap());
        assert_eq!(round_start(d), at("2025-12-02T12:00:00Z"));
        let summer = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(round_start(summer), at("2025-07-01T11:00:00Z"));
        assert_eq!(week_of(d), NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
    }

    #[test]
    fn relative_words() {
        let now = at("2025-12-02T21:00:00Z");
        assert_eq!(relative(now + Duration::hours(3), now), "in 3 h");
        assert_eq!(relative(now - Duration::days(3), now), "3 days ago");
        assert_eq!(relative(now, now), "now");
    }
}
