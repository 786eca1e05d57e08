//! A volunteer's home: how often it may move, and which home counts for a claim. Homes are
//! private; everything observable is measured from the home's resolution-8 cell.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Duration, Utc};

use super::cells::Cell;
use super::requests::Denied;

/// Limits on moving one's home.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HomePolicy {
    /// Home changes allowed in any 24 hours (0: no limit).
    pub changes_per_day: u32,
    /// How long a home must have stood before claims are measured from it.
    pub settle: Duration,
}

/// What to do with a profile update's home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeChange {
    /// Same stored cell as now: nothing to record or count.
    Unchanged,
    /// A new home cell: record it (it counts against the daily limit) and audit it.
    Moved,
}

/// Decides a home update, given the current home cell and when the home changed in the last
/// 24 hours. Moving within one stored cell is not a change, since nothing observable moves.
pub fn decide_home_change(
    policy: HomePolicy,
    current: Option<Cell>,
    new: Cell,
    recent_changes: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Result<HomeChange, Denied> {
    if current == Some(new) {
        return Ok(HomeChange::Unchanged);
    }
    let day = Duration::hours(24);
    let in_window: Vec<DateTime<Utc>> = recent_changes
        .iter()
        .copied()
        .filter(|t| *t > now - day)
        .collect();
    if policy.changes_per_day > 0 && in_window.len() as u32 >= policy.changes_per_day {
        let oldest = in_window.iter().min().copied().unwrap_or(now);
        return Err(Denied::Limited {
            code: ErrorCode::HomeChangeLimit,
            message: format!(
                "your home area moved {} times in the last 24 hours (the limit is {})",
                in_window.len(),
                policy.changes_per_day
            ),
            retry_after_secs: (oldest + day - now).num_seconds().max(1) as u64,
        });
    }
    Ok(HomeChange::Moved)
}

/// The moment a home must have been set by to count for a claim made at `now`.
pub fn settled_before(policy: HomePolicy, now: DateTime<Utc>) -> DateTime<Utc> {
    now - policy.settle
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cells::STORED_RES;
    use crate::domain::geo::LatLon;

    fn cell(lat: f64) -> Cell {
        Cell::at(LatLon::new(lat, -60.7).unwrap(), STORED_RES)
    }

    #[test]
    fn a_home_moves_three_times_a_day_and_then_waits() {
        let policy = HomePolicy {
            changes_per_day: 3,
            settle: Duration::hours(1),
        };
        let now = Utc::now();
        let h = Duration::hours;
        assert_eq!(
            decide_home_change(policy, None, cell(-31.6), &[], now),
            Ok(HomeChange::Moved)
        );
        assert_eq!(
            decide_home_change(policy, Some(cell(-31.6)), cell(-31.6), &[now; 5], now),
            Ok(HomeChange::Unchanged)
        );
        let three = [now - h(1), now - h(2), now - h(23)];
        match decide_home_change(policy, Some(cell(-31.6)), cell(-31.7), &three, now) {
            Err(Denied::Limited {
                code: ErrorCode::HomeChangeLimit,
                retry_after_secs,
                ..
            }) => assert_eq!(retry_after_secs, 3600),
            other => panic!("{other:?}"),
        }
        let old = [now - h(25), now - h(30), now - h(40)];
        assert!(decide_home_change(policy, Some(cell(-31.6)), cell(-31.7), &old, now).is_ok());
        assert_eq!(settled_before(policy, now), now - h(1));
    }
}
