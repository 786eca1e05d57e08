//! Matching volunteers to a request: the volunteer profile's rules and the candidate ranking.

use super::cells::Cell;
use super::claims::{self, Volunteer};
use super::geo::{self, LatLon};
use super::privacy;
use super::Invalid;
use crate::error_code::ErrorCode;

pub const RADIUS_MIN_M: f64 = 100.0;
pub const RADIUS_MAX_M: f64 = 50_000.0;
pub const MAX_OPEN_LIMIT: i32 = 20;

/// Radii are grouped in classes up to these bounds, so the database can walk each class's
/// homes nearest first within its bound: one walk per class finds the nearest volunteers who
/// can reach a request, without reading everyone a 50 km radius could bring in.
pub const REACH_CLASSES_M: [f64; 6] = [1_000.0, 2_000.0, 5_000.0, 10_000.0, 20_000.0, RADIUS_MAX_M];

/// The class of a radius: the first bound that holds it.
pub fn reach_class(radius_m: f64) -> i16 {
    REACH_CLASSES_M
        .iter()
        .position(|bound| radius_m <= *bound)
        .unwrap_or(REACH_CLASSES_M.len() - 1) as i16
}

/// Where matching looks for a volunteer: the public point of their home cell and the class
/// of their radius. Never the exact home.
pub fn placement(home: Cell, radius_m: f64) -> (LatLon, i16) {
    (privacy::public_point(home), reach_class(radius_m))
}

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
    let mut ranked = rank(category, request, candidates);
    ranked.truncate(limit);
    ranked.into_iter().map(|(c, d)| to_match(c, d)).collect()
}

/// Candidates read per reach class, nearest first by public point, at most `per_class` of
/// each. The first `limit` matches, or `None` when a candidate not read could still be among
/// them: when a class gave all it was asked for and its farthest read is not clearly farther
/// than the last match. Then read more.
pub fn matches_from_classes(
    category: &str,
    request: Cell,
    candidates: Vec<(Candidate, i16)>,
    per_class: usize,
    limit: usize,
) -> Option<Vec<Match>> {
    // Distances from the database and from here may differ in the last digits.
    const TIE_M: f64 = 1.0;
    let target = privacy::public_point(request);
    let mut read = [(0usize, 0.0f64); REACH_CLASSES_M.len()];
    for (c, class) in &candidates {
        let slot = &mut read[(*class).clamp(0, REACH_CLASSES_M.len() as i16 - 1) as usize];
        slot.0 += 1;
        if let Some(home) = c.home {
            slot.1 = slot.1.max(privacy::public_point(home).distance_m(&target));
        }
    }
    let mut ranked = rank(
        category,
        request,
        candidates.into_iter().map(|(c, _)| c).collect(),
    );
    let unread_could_matter = read.iter().any(|(n, farthest)| {
        *n >= per_class
            && match ranked.get(limit.saturating_sub(1)) {
                Some((_, last)) if ranked.len() >= limit => *farthest <= last + TIE_M,
                _ => true,
            }
    });
    if unread_could_matter {
        return None;
    }
    ranked.truncate(limit);
    Some(ranked.into_iter().map(|(c, d)| to_match(c, d)).collect())
}

fn rank(category: &str, request: Cell, candidates: Vec<Candidate>) -> Vec<(Candidate, f64)> {
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
    ok
}

fn to_match(c: Candidate, d: f64) -> Match {
    Match {
        account_id: c.account_id,
        display_name: c.display_name,
        distance_band: geo::distance_band(d),
        recent_assignments: c.recent_assignments,
    }
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

    #[test]
    fn reach_classes_hold_their_radii() {
        assert_eq!(reach_class(100.0), 0);
        assert_eq!(reach_class(1_000.0), 0);
        assert_eq!(reach_class(1_000.5), 1);
        assert_eq!(reach_class(RADIUS_MAX_M), 5);
        for r in [150.0, 999.0, 4_000.0, 12_345.0, 49_999.0] {
            assert!(r <= REACH_CLASSES_M[reach_class(r) as usize]);
        }
    }

    #[test]
    fn a_class_read_to_its_limit_asks_for_more_unless_it_is_clearly_farther() {
        let spot = cell(-31.6333, -60.7);
        let near = cell(-31.6333, -60.71);
        let far = cell(-31.6333, -60.74);
        let class = reach_class(5_000.0);
        // Two read of class 2, asked for two: the farthest read is farther than the only
        // match needed, so nothing unread can beat it.
        let got = matches_from_classes(
            "medicine",
            spot,
            vec![(c(1, spot, 0), class), (c(2, far, 0), class)],
            2,
            1,
        );
        assert_eq!(got.unwrap()[0].account_id, 1);
        // Asked for two matches: the second is the farthest read, and an unread one may tie.
        assert!(matches_from_classes(
            "medicine",
            spot,
            vec![(c(1, spot, 0), class), (c(2, far, 0), class)],
            2,
            2
        )
        .is_none());
        // The class was not read to its limit: everything it holds was read.
        let all = matches_from_classes(
            "medicine",
            spot,
            vec![(c(1, spot, 0), class), (c(2, near, 0), class)],
            3,
            5,
        )
        .unwrap();
        assert_eq!(
            all.iter().map(|m| m.account_id).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }
}
