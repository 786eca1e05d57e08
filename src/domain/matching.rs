//! Matching volunteers to a request: the volunteer profile's rules and the candidate ranking.

use super::cells::Cell;
use super::claims::{self, Volunteer};
use super::geo;
use super::Invalid;
use crate::error_code::ErrorCode;

pub const RADIUS_MIN_M: f64 = 100.0;
pub const RADIUS_MAX_M: f64 = 50_000.0;
pub const MAX_OPEN_LIMIT: i32 = 20;

/// How far from home a volunteer will go, 100 m to 50 km.
pub fn radius(value: f64) -> Result<f64, Invalid> {
    if !value.is_finite() || !(RADIUS_MIN_M..=RADIUS_MAX_M).contains(&value) {
        return Err(Invalid::new(
            ErrorCode::InvalidRadius,
            format!("radius_m must be between {RADIUS_MIN_M} and {RADIUS_MAX_M}, got {value}"),
        ));
    }
    Ok(value)
}

/// How many requests a volunteer may hold at once, 1 to 20.
pub fn max_open(value: i32) -> Result<i32, Invalid> {
    if !(1..=MAX_OPEN_LIMIT).contains(&value) {
        return Err(Invalid::new(
            ErrorCode::InvalidMaxOpen,
            format!("max_open must be between 1 and {MAX_OPEN_LIMIT}, got {value}"),
        ));
    }
    Ok(value)
}

/// A volunteer who might take a request, as read from the database.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub account_id: i64,
    pub display_name: String,
    pub volunteer: Volunteer,
    /// The current home's stored cell.
    pub home: Option<Cell>,
    /// Claims in the last 7 days.
    pub recent_assignments: i64,
}

/// A candidate as coordinators see them: a band, never a distance, since three exact
/// distances from chosen requests would pin a home that no one is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub account_id: i64,
    pub display_name: String,
    pub distance_band: &'static str,
    pub recent_assignments: i64,
}

/// The eligible candidates (the claim rule: `claims::eligible`), nearest first between public
/// points, then those with fewer recent assignments, to spread the load; then the older account.
pub fn matches(
    category: &str,
    request: Cell,
    candidates: Vec<Candidate>,
    limit: usize,
) -> Vec<Match> {
    let mut ok: Vec<(Candidate, f64)> = candidates
        .into_iter()
        .filter_map(|c| {
            claims::eligible(&c.volunteer, c.home, category, request)
                .ok()
                .map(|d| (c, d))
        })
        .collect();
    ok.sort_by(|(a, da), (b, db)| {
        da.total_cmp(db)
            .then(a.recent_assignments.cmp(&b.recent_assignments))
            .then(a.account_id.cmp(&b.account_id))
    });
    ok.truncate(limit);
    ok.into_iter()
        .map(|(c, d)| Match {
            account_id: c.account_id,
            display_name: c.display_name,
            distance_band: geo::distance_band(d),
            recent_assignments: c.recent_assignments,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::accounts::Role;

    fn cell(lat: f64, lon: f64) -> Cell {
        Cell::at(
            crate::domain::geo::LatLon::new(lat, lon).unwrap(),
            crate::domain::cells::STORED_RES,
        )
    }

    fn c(id: i64, home: Cell, recent: i64) -> Candidate {
        Candidate {
            account_id: id,
            display_name: String::new(),
            volunteer: Volunteer {
                role: Role::Volunteer,
                verified: true,
                suspended: false,
                on_duty: true,
                skills: vec!["medicine".into()],
                radius_m: 5_000.0,
                open_assignments: 0,
                max_open: 2,
            },
            home: Some(home),
            recent_assignments: recent,
        }
    }

    #[test]
    fn candidates_rank_by_public_distance_then_load_and_show_bands() {
        let spot = cell(-31.6333, -60.7);
        let far = cell(-31.6333, -60.73);
        let mut off = c(5, spot, 0);
        off.volunteer.on_duty = false;
        let list = matches(
            "medicine",
            spot,
            vec![c(1, far, 0), c(2, spot, 3), c(3, spot, 1), off],
            10,
        );
        let ids: Vec<i64> = list.iter().map(|m| m.account_id).collect();
        assert_eq!(ids, vec![3, 2, 1]);
        assert_eq!(list[0].distance_band, "<1 km");
        assert_eq!(list[2].distance_band, "1-3 km");
        assert!(matches("meal", spot, vec![c(1, spot, 0)], 10).is_empty());
        assert_eq!(
            matches("medicine", spot, vec![c(1, spot, 0), c(2, spot, 0)], 1).len(),
            1
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
