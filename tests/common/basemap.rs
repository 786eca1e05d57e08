//! A small street basemap for the tests, made here: PostGIS draws the tiles with `ST_AsMVT` in
//! the Protomaps schema (an `earth` layer, and a `roads` layer with a synthetic grid of
//! streets clearly named "Calle de prueba" and "Avenida de prueba" around Santa Fe), and the
//! `pmtiles` crate writes them into an archive, gzip-compressed as Protomaps builds are.

use std::path::{Path, PathBuf};

use pmtiles::{PmTilesWriter, TileCoord, TileType};
use sqlx::PgPool;

/// The grid's extent: about 3 km around Santa Fe's centre.
const WEST: f64 = -60.715;
const EAST: f64 = -60.685;
const SOUTH: f64 = -31.645;
const NORTH: f64 = -31.620;
pub const MAX_ZOOM: u8 = 15;

fn tile_of(lat: f64, lon: f64, z: u8) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let r = lat.to_radians();
    let y =
        ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (x, y)
}

/// Writes the archive to `dir/test-basemap.pmtiles` and returns its path.
pub async fn build(pool: &PgPool, dir: &Path) -> PathBuf {
    let path = dir.join("test-basemap.pmtiles");
    let mut tiles = Vec::new();
    for z in 0..=MAX_ZOOM {
        let (x0, y0) = tile_of(NORTH, WEST, z);
        let (x1, y1) = tile_of(SOUTH, EAST, z);
        for x in x0..=x1 {
            for y in y0..=y1 {
                tiles.push(TileCoord::new(z, x, y).unwrap());
            }
        }
    }
    // The writer wants tiles in the order of their ids.
    tiles.sort_by_key(|c| pmtiles::TileId::from(*c).value());
    let file = std::fs::File::create(&path).expect("create the archive");
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .min_zoom(0)
        .max_zoom(MAX_ZOOM)
        .bounds(WEST, SOUTH, EAST, NORTH)
        .center(-60.7, -31.6333)
        .create(file)
        .expect("start the archive");
    for c in tiles {
        let mvt: Vec<u8> = sqlx::query_scalar(
            "WITH env AS (SELECT ST_TileEnvelope($1, $2, $3) AS e), \
             grid AS ( \
               SELECT 'minor_road' AS kind, 'Calle de prueba ' || i AS name, \
                      ST_MakeLine(ST_MakePoint($4, $6 + i * 0.002), ST_MakePoint($5, $6 + i * 0.002)) AS g \
               FROM generate_series(0, 12) i \
               UNION ALL \
               SELECT 'major_road', 'Avenida de prueba ' || j, \
                      ST_MakeLine(ST_MakePoint($4 + j * 0.0025, $6), ST_MakePoint($4 + j * 0.0025, $7)) \
               FROM generate_series(0, 12) j) \
             SELECT COALESCE((SELECT ST_AsMVT(t, 'earth', 4096, 'geom') FROM \
                        (SELECT 'earth' AS kind, ST_AsMVTGeom(e, e, 4096, 64, true) AS geom FROM env) t), ''::bytea) \
                 || COALESCE((SELECT ST_AsMVT(t, 'roads', 4096, 'geom') FROM \
                        (SELECT kind, name, name AS \"name:es\", \
                                ST_AsMVTGeom(ST_Transform(ST_SetSRID(g, 4326), 3857), e, 4096, 64, true) AS geom \
                         FROM grid, env) t WHERE geom IS NOT NULL), ''::bytea)",
        )
        .bind(i32::from(c.z()))
        .bind(c.x() as i32)
        .bind(c.y() as i32)
        .bind(WEST)
        .bind(EAST)
        .bind(SOUTH)
        .bind(NORTH)
        .fetch_one(pool)
        .await
        .expect("draw a tile");
        writer.add_tile(c, &mvt).expect("add a tile");
    }
    writer.finalize().expect("finish the archive");
    path
}
