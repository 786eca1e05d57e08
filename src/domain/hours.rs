//! Opening hours: OSM `opening_hours` strings, evaluated in the configured local time zone,
//! and, when a string says the same every week, its open minutes of the week, which SQL can
//! check without parsing anything (the crate stays the judge of everything else).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use opening_hours::{OpeningHours, RuleKind};

/// Whether a place is open at `at`: `None` when the string is missing, unparseable, or its
/// rules say unknown (public holidays included, which we do not know).
pub fn open_at(raw: Option<&str>, at: DateTime<Utc>, tz: Tz) -> Option<bool> {
    let oh = raw?.trim().parse::<OpeningHours>().ok()?;
    let local = at.with_timezone(&tz).naive_local();
    match oh.state(local).0 {
        RuleKind::Open => Some(true),
        RuleKind::Closed => Some(false),
        RuleKind::Unknown => None,
    }
}

pub const MINUTES_PER_WEEK: i64 = 7 * 24 * 60;

/// Weeks checked for a weekly pattern: two whole years, so month, week-number, easter and
/// other date rules show up as weeks that differ.
const CHECKED_WEEKS: i64 = 105;

/// The minute of the week (Monday 00:00 local is 0) of `at` in `tz`.
pub fn minute_of_week(at: DateTime<Utc>, tz: Tz) -> i64 {
    let local = at.with_timezone(&tz).naive_local();
    i64::from(local.weekday().num_days_from_monday()) * 24 * 60
        + i64::from(local.hour()) * 60
        + i64::from(local.minute())
}

/// The minutes of the week a place is open, as half-open `[start, end)` ranges, when its
/// hours are the same in every week: no dates, years, holidays or unknown states. `None`
/// otherwise (or when the string does not parse); then only the crate can say.
pub fn weekly_open(raw: &str) -> Option<Vec<(i64, i64)>> {
    // A year in the rules changes them some day the checked weeks may not reach.
    let has_year = raw
        .as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit));
    if has_year {
        return None;
    }
    let oh = raw.trim().parse::<OpeningHours>().ok()?;
    // A Monday well inside the crate's range; the weeks that follow cover two years.
    let first = NaiveDate::from_ymd_opt(2024, 1, 1)?.and_hms_opt(0, 0, 0)?;
    let week_of = |monday: NaiveDateTime| -> Option<Vec<(i64, i64)>> {
        let mut open = Vec::new();
        for range in oh.iter_range(monday, monday + Duration::weeks(1)) {
            match range.kind {
                RuleKind::Open => open.push((
                    (range.range.start - monday).num_minutes(),
                    (range.range.end - monday).num_minutes(),
                )),
                RuleKind::Closed => {}
                RuleKind::Unknown => return None,
            }
        }
        Some(open)
    };
    let pattern = week_of(first)?;
    for week in 1..CHECKED_WEEKS {
        if week_of(first + Duration::weeks(week))? != pattern {
            return None;
        }
    }
    Some(pattern)
}

/// [`weekly_open`] as a PostgreSQL `int4multirange` literal, such as `{[480,750),[960,1230)}`.
pub fn weekly_open_multirange(raw: Option<&str>) -> Option<String> {
    let ranges = weekly_open(raw?)?;
    let parts: Vec<String> = ranges.iter().map(|(s, e)| format!("[{s},{e})")).collect();
    Some(format!("{{{}}}", parts.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::America::Argentina::Buenos_Aires;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn strings_from_the_santa_fe_fixture_evaluate_in_local_time() {
        // 2026-11-25 is a Wednesday; -03:00 is Argentina's offset.
        let wed_noon = at("2026-11-25T12:00:00-03:00");
        let wed_14 = at("2026-11-25T14:00:00-03:00");
        let sun_noon = at("2026-11-29T12:00:00-03:00");
        let split = "Mo-Fr 08:00-12:30,16:00-20:30; Sa 08:00-12:30";
        assert_eq!(open_at(Some("24/7"), sun_noon, TZ), Some(true));
        assert_eq!(
            open_at(Some(split), at("2026-11-25T12:00:00-03:00"), TZ),
            Some(true)
        );
        assert_eq!(open_at(Some(split), wed_14, TZ), Some(false));
        assert_eq!(open_at(Some(split), sun_noon, TZ), Some(false));
        assert_eq!(open_at(Some("Su off"), wed_noon, TZ), Some(false));
        assert_eq!(open_at(Some("Su off"), sun_noon, TZ), Some(false));
        // The same instant read in UTC would be 15:00, inside the afternoon range: the zone matters.
        assert_eq!(
            open_at(Some("Mo-Fr 15:00-16:00"), wed_noon, TZ),
            Some(false)
        );
        assert_eq!(
            open_at(Some("Mo-Fr 15:00-16:00"), wed_noon, chrono_tz::UTC),
            Some(true)
        );
    }

    #[test]
    fn ranges_past_midnight_stay_open_into_the_next_day() {
        let oh = Some("Fr-Sa 20:00-02:00");
        assert_eq!(open_at(oh, at("2026-11-28T01:00:00-03:00"), TZ), Some(true)); // Saturday 01:00
        assert_eq!(
            open_at(oh, at("2026-11-28T03:00:00-03:00"), TZ),
            Some(false)
        );
    }

    #[test]
    fn a_weekly_pattern_becomes_minutes_of_the_week() {
        assert_eq!(weekly_open("24/7"), Some(vec![(0, MINUTES_PER_WEEK)]));
        assert_eq!(
            weekly_open("Mo 08:00-12:30"),
            Some(vec![(8 * 60, 12 * 60 + 30)])
        );
        // Sunday night runs into Monday morning: both ends of the week.
        let sunday_night = weekly_open("Su 22:00-02:00").unwrap();
        assert!(sunday_night.contains(&(0, 120)), "{sunday_night:?}");
        assert!(sunday_night.contains(&(MINUTES_PER_WEEK - 120, MINUTES_PER_WEEK)));
        assert_eq!(weekly_open("off"), Some(vec![]));
        assert_eq!(
            weekly_open_multirange(Some("Mo,We 10:00-11:00")).as_deref(),
            Some("{[600,660),[3480,3540)}")
        );
    }

    #[test]
    fn dates_years_holidays_and_unknowns_are_left_to_the_crate() {
        assert_eq!(weekly_open("Mo-Fr 09:00-17:00; Dec 25 off"), None);
        assert_eq!(weekly_open("Jun-Aug Mo-Fr 09:00-13:00"), None);
        assert_eq!(weekly_open("2027 Mo-Fr 09:00-17:00"), None);
        assert_eq!(weekly_open("Mo-Fr 09:00-17:00 unknown"), None);
        assert_eq!(weekly_open("ask the owner"), None);
        assert_eq!(weekly_open_multirange(None), None);
    }

    #[test]
    fn the_minute_of_the_week_is_local() {
        // Wednesday 12:00 in Buenos Aires is 15:00 UTC.
        let wed_noon = at("2026-11-25T12:00:00-03:00");
        assert_eq!(minute_of_week(wed_noon, TZ), 2 * 24 * 60 + 12 * 60);
        assert_eq!(
            minute_of_week(wed_noon, chrono_tz::UTC),
            2 * 24 * 60 + 15 * 60
        );
    }

    #[test]
    fn missing_or_garbage_hours_are_unknown() {
        let now = at("2026-11-25T12:00:00-03:00");
        assert_eq!(open_at(None, now, TZ), None);
        assert_eq!(open_at(Some("ask the owner"), now, TZ), None);
        assert_eq!(open_at(Some("Mo-Fr 10:00-18:00 unknown"), now, TZ), None);
    }
}
