//! The street basemap a deployment hosts itself: the tiles of its own PMTiles archive
//! (`basemap_pmtiles`, e.g. an extract of a Protomaps daily build), decompressed and served one
//! by one at `/tiles/basemap/{z}/{x}/{y}.mvt`, so each tile is cached on its own and no third
//! party learns where people at risk look. Mounted beside the API, not part of it.

use pmtiles::{AsyncPmTilesReader, MmapBackend, TileCoord};
use rocket::{get, State};

use super::tiles::{HeldTags, MvtTile};
use crate::domain::tiles::Tile;
use crate::error::{ApiError, ApiResult};

/// The archive, when one is configured.
pub struct Basemap {
    reader: Option<AsyncPmTilesReader<MmapBackend>>,
    /// The deepest zoom the archive holds; the map overzooms beyond it.
    pub max_zoom: u8,
}

impl Basemap {
    /// Opens the archive at `path`; an empty path means no street basemap. The error names the
    /// file and what is wrong with it.
    pub async fn open(path: &str) -> Result<Basemap, String> {
        if path.trim().is_empty() {
            return Ok(Basemap {
                reader: None,
                max_zoom: 0,
            });
        }
        let reader = AsyncPmTilesReader::new_with_path(path)
            .await
            .map_err(|e| format!("basemap_pmtiles `{path}` cannot be read as PMTiles: {e}"))?;
        let header = reader.get_header();
        if header.tile_type != pmtiles::TileType::Mvt {
            return Err(format!(
                "basemap_pmtiles `{path}` holds {:?} tiles; a vector (MVT) archive is needed",
                header.tile_type
            ));
        }
        let max_zoom = header.max_zoom;
        Ok(Basemap {
            reader: Some(reader),
            max_zoom,
        })
    }

    pub fn configured(&self) -> bool {
        self.reader.is_some()
    }
}

/// One tile of the archive; an empty tile where the archive has none.
#[get("/tiles/basemap/<z>/<x>/<y>")]
pub async fn tile(
    basemap: &State<Basemap>,
    held: HeldTags,
    z: &str,
    x: &str,
    y: &str,
) -> ApiResult<MvtTile> {
    let t = Tile::parse(z, x, y)?;
    let reader = basemap
        .reader
        .as_ref()
        .ok_or_else(|| ApiError::not_found("no street basemap is configured (basemap_pmtiles)"))?;
    let coord = TileCoord::new(t.z, t.x, t.y)
        .map_err(|e| ApiError::not_found(format!("no such tile: {e}")))?;
    let bytes = reader
        .get_tile_decompressed(coord)
        .await
        .map_err(|e| ApiError::internal().caused_by(format!("basemap tile {z}/{x}/{y}: {e}")))?;
    Ok(MvtTile::new(
        bytes.map(|b| b.to_vec()).unwrap_or_default(),
        &held,
    ))
}
