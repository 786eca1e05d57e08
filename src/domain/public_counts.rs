//! The public, k-anonymous picture of open help requests: counts per resolution-8 cell, rolled
//! up into resolution-7 parents when a cell holds fewer than [`K_MIN`], and dropped when even
//! the parent stays below it. Anyone may see it, signed in or not.

use std::collections::BTreeMap;

use h3o::Resolution;

use super::cells::{Cell, PUBLIC_RES};
use super::geo::BBox;
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

/// The query box widened so that every cell that touches `bbox`, at the coarsest resolution the
/// answer may use, lies wholly inside it. Counting whole cells, rather than the points that
/// happen to fall inside the box, keeps a sliding box from locating a request inside its cell.
pub fn widened_bbox(bbox: BBox, res: Resolution) -> BBox {
    let coarsest = res.min(ROLLUP_RES);
    // A hexagon's diameter is two edges; three leave room for H3's size distortion.
    let margin_m = 3.0 * coarsest.edge_length_m();
    let dlat = margin_m / 111_320.0;
    let widest_lat = bbox.min_lat.abs().max(bbox.max_lat.abs()).min(85.0);
    let dlon = margin_m / (111_320.0 * widest_lat.to_radians().cos());
    BBox {
        min_lon: (bbox.min_lon - dlon).max(-180.0),
        min_lat: (bbox.min_lat - dlat).max(-90.0),
        max_lon: (bbox.max_lon + dlon).min(180.0),
        max_lat: (bbox.max_lat + dlat).min(90.0),
    }
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
    use crate::domain::geo::LatLon;

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
        assert_eq!(public_res(Some(9)).unwrap_err().code, "invalid_resolution");
    }

    #[test]
    fn the_widened_box_holds_every_res7_cell_touching_the_view() {
        let view = BBox {
            min_lon: -60.72,
            min_lat: -31.65,
            max_lon: -60.70,
            max_lat: -31.63,
        };
        let wide = widened_bbox(view, PUBLIC_RES);
        let corner = res9(view.min_lat, view.min_lon).parent(ROLLUP_RES).unwrap();
        for [lon, lat] in corner.ring() {
            assert!(
                wide.min_lon < lon
                    && lon < wide.max_lon
                    && wide.min_lat < lat
                    && lat < wide.max_lat
            );
        }
        assert!(touches(corner, view));
        let far = res9(-32.95, -60.65).parent(PUBLIC_RES).unwrap();
        assert!(!touches(far, view));
    }
}
