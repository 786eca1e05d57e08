//! Quiet hours: a span of a person's local day in which they are not alerted.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::Invalid;
use crate::error_code::ErrorCode;

/// A span of the local day with no alerts; it may wrap midnight (22:00 to 07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl QuietHours {
    /// From minutes after midnight, as stored.
    pub fn from_minutes(from: i16, to: i16) -> Option<QuietHours> {
        let t = |m: i16| NaiveTime::from_hms_opt(u32::try_from(m).ok()? / 60, m as u32 % 60, 0);
        Some(QuietHours {
            from: t(from)?,
            to: t(to)?,
        })
    }

    pub fn minutes(&self) -> (i16, i16) {
        let m = |t: NaiveTime| (t.hour() * 60 + t.minute()) as i16;
        (m(self.from), m(self.to))
    }

    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from <= self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }

    /// The first moment at or after `now` outside the quiet hours, in zone `tz`.
    pub fn end_after(&self, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        let local = now.with_timezone(&tz);
        if !self.contains(local.time()) {
            return now;
        }
        let day = if local.time() >= self.to {
            local.date_naive() + Duration::days(1)
        } else {
            local.date_naive()
        };
        // A gap at a clock change has no such local time; an hour later does.
        let wake = day.and_time(self.to);
        tz.from_local_datetime(&wake)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(wake + Duration::hours(1)))
                    .earliest()
            })
            .map_or(now + Duration::hours(1), |t| t.with_timezone(&Utc))
    }
}

/// Quiet hours as a person types them, both ends `HH:MM`. The same time at both ends is an
/// empty span: no quiet hours.
pub fn quiet_hours(from: &str, to: &str) -> Result<Option<QuietHours>, Invalid> {
    let parse = |s: &str| {
        let bad = || {
            Invalid::new(
                ErrorCode::InvalidQuietHours,
                format!("quiet hours are written HH:MM, like 22:30, got `{s}`"),
            )
        };
        if !super::formats::is(super::formats::CLOCK, s) {
            return Err(bad());
        }
        NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| bad())
    };
    let q = QuietHours {
        from: parse(from)?,
        to: parse(to)?,
    };
    Ok((q.from != q.to).then_some(q))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn quiet_hours_wrap_midnight_and_end_in_the_local_zone() {
        let q = QuietHours::from_minutes(22 * 60, 7 * 60).unwrap();
        assert!(q.contains(at(23, 59)) && q.contains(at(0, 0)) && q.contains(at(6, 59)));
        assert!(!q.contains(at(7, 0)) && !q.contains(at(21, 59)));
        let day = QuietHours::from_minutes(13 * 60, 15 * 60).unwrap();
        assert!(day.contains(at(14, 0)) && !day.contains(at(15, 0)));
        let tz: Tz = "America/Argentina/Buenos_Aires".parse().unwrap();
        // 02:00 UTC is 23:00 the day before in Buenos Aires (UTC-3): wake at 07:00 local.
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 2, 0, 0).unwrap();
        assert_eq!(
            q.end_after(now, tz),
            Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap()
        );
        let noon = Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).unwrap();
        assert_eq!(q.end_after(noon, tz), noon);
        assert_eq!(q.minutes(), (1320, 420));
    }

    #[test]
    fn quiet_hours_input_is_hh_mm_and_an_empty_span_is_none() {
        assert!(quiet_hours("25:00", "07:00").is_err());
        assert!(quiet_hours("7:00", "08:00").is_err());
        assert!(quiet_hours("22:00", "").is_err());
        assert_eq!(quiet_hours("07:00", "07:00").unwrap(), None);
        assert_eq!(
            quiet_hours("22:30", "06:15").unwrap().unwrap().minutes(),
            (1350, 375)
        );
    }
}
