//! The public, k-anonymous picture of open help requests: counts per resolution-8 cell, rolled
//! up into resolution-7 parents when a cell holds fewer than [`K_MIN`], and dropped when even
//! the parent stays below it. Anyone may see it, signed in or not.

use std::collections::BTreeMap;

use h3o::Resolution;

use super::cells::{self, Cell, PUBLIC_RES};
use super::geo::{BBox, LatLon};
use super::Invalid;

/// The smallest count any public view shows.
pub const K_MIN: usize = 3;
/// Where res-8 counts below [`K_MIN`] roll up to.
pub const ROLLUP_RES: Resolution = Resolution::Seven;

/// The resolution a public count may be asked for: 8 (the default) or coarser.
pub fn public_res(value: Option<u8>) -> Result<Resolution, Invalid> {
    super::cells::resolution(value.unwrap_or(u8::from(PUBLIC_RES)), PUBLIC_RES)
}

/// Counts of stored (res-9) cells at `res`, sorted by cell.
///
/// The public picture is decided once, at res 8: cells with at least [`K_MIN`] requests, plus
/// the res-7 roll-up of the smaller ones when that reaches [`K_MIN`]. A coarser view only adds
/// up what that picture shows, so comparing two resolutions reveals nothing it hides.
pub fn public_counts(stored: &[Cell], res: Resolution) -> Vec<(Cell, usize)> {
    let fine = count_at(stored.iter().copied(), PUBLIC_RES);
    let mut shown: Vec<(Cell, usize)> = fine
        .iter()
        .filter(|(_, n)| **n >= K_MIN)
        .map(|(c, n)| (*c, *n))
        .collect();
    let rest = fine
        .iter()
        .filter(|(_, n)| **n < K_MIN)
        .flat_map(|(c, n)| std::iter::repeat_n(*c, *n));
    let rolled = count_at(rest, ROLLUP_RES);
    shown.extend(rolled.into_iter().filter(|(_, n)| *n >= K_MIN));
    if res < PUBLIC_RES {
        let mut coarse: BTreeMap<Cell, usize> = BTreeMap::new();
        for (c, n) in shown {
            if let Some(parent) = c.parent(res) {
                *coarse.entry(parent).or_insert(0) += n;
            }
        }
        shown = coarse.into_iter().collect();
    }
    shown.sort();
    shown
}

fn count_at(cells: impl Iterator<Item = Cell>, res: Resolution) -> BTreeMap<Cell, usize> {
    let mut counts = BTreeMap::new();
    for c in cells.filter_map(|c| c.parent(res)) {
        *counts.entry(c).or_insert(0) += 1;
    }
    counts
}

/// Res-9 id ranges holding every open request that can count towards a cell of resolution
/// `res` touching `bbox`. The ranges are whole cells of resolution 7 or coarser (never finer
/// than `res`), so each res-8 cell, its res-7 parent and each coarser cell is counted
/// completely or not at all: the selection depends on cells only, never on where a request
/// lies inside one, and moving the box cannot cut a cell to locate a request.
///
/// For a city-sized box these are the cells of that resolution touching the box widened by
/// two of their edges (a child can reach past its parent's outline); for a large box, whose
/// grid disk would be huge, a few coarser cells around a circle.
pub fn count_cover(bbox: BBox, res: Resolution) -> Vec<(i64, i64)> {
    /// Widest grid disk searched cell by cell (about 2,000 cells).
    const MAX_RINGS: u32 = 25;
    let coarsest = res.min(ROLLUP_RES);
    let centre = LatLon {
        lat: (bbox.min_lat + bbox.max_lat) / 2.0,
        lon: (bbox.min_lon + bbox.max_lon) / 2.0,
    };
    let half_diagonal = [
        (bbox.min_lat, bbox.min_lon),
        (bbox.min_lat, bbox.max_lon),
        (bbox.max_lat, bbox.min_lon),
        (bbox.max_lat, bbox.max_lon),
    ]
    .into_iter()
    .map(|(lat, lon)| centre.distance_m(&LatLon { lat, lon }))
    .fold(0.0, f64::max);
    let edge = coarsest.edge_length_m();
    let rings = ((half_diagonal + 3.0 * edge) / edge).ceil() as u32 + 1;
    let widest_lat = bbox.min_lat.abs().max(bbox.max_lat.abs());
    if rings <= MAX_RINGS && widest_lat < 80.0 {
        let dlat = 2.0 * edge / 111_000.0;
        let dlon = dlat / widest_lat.to_radians().cos();
        let wide = BBox {
            min_lon: bbox.min_lon - dlon,
            min_lat: bbox.min_lat - dlat,
            max_lon: bbox.max_lon + dlon,
            max_lat: bbox.max_lat + dlat,
        };
        let mut near: Vec<h3o::CellIndex> = Cell::at(centre, coarsest)
            .0
            .grid_disk::<Vec<_>>(rings)
            .into_iter()
            .filter(|c| touches(Cell(*c), wide))
            .collect();
        near.sort_unstable();
        near.dedup();
        let mut ranges: Vec<(i64, i64)> =
            near.into_iter().map(|c| Cell(c).stored_range()).collect();
        ranges.sort_unstable();
        return ranges;
    }
    // A hexagon's diameter is two edges; three leave room for H3's size distortion, so every
    // point of a cell touching the box lies within the circle.
    cells::covering_ranges_from(centre, half_diagonal + 3.0 * edge, coarsest)
}

/// Whether a cell's outline touches the box (by the outline's bounds), to trim the answer.
pub fn touches(cell: Cell, bbox: BBox) -> bool {
    let ring = cell.ring();
    let (mut lo_lon, mut lo_lat, mut hi_lon, mut hi_lat) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for [lon, lat] in ring {
        lo_lon = lo_lon.min(lon);
        hi_lon = hi_lon.max(lon);
        lo_lat = lo_lat.min(lat);
        hi_lat = hi_lat.max(lat);
    }
    lo_lon <= bbox.max_lon
        && hi_lon >= bbox.min_lon
        && lo_lat <= bbox.max_lat
        && hi_lat >= bbox.min_lat
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cells::STORED_RES;

    fn res9(lat: f64, lon: f64) -> Cell {
        Cell::at(LatLon::new(lat, lon).unwrap(), STORED_RES)
    }

    /// `n` res-9 cells inside the res-8 cell `c8`.
    fn inside(c8: Cell, n: usize) -> Vec<Cell> {
        let kids: Vec<Cell> = c8.0.children(STORED_RES).map(Cell).collect();
        (0..n).map(|i| kids[i % kids.len()]).collect()
    }

    #[test]
    fn a_cell_shows_from_three_requests() {
        let c8 = res9(-31.63, -60.70).parent(PUBLIC_RES).unwrap();
        assert!(public_counts(&inside(c8, 2), PUBLIC_RES).is_empty());
        assert_eq!(public_counts(&inside(c8, 3), PUBLIC_RES), vec![(c8, 3)]);
    }

    #[test]
    fn small_cells_roll_up_into_their_res7_parent_and_vanish_below_three() {
        let c7 = res9(-31.63, -60.70).parent(ROLLUP_RES).unwrap();
        let res8: Vec<Cell> = c7.0.children(PUBLIC_RES).map(Cell).collect();
        // Two cells with one request each: 2 in the parent, not shown.
        let mut cells = [inside(res8[0], 1), inside(res8[1], 1)].concat();
        assert!(public_counts(&cells, PUBLIC_RES).is_empty());
        // A third small cell lifts the parent to 3.
        cells.extend(inside(res8[2], 2));
        assert_eq!(public_counts(&cells, PUBLIC_RES), vec![(c7, 4)]);
        // A full cell shows on its own and does not feed the parent.
        cells.extend(inside(res8[3], 3));
        let counts = public_counts(&cells, PUBLIC_RES);
        assert!(
            counts.contains(&(res8[3], 3)) && counts.contains(&(c7, 4)),
            "{counts:?}"
        );
        assert!(counts.iter().all(|(_, n)| *n >= K_MIN));
    }

    #[test]
    fn coarser_views_add_up_only_what_the_res8_picture_shows() {
        let c7 = res9(-31.63, -60.70).parent(ROLLUP_RES).unwrap();
        let res8: Vec<Cell> = c7.0.children(PUBLIC_RES).map(Cell).collect();
        // 3 in one cell and a lone request next door: res 8 shows 3 and hides the lone one,
        // so res 7 must say 3 too, or subtracting the two would reveal it.
        let cells = [inside(res8[0], 3), inside(res8[1], 1)].concat();
        assert_eq!(public_counts(&cells, PUBLIC_RES), vec![(res8[0], 3)]);
        assert_eq!(public_counts(&cells, ROLLUP_RES), vec![(c7, 3)]);
        assert_eq!(
            public_counts(&cells, Resolution::Five),
            vec![(c7.parent(Resolution::Five).unwrap(), 3)]
        );
    }

    #[test]
    fn coarser_views_count_at_their_resolution_only() {
        let c8 = res9(-31.63, -60.70).parent(PUBLIC_RES).unwrap();
        let c6 = c8.parent(Resolution::Six).unwrap();
        assert_eq!(
            public_counts(&inside(c8, 4), Resolution::Six),
            vec![(c6, 4)]
        );
        assert!(public_counts(&inside(c8, 2), Resolution::Six).is_empty());
    }

    #[test]
    fn no_public_view_is_finer_than_res8() {
        assert_eq!(public_res(None).unwrap(), PUBLIC_RES);
        assert_eq!(public_res(Some(7)).unwrap(), Resolution::Seven);
        assert_eq!(
            public_res(Some(9)).unwrap_err().code.as_str(),
            "invalid_resolution"
        );
    }

    #[test]
    fn the_cover_holds_every_descendant_of_each_cell_touching_the_view() {
        let view = BBox {
            min_lon: -60.72,
            min_lat: -31.65,
            max_lon: -60.70,
            max_lat: -31.63,
        };
        for res in [PUBLIC_RES, ROLLUP_RES, Resolution::Five] {
            let ranges = count_cover(view, res);
            let inside = |id: i64| ranges.iter().any(|(lo, hi)| *lo <= id && id <= *hi);
            let coarsest = res.min(ROLLUP_RES);
            for (lat, lon) in [(view.min_lat, view.min_lon), (view.max_lat, view.max_lon)] {
                let corner = res9(lat, lon).parent(coarsest).unwrap();
                assert!(touches(corner, view));
                assert!(corner
                    .0
                    .children(STORED_RES)
                    .all(|k| inside(Cell(k).to_db())));
            }
        }
        let far = res9(-32.95, -60.65);
        assert!(!touches(far.parent(PUBLIC_RES).unwrap(), view));
        assert!(!count_cover(view, PUBLIC_RES)
            .iter()
            .any(|(lo, hi)| *lo <= far.to_db() && far.to_db() <= *hi));
    }

    #[test]
    fn every_request_that_can_count_in_a_view_is_in_its_cover_and_far_ones_are_not() {
        let view = BBox {
            min_lon: -58.45,
            min_lat: -34.63,
            max_lon: -58.40,
            max_lat: -34.59,
        };
        for res in [PUBLIC_RES, ROLLUP_RES, Resolution::Six] {
            let ranges = count_cover(view, res);
            let inside = |id: i64| ranges.iter().any(|(lo, hi)| *lo <= id && id <= *hi);
            let mut far_out = 0;
            for i in 0..120 {
                for j in 0..120 {
                    let lat = -34.78 + 0.003 * f64::from(i);
                    let lon = -58.60 + 0.0035 * f64::from(j);
                    let k = res9(lat, lon);
                    // Any shown cell this request can count in: its res-8 cell, its res-7
                    // roll-up, or its cell at the coarser `res`.
                    let counts_here = [PUBLIC_RES, ROLLUP_RES, res]
                        .into_iter()
                        .filter_map(|r| k.parent(r))
                        .any(|c| touches(c, view));
                    if counts_here {
                        assert!(inside(k.to_db()), "{k} at res {res:?}");
                    }
                    far_out += usize::from(!inside(k.to_db()));
                }
            }
            assert!(
                far_out > 5_000,
                "the cover should leave most of the area out"
            );
        }
    }
}
