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

/// How many candidates to read from each reach class.
pub type PerClass = [usize; REACH_CLASSES_M.len()];

/// A candidate as read by a class walk: its class, and how far its public home lies from the
/// request's public point in plain lon/lat degrees, the order the walk reads in.
#[derive(Debug, Clone)]
pub struct Walked {
    pub candidate: Candidate,
    pub class: i16,
    pub planar_deg: f64,
}

/// Candidates read per reach class, nearest first in lon/lat degrees, at most `per_class[c]`
/// from class `c`. The first `limit` matches, or the classes to read further (`Err`): those
/// that gave all they were asked for while a candidate not read could still be within the
/// class's radius and tie or beat the last match.
pub fn matches_from_classes(
    category: &str,
    request: Cell,
    walked: Vec<Walked>,
    per_class: &PerClass,
    limit: usize,
) -> Result<Vec<Match>, Vec<usize>> {
    let target = privacy::public_point(request);
    let mut read = [(0usize, 0.0f64); REACH_CLASSES_M.len()];
    for w in &walked {
        let slot = &mut read[(w.class).clamp(0, REACH_CLASSES_M.len() as i16 - 1) as usize];
        slot.0 += 1;
        slot.1 = slot.1.max(w.planar_deg);
    }
    let mut ranked = rank(
        category,
        request,
        walked.into_iter().map(|w| w.candidate).collect(),
    );
    let last = (ranked.len() >= limit).then(|| ranked[limit.saturating_sub(1)].1);
    let unsafe_classes: Vec<usize> = read
        .iter()
        .enumerate()
        .filter(|(class, (n, farthest_deg))| {
            let unread_at_least = nearest_unread_m(target, *farthest_deg);
            *n >= per_class[*class]
                && unread_at_least <= REACH_CLASSES_M[*class]
                && last.is_none_or(|last| unread_at_least <= last + 1.0)
        })
        .map(|(class, _)| class)
        .collect();
    if !unsafe_classes.is_empty() {
        return Err(unsafe_classes);
    }
    ranked.truncate(limit);
    Ok(ranked.into_iter().map(|(c, d)| to_match(c, d)).collect())
}

/// A lower bound, in metres on the sphere, for any point at least `deg` plain lon/lat degrees
/// from `p`, among the points within 50 km of it (no farther one can be in reach). A degree of
/// longitude is shortest at the highest latitude in play, which is within half a degree of
/// `p`'s; near a pole or the antimeridian degrees say nothing, and the bound is 0.
pub fn nearest_unread_m(p: LatLon, deg: f64) -> f64 {
    const EARTH_M: f64 = 6_371_000.0;
    let highest = p.lat.abs() + 0.5;
    if highest >= 80.0 || p.lon.abs() >= 179.0 {
        return 0.0;
    }
    0.99 * EARTH_M * deg.to_radians() * highest.to_radians().cos()
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
        let two = [2; REACH_CLASSES_M.len()];
        let walk = |list: Vec<(Candidate, Cell)>| -> Vec<Walked> {
            let at = privacy::public_point(spot);
            list.into_iter()
                .map(|(candidate, home)| {
                    let h = privacy::public_point(home);
                    Walked {
                        candidate,
                        class,
                        planar_deg: ((h.lat - at.lat).powi(2) + (h.lon - at.lon).powi(2)).sqrt(),
                    }
                })
                .collect()
        };
        let got = matches_from_classes(
            "medicine",
            spot,
            walk(vec![(c(1, spot, 0), spot), (c(2, far, 0), far)]),
            &two,
            1,
        );
        assert_eq!(got.unwrap()[0].account_id, 1);
        // Asked for two matches: the second is the farthest read, and an unread one may tie.
        assert_eq!(
            matches_from_classes(
                "medicine",
                spot,
                walk(vec![(c(1, spot, 0), spot), (c(2, far, 0), far)]),
                &two,
                2
            )
            .unwrap_err(),
            vec![class as usize]
        );
        // The class was not read to its limit: everything it holds was read.
        let all = matches_from_classes(
            "medicine",
            spot,
            walk(vec![(c(1, spot, 0), spot), (c(2, near, 0), near)]),
            &[3; REACH_CLASSES_M.len()],
            5,
        )
        .unwrap();
        assert_eq!(
            all.iter().map(|m| m.account_id).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }

    #[test]
    fn the_bound_on_unread_candidates_never_exceeds_their_distance() {
        use ::geo::{Destination, Haversine, Point};
        for (lat, lon) in [(-34.6, -58.4), (-54.8, -68.3), (0.0, 0.0), (70.0, 20.0)] {
            let p = LatLon::new(lat, lon).unwrap();
            for i in 0..72 {
                for metres in [50.0, 900.0, 7_000.0, 49_000.0] {
                    let q = Haversine.destination(Point::new(lon, lat), f64::from(i) * 5.0, metres);
                    let deg = ((q.y() - lat).powi(2) + (q.x() - lon).powi(2)).sqrt();
                    assert!(
                        nearest_unread_m(p, deg) <= metres,
                        "{lat},{lon} {i} {metres}"
                    );
                }
            }
        }
        assert_eq!(
            nearest_unread_m(LatLon::new(-34.6, 179.5).unwrap(), 1.0),
            0.0
        );
    }
}
