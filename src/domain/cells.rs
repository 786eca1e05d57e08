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

#[cfg(test)]
mod tests {
    use super::*;

    fn santa_fe() -> LatLon {
        LatLon::new(-31.6333, -60.7).unwrap()
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
