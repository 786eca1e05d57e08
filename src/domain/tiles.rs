//! Map tiles of our own layers: which tile is asked for, the box it covers, and at which H3
//! resolution a zoom level shows places as counts per cell rather than one by one.

use crate::error_code::ErrorCode;

use super::geo::BBox;
use super::Invalid;

/// The deepest zoom served; MapLibre overzooms beyond it.
pub const MAX_ZOOM: u8 = 16;
/// The finest H3 resolution whose counts the tiles show.
pub const MAX_CELL_RES: u8 = 8;
/// From this zoom on, places are drawn one by one; below it, as counts per H3 cell.
pub const POINTS_FROM_ZOOM: u8 = 13;

/// One tile of the Web Mercator grid (XYZ, y down from the north).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl Tile {
    /// Parses `z`, `x` and `y.mvt` from the path.
    pub fn parse(z: &str, x: &str, y_mvt: &str) -> Result<Tile, Invalid> {
        let bad = || {
            Invalid::new(
                ErrorCode::InvalidTile,
                format!(
                    "a tile is /{{z}}/{{x}}/{{y}}.mvt with z from 0 to {MAX_ZOOM} and x, y \
                     below 2^z; got /{z}/{x}/{y_mvt}"
                ),
            )
        };
        let y = y_mvt.strip_suffix(".mvt").ok_or_else(bad)?;
        let z: u8 = z.parse().map_err(|_| bad())?;
        let (x, y): (u32, u32) = (x.parse().map_err(|_| bad())?, y.parse().map_err(|_| bad())?);
        if z > MAX_ZOOM || x > u32::from(u16::MAX) || y > u32::from(u16::MAX) {
            return Err(bad());
        }
        // A well-formed address off the grid of its zoom is a tile that does not exist.
        if x >= 1 << z || y >= 1 << z {
            return Err(Invalid::new(
                ErrorCode::NotFound,
                format!("zoom {z} has tiles 0 to {} across", (1u32 << z) - 1),
            ));
        }
        Ok(Tile { z, x, y })
    }

    /// The tile's extent in longitude and latitude.
    pub fn bbox(self) -> BBox {
        let n = f64::from(1u32 << self.z);
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * y / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        BBox {
            min_lon: lon(f64::from(self.x)),
            max_lon: lon(f64::from(self.x + 1)),
            min_lat: lat(f64::from(self.y + 1)),
            max_lat: lat(f64::from(self.y)),
        }
    }
}

/// The H3 resolution whose cells are a tenth to a twentieth of a tile across at zoom `z`: a
/// tile is halved each zoom, a cell's edge divided by √7 each resolution. At most 8.
pub fn cell_res(z: u8) -> u8 {
    let r = (0.71 * f64::from(z) - 0.5).round();
    r.clamp(0.0, f64::from(MAX_CELL_RES)) as u8
}

/// Whether zoom `z` shows places as counts per cell.
pub fn aggregated(z: u8) -> bool {
    z < POINTS_FROM_ZOOM
}

/// An H3 index's parent at `res`, as two masks SQL can apply to a stored cell:
/// `(cell & keep) | set`. The index holds its resolution in bits 52–55 and one 3-bit digit per
/// resolution below; a parent has its resolution there and every finer digit set to 7.
pub fn parent_masks(res: u8) -> (i64, i64) {
    let res = i64::from(res.min(15));
    let finer_digits = (1i64 << ((15 - res) * 3)) - 1;
    let res_bits = 15i64 << 52;
    let keep = !(res_bits | finer_digits);
    let set = (res << 52) | finer_digits;
    (keep, set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cells::{Cell, STORED_RES};
    use crate::domain::geo::LatLon;

    #[test]
    fn tiles_parse_from_the_path_and_refuse_what_is_off_the_grid() {
        assert_eq!(
            Tile::parse("13", "2714", "4855.mvt").unwrap(),
            Tile {
                z: 13,
                x: 2714,
                y: 4855
            }
        );
        for (z, x, y) in [
            ("16", "70000", "0.mvt"),
            ("17", "0", "0.mvt"),
            ("3", "1", "1"),
            ("a", "0", "0.mvt"),
            ("2", "-1", "0.mvt"),
        ] {
            assert_eq!(
                Tile::parse(z, x, y).unwrap_err().code,
                ErrorCode::InvalidTile
            );
        }
        let off_grid = Tile::parse("13", "8192", "1.mvt").unwrap_err();
        assert_eq!(off_grid.code, ErrorCode::NotFound);
    }

    #[test]
    fn a_tile_covers_its_share_of_the_mercator_world() {
        let world = Tile { z: 0, x: 0, y: 0 }.bbox();
        assert_eq!((world.min_lon, world.max_lon), (-180.0, 180.0));
        assert!((world.max_lat - 85.0511).abs() < 1e-3);
        // Santa Fe city lies in tile 13/2714/4855.
        let b = Tile {
            z: 13,
            x: 2714,
            y: 4855,
        }
        .bbox();
        assert!(b.min_lon < -60.7 && -60.7 < b.max_lon, "{b:?}");
        assert!(b.min_lat < -31.63 && -31.63 < b.max_lat, "{b:?}");
    }

    #[test]
    fn the_parent_masks_give_h3s_own_parents() {
        let cell = Cell::at(LatLon::new(-31.6333, -60.7).unwrap(), STORED_RES);
        for res in 0..=9u8 {
            let (keep, set) = parent_masks(res);
            let parent = (cell.to_db() & keep) | set;
            let expected = cell
                .parent(crate::domain::cells::resolution(res, STORED_RES).unwrap())
                .unwrap();
            assert_eq!(parent, expected.to_db(), "res {res}");
        }
    }

    #[test]
    fn cells_shrink_as_the_map_zooms_in() {
        assert_eq!(cell_res(0), 0);
        assert_eq!(cell_res(8), 5);
        assert_eq!(cell_res(12), 8);
        assert!((0..16).all(|z| cell_res(z) <= cell_res(z + 1)));
        assert!(aggregated(12) && !aggregated(13));
    }
}
