//! H3 cells: the resolution-9 cell stored with every point, the coarser cells used for public
//! counts and candidate search, and the integer ranges that map a coarse cell to its res-9
//! descendants. Cells travel as hex strings in JSON and as `bigint` in the database.

use crate::error_code::ErrorCode;
use std::fmt;

use h3o::{CellIndex, LatLng, Resolution};
use serde::{Deserialize, Serialize};

use super::geo::LatLon;
use super::Invalid;

/// The resolution stored with every point (about 0.1 km² per cell).
pub const STORED_RES: Resolution = Resolution::Nine;
/// The finest resolution any public view of a help request may show (about 0.74 km²).
pub const PUBLIC_RES: Resolution = Resolution::Eight;
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

/// An H3 cell. Serialises as its hex string (`"89b24d36e77ffff"`), which JavaScript keeps exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell(pub CellIndex);

impl Cell {
    pub fn at(point: LatLon, res: Resolution) -> Cell {
        // LatLon is validated, so LatLng::new cannot fail on it.
        let ll = LatLng::new(point.lat, point.lon).expect("validated coordinates");
        Cell(ll.to_cell(res))
    }

    pub fn res(self) -> Resolution {
        self.0.resolution()
    }

    pub fn parent(self, res: Resolution) -> Option<Cell> {
        self.0.parent(res).map(Cell)
    }

    pub fn center(self) -> LatLon {
        let ll = LatLng::from(self.0);
        LatLon {
            lat: ll.lat(),
            lon: ll.lng(),
        }
    }

    /// The closed ring of the cell's boundary, as GeoJSON `[lon, lat]` pairs.
    pub fn ring(self) -> Vec<[f64; 2]> {
        let mut ring: Vec<[f64; 2]> = self
            .0
            .boundary()
            .iter()
            .map(|ll| [ll.lng(), ll.lat()])
            .collect();
        if let Some(first) = ring.first().copied() {
            ring.push(first);
        }
        ring
    }

    /// The database form: H3 indexes fit in 63 bits, so the cast is lossless.
    pub fn to_db(self) -> i64 {
        u64::from(self.0) as i64
    }

    pub fn from_db(value: i64) -> Result<Cell, Invalid> {
        CellIndex::try_from(value as u64)
            .map(Cell)
            .map_err(|_| Invalid::new(ErrorCode::InvalidCell, format!("not an H3 cell: {value}")))
    }

    /// The inclusive range of stored (res-9) cell ids that descend from this cell: the id with
    /// every digit below this cell's resolution set to 0, up to the one with every digit 6.
    /// Computed from the bits, since walking a coarse cell's children takes millions of steps.
    pub fn stored_range(self) -> (i64, i64) {
        let res = u8::from(self.res());
        let stored = u8::from(STORED_RES);
        if res >= stored {
            return (self.to_db(), self.to_db());
        }
        let bits = u64::from(self.0);
        let with_res = (bits & !(0xF << 52)) | (u64::from(stored) << 52);
        let (mut lo, mut hi) = (with_res, with_res);
        for digit in res + 1..=stored {
            let shift = u64::from(15 - digit) * 3;
            lo &= !(0b111 << shift);
            hi = (hi & !(0b111 << shift)) | (6 << shift);
        }
        (lo as i64, hi as i64)
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for Cell {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        s.parse::<CellIndex>()
            .map(Cell)
            .map_err(|_| Invalid::new(ErrorCode::InvalidCell, format!("not an H3 cell: `{s}`")))
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses a resolution number, limited to `0..=max`.
pub fn resolution(value: u8, max: Resolution) -> Result<Resolution, Invalid> {
    Resolution::try_from(value)
        .ok()
        .filter(|r| *r <= max)
        .ok_or_else(|| {
            Invalid::new(
                ErrorCode::InvalidResolution,
                format!("res must be between 0 and {}, got {value}", u8::from(max)),
            )
        })
}

/// Res-9 id ranges whose cells cover every point within `radius_m` of `center`.
///
/// It picks the finest resolution at which a small grid disk suffices, so a 50 km search
/// needs a few dozen ranges rather than tens of thousands of res-9 cells.
pub fn covering_ranges(center: LatLon, radius_m: f64) -> Vec<(i64, i64)> {
    covering_ranges_from(center, radius_m, STORED_RES)
}

/// Like [`covering_ranges`], with cells no finer than `finest`, so that every cell of that
/// resolution which has a descendant in the answer has all of them in it.
pub fn covering_ranges_from(center: LatLon, radius_m: f64, finest: Resolution) -> Vec<(i64, i64)> {
    let mut res = finest.min(STORED_RES);
    loop {
        let edge = res.edge_length_m();
        // Neighbouring centres are about sqrt(3) edges apart; one edge per ring is a safe floor
        // under H3's distortion, and the extra ring covers the point's own cell.
        let k = ((radius_m + edge) / edge).ceil() as u32 + 1;
        if k <= 6 || res == Resolution::Zero {
            let origin = Cell::at(center, res);
            let mut ranges: Vec<(i64, i64)> = origin
                .0
                .grid_disk_safe(k)
                .map(|c| Cell(c).stored_range())
                .collect();
            ranges.sort_unstable();
            return ranges;
        }
        res = Resolution::try_from(u8::from(res) - 1).expect("coarser resolution exists");
    }
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
    }
    shards.sort_unstable();
    shards.dedup();
    shards
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

    #[test]
    fn cells_round_trip_through_hex_and_bigint() {
        let c = Cell::at(santa_fe(), STORED_RES);
        let hex = c.to_string();
        assert_eq!(hex.parse::<Cell>().unwrap(), c);
        assert_eq!(Cell::from_db(c.to_db()).unwrap(), c);
        assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{hex}\""));
        assert!("zz".parse::<Cell>().is_err());
    }

    #[test]
    fn the_migrations_bit_formula_gives_the_res7_parent() {
        // migrations/0004_privacy.sql computes res-7 parents of stored cells in SQL this way.
        for p in [
            santa_fe(),
            LatLon::new(-34.6, -58.4).unwrap(),
            LatLon::new(51.5, 0.1).unwrap(),
        ] {
            let c = Cell::at(p, STORED_RES).to_db();
            let sql = ((c & !(15i64 << 52)) | (7i64 << 52)) | (63i64 << 18);
            assert_eq!(
                sql,
                Cell::at(p, STORED_RES)
                    .parent(Resolution::Seven)
                    .unwrap()
                    .to_db()
            );
        }
    }

    #[test]
    fn stored_ranges_are_the_children_bounds() {
        let walk = |c: Cell| {
            let ids: Vec<u64> = c.0.children(STORED_RES).map(u64::from).collect();
            (
                *ids.iter().min().unwrap() as i64,
                *ids.iter().max().unwrap() as i64,
            )
        };
        let base = CellIndex::base_cells().find(|b| b.is_pentagon()).unwrap();
        let pentagon = Cell(base.center_child(Resolution::Five).unwrap());
        for c in [
            Cell::at(santa_fe(), Resolution::Eight),
            Cell::at(santa_fe(), Resolution::Five),
            Cell::at(santa_fe(), Resolution::Four),
            pentagon,
        ] {
            assert_eq!(c.stored_range(), walk(c), "{c}");
        }
        let c9 = Cell::at(santa_fe(), STORED_RES);
        assert_eq!(c9.stored_range(), (c9.to_db(), c9.to_db()));
    }

    #[test]
    fn a_res9_cell_lies_inside_its_res7_parent_range() {
        let c = Cell::at(santa_fe(), STORED_RES);
        let (lo, hi) = c.parent(Resolution::Seven).unwrap().stored_range();
        assert!(lo <= c.to_db() && c.to_db() <= hi);
        let other = Cell::at(LatLon::new(-32.95, -60.65).unwrap(), STORED_RES);
        assert!(!(lo <= other.to_db() && other.to_db() <= hi));
    }

    #[test]
    fn covering_ranges_contain_every_point_on_the_circle() {
        for radius in [50.0, 300.0, 1_500.0, 12_000.0, 50_000.0] {
            let ranges = covering_ranges(santa_fe(), radius);
            assert!(ranges.len() <= 127, "{radius}: {} ranges", ranges.len());
            for i in 0..72 {
                let bearing = (i as f64 * 5.0).to_radians();
                let d = radius * 0.999 / crate::domain::geo::EARTH_RADIUS_M;
                let lat1 = santa_fe().lat.to_radians();
                let lon1 = santa_fe().lon.to_radians();
                let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * bearing.cos()).asin();
                let lon2 = lon1
                    + (bearing.sin() * d.sin() * lat1.cos())
                        .atan2(d.cos() - lat1.sin() * lat2.sin());
                let p = LatLon::new(lat2.to_degrees(), lon2.to_degrees()).unwrap();
                let id = Cell::at(p, STORED_RES).to_db();
                assert!(
                    ranges.iter().any(|(lo, hi)| *lo <= id && id <= *hi),
                    "radius {radius} bearing {i}"
                );
            }
        }
    }
}
