//! Shard cells: the resolution-5 H3 parent that Citus distributes places and requests by
//! (SCALING.md section 2), and the shard cells a search names so that Citus reads only the
//! shards it needs.

use h3o::Resolution;

use super::cells::{covering_ranges_from, Cell, STORED_RES};
use super::geo::LatLon;

/// The resolution of `shard_cell`, the key Citus distributes places and requests by
/// (SCALING.md section 2).
pub const SHARD_RES: Resolution = Resolution::Five;

/// The `shard_cell` of a stored cell, or of any cell at least as fine as [`SHARD_RES`]: its
/// res-5 parent in database form. The same bits as SQL's `antes_shard_cell`: resolution 5,
/// digits 6 to 15 set to the unused digit 7.
pub fn shard_cell(db_cell: i64) -> i64 {
    const LOW_DIGITS: i64 = (1 << 30) - 1;
    (db_cell & !((0xF << 52) | LOW_DIGITS)) | (5 << 52) | LOW_DIGITS
}

/// The distinct shard cells of some stored cells, sorted: the `shard_cell = ANY(..)` that lets
/// Citus route a query to the shards it needs.
pub fn shard_cells(db_cells: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut shards: Vec<i64> = db_cells.into_iter().map(shard_cell).collect();
    shards.sort_unstable();
    shards.dedup();
    shards
}

/// The shard cells a circle reaches, sorted: the parents of the stored cells whose centre
/// lies within the radius plus a cell's reach. A place's shard cell is the parent of its
/// stored cell, and H3 children stick out of their parent's hexagon, so this asks the stored
/// cells rather than the resolution-5 hexagons. Nearby searches name these, so that Citus
/// reads one shard when the circle stays inside one parent, where the looser cover of
/// [`covering_ranges_from`] would usually name two.
pub fn shard_cells_of_circle(center: LatLon, radius_m: f64) -> Vec<i64> {
    // Beyond this the walk grows (about 12,000 cells at 10 km); the cover is as good.
    const EXACT_UP_TO_M: f64 = 10_000.0;
    if radius_m > EXACT_UP_TO_M {
        return shard_cells_of_ranges(&covering_ranges_from(center, radius_m, SHARD_RES));
    }
    let edge = STORED_RES.edge_length_m();
    // A stored cell's points lie within about one edge of its centre (1.5 edges under H3's
    // distortion), and one edge per ring is a safe floor for how far the rings reach.
    let reach = radius_m + 1.5 * edge;
    let k = ((reach + edge) / edge).ceil() as u32;
    let mut shards: Vec<i64> = Cell::at(center, STORED_RES)
        .0
        .grid_disk_safe(k)
        .filter(|c| center.distance_m(&Cell(*c).center()) <= reach)
        .map(|c| shard_cell(Cell(c).to_db()))
        .collect();
    shards.sort_unstable();
    shards.dedup();
    shards
}

/// The shard cells holding every stored cell of some ranges (as [`covering_ranges_from`] or
/// `privacy::reach_cover` give them), sorted: one per range from a cell of resolution 5 or
/// finer, the resolution-5 children of a coarser one.
pub fn shard_cells_of_ranges(ranges: &[(i64, i64)]) -> Vec<i64> {
    shard_cells_of_ranges_up_to(ranges, usize::MAX).unwrap_or_default()
}

/// Above this many shard cells a query names none and reads every shard. A box that large (a
/// country, the world) reaches every shard anyway, and Citus copies the list into each shard's
/// query: a whole-world box named about two million shard cells, and took over 30 s.
pub const MAX_NAMED_SHARD_CELLS: usize = 1_024;

/// The shard cells a query over `ranges` names so that Citus reads only their shards, or None
/// when there are more than [`MAX_NAMED_SHARD_CELLS`] and it should read every shard.
pub fn shard_cells_to_name(ranges: &[(i64, i64)]) -> Option<Vec<i64>> {
    shard_cells_of_ranges_up_to(ranges, MAX_NAMED_SHARD_CELLS)
}

fn shard_cells_of_ranges_up_to(ranges: &[(i64, i64)], limit: usize) -> Option<Vec<i64>> {
    let mut shards = Vec::new();
    for &(lo, hi) in ranges {
        let Ok(first) = Cell::from_db(lo) else {
            continue;
        };
        // The cell the range was made from: the finest ancestor of its first id whose range
        // it is.
        let source = Resolution::range(Resolution::Zero, STORED_RES)
            .rev()
            .filter_map(|res| first.parent(res))
            .find(|c| c.stored_range() == (lo, hi));
        match source {
            Some(c) if c.res() < SHARD_RES => {
                shards.extend(c.0.children(SHARD_RES).map(|c| Cell(c).to_db()))
            }
            _ => shards.push(shard_cell(lo)),
        }
        if shards.len() > limit {
            shards.sort_unstable();
            shards.dedup();
            if shards.len() > limit {
                return None;
            }
        }
    }
    shards.sort_unstable();
    shards.dedup();
    Some(shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn santa_fe() -> LatLon {
        LatLon::new(-31.6333, -60.7).unwrap()
    }

    #[test]
    fn a_shard_cell_is_the_res_5_parent_of_a_stored_or_area_cell() {
        for (lat, lon) in [
            (-31.6333, -60.7),
            (-34.6037, -58.3816),
            (64.1, -21.9),
            (0.0, 0.0),
        ] {
            let point = LatLon::new(lat, lon).unwrap();
            let stored = Cell::at(point, STORED_RES);
            let parent = stored.parent(SHARD_RES).unwrap().to_db();
            assert_eq!(shard_cell(stored.to_db()), parent);
            let area = stored.parent(Resolution::Seven).unwrap().to_db();
            assert_eq!(shard_cell(area), parent);
            assert_eq!(shard_cell(parent), parent);
        }
        let a = Cell::at(santa_fe(), STORED_RES).to_db();
        assert_eq!(shard_cells([a, a, shard_cell(a)]), vec![shard_cell(a)]);
    }

    #[test]
    fn a_cover_of_a_continent_names_no_shard_cells_and_a_city_names_its_own() {
        let city = covering_ranges_from(santa_fe(), 1_500.0, STORED_RES);
        assert_eq!(
            shard_cells_to_name(&city),
            Some(shard_cells_of_ranges(&city))
        );
        // A res-0 cell alone has 16,807 children at resolution 5.
        let res0 = Cell::at(santa_fe(), STORED_RES)
            .parent(Resolution::Zero)
            .unwrap();
        assert_eq!(shard_cells_to_name(&[res0.stored_range()]), None);
        assert!(shard_cells_of_ranges(&[res0.stored_range()]).len() > MAX_NAMED_SHARD_CELLS);
    }

    #[test]
    fn the_shard_cells_of_a_cover_hold_every_cell_in_it() {
        for radius_m in [300.0, 1_500.0, 20_000.0, 300_000.0] {
            let ranges = covering_ranges_from(santa_fe(), radius_m, STORED_RES);
            let shards = shard_cells_of_ranges(&ranges);
            for &(lo, hi) in &ranges {
                for id in [lo, hi] {
                    let cell = Cell::from_db(id).unwrap().parent(SHARD_RES).unwrap();
                    assert!(
                        shards.contains(&cell.to_db()),
                        "{radius_m} m: {cell} missing"
                    );
                }
            }
            if radius_m <= 1_500.0 {
                assert!(
                    shards.len() <= 3,
                    "{radius_m} m reads {} shard cells",
                    shards.len()
                );
            }
        }
    }

    fn destination(from: LatLon, metres: f64, bearing: f64) -> LatLon {
        use geo::{Destination, Haversine, Point};
        let p = Haversine.destination(Point::new(from.lon, from.lat), bearing, metres);
        LatLon::new(p.y(), p.x()).unwrap()
    }

    #[test]
    fn the_shard_cells_of_a_circle_hold_every_point_in_it_and_often_only_one() {
        let mut one = 0;
        let mut total = 0;
        for i in 0..150 {
            let center = LatLon::new(
                -34.9 + (i % 15) as f64 * 0.041,
                -58.8 + (i / 15) as f64 * 0.053,
            )
            .unwrap();
            for radius_m in [300.0, 1_500.0, 4_000.0] {
                let shards = shard_cells_of_circle(center, radius_m);
                for step in 0..72 {
                    let bearing = (step * 5) as f64;
                    for share in [0.5, 0.999] {
                        let p = destination(center, radius_m * share, bearing);
                        let shard = shard_cell(Cell::at(p, STORED_RES).to_db());
                        assert!(
                            shards.contains(&shard),
                            "{center:?} {radius_m} m {bearing}°"
                        );
                    }
                }
                if radius_m == 1_500.0 {
                    total += 1;
                    one += usize::from(shards.len() == 1);
                }
            }
        }
        // The simulation's exact count for 1.5 km is about half; the margin costs a little.
        assert!(
            one * 100 / total >= 35,
            "{one} of {total} on one shard cell"
        );
    }
}
