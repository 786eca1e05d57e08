//! Matching volunteers to a request: the volunteer profile's rules and the candidate ranking.

use std::cmp::Ordering;

use super::Invalid;

pub const RADIUS_MIN_M: f64 = 100.0;
pub const RADIUS_MAX_M: f64 = 50_000.0;
pub const MAX_OPEN_LIMIT: i32 = 20;

/// How far from home a volunteer will go, 100 m to 50 km.
pub fn radius(value: f64) -> Result<f64, Invalid> {
    if !value.is_finite() || !(RADIUS_MIN_M..=RADIUS_MAX_M).contains(&value) {
        return Err(Invalid::new(
            "invalid_radius",
            format!("radius_m must be between {RADIUS_MIN_M} and {RADIUS_MAX_M}, got {value}"),
        ));
    }
    Ok(value)
}

/// How many requests a volunteer may hold at once, 1 to 20.
pub fn max_open(value: i32) -> Result<i32, Invalid> {
    if !(1..=MAX_OPEN_LIMIT).contains(&value) {
        return Err(Invalid::new(
            "invalid_max_open",
            format!("max_open must be between 1 and {MAX_OPEN_LIMIT}, got {value}"),
        ));
    }
    Ok(value)
}

/// An eligible volunteer for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub account_id: i64,
    pub display_name: String,
    pub distance_m: f64,
    /// Claims in the last 7 days.
    pub recent_assignments: i64,
}

/// Nearest first; at the same whole metre, the one with fewer recent assignments, to spread
/// the load; then the older account.
pub fn rank(a: &Candidate, b: &Candidate) -> Ordering {
    a.distance_m
        .round()
        .total_cmp(&b.distance_m.round())
        .then(a.recent_assignments.cmp(&b.recent_assignments))
        .then(a.account_id.cmp(&b.account_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: i64, d: f64, recent: i64) -> Candidate {
        Candidate {
            account_id: id,
            display_name: String::new(),
            distance_m: d,
            recent_assignments: recent,
        }
    }

    #[test]
    fn candidates_rank_by_distance_then_load() {
        let mut v = [
            c(1, 800.0, 0),
            c(2, 200.2, 3),
            c(3, 200.4, 1),
            c(4, 50.0, 9),
        ];
        v.sort_by(rank);
        assert_eq!(
            v.iter().map(|c| c.account_id).collect::<Vec<_>>(),
            vec![4, 3, 2, 1]
        );
    }

    #[test]
    fn profile_limits_hold() {
        assert!(radius(99.0).is_err());
        assert!(radius(f64::NAN).is_err());
        assert_eq!(radius(2000.0).unwrap(), 2000.0);
        assert!(max_open(0).is_err());
        assert!(max_open(21).is_err());
        assert_eq!(max_open(3).unwrap(), 3);
    }
}
