//! Opening hours: OSM `opening_hours` strings, evaluated in the configured local time zone.

use chrono::{DateTime, Utc};
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
    fn missing_or_garbage_hours_are_unknown() {
        let now = at("2026-11-25T12:00:00-03:00");
        assert_eq!(open_at(None, now, TZ), None);
        assert_eq!(open_at(Some("ask the owner"), now, TZ), None);
        assert_eq!(open_at(Some("Mo-Fr 10:00-18:00 unknown"), now, TZ), None);
    }
}
