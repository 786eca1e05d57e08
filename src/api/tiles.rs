//! Vector tiles (Mapbox Vector Tile 2.1) of our own layers, which the map draws: places (one by
//! one from zoom 13, counted per H3 cell below), the public counts of help requests (through
//! the same k ≥ 3 policy as `/api/requests/cells`) and kitchens with open needs. Each answer has
//! an `ETag` and may be cached for a minute; an unchanged tile answers 304.

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use chrono::Utc;
use chrono_tz::Tz;
use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::{get, Request, Response, State};
use sqlx::PgPool;

use crate::config::AppConfig;
use crate::db;
use crate::db::requests as db_requests;
use crate::domain::categories::CATEGORIES;
use crate::domain::cells::Cell;
use crate::domain::hours;
use crate::domain::public_counts;
use crate::domain::tiles::{self, Tile};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::find_places;

/// How long a browser may reuse a tile without asking: "open now" and live reports change.
const MAX_AGE_SECS: u32 = 60;

/// The tags the browser holds for this URL (`If-None-Match`).
pub struct HeldTags(Vec<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for HeldTags {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let tags = req
            .headers()
            .get("If-None-Match")
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_string())
            .collect();
        Outcome::Success(HeldTags(tags))
    }
}

/// A tile, or 304 when the browser holds the same bytes.
pub struct MvtTile {
    bytes: Vec<u8>,
    etag: String,
    unchanged: bool,
}

impl MvtTile {
    pub fn new(bytes: Vec<u8>, held: &HeldTags) -> MvtTile {
        let digest = BuildHasherDefault::<DefaultHasher>::default().hash_one(&bytes);
        let etag = format!("\"{digest:016x}\"");
        let unchanged = held.0.contains(&etag);
        MvtTile {
            bytes,
            etag,
            unchanged,
        }
    }
}

impl<'r> Responder<'r, 'static> for MvtTile {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut res = Response::build();
        res.header(Header::new("ETag", self.etag))
            .header(Header::new(
                "Cache-Control",
                format!("public, max-age={MAX_AGE_SECS}"),
            ));
        if self.unchanged {
            return res.status(Status::NotModified).ok();
        }
        res.header(ContentType::new("application", "vnd.mapbox-vector-tile"))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// Places: from zoom 13 one feature each (`id, name, kind, category, open_now,
/// open_now_source, live_queue, live_age_min`); below, one per H3 cell (`cell, count` and
/// `c_<category>` counts, as of the last maintenance run), so that a tile stays small however
/// many places there are and none is left out.
#[utoipa::path(get, path = "/tiles/places/{z}/{x}/{y}.mvt", tag = "places",
    params(("z" = u8, Path), ("x" = u32, Path), ("y" = u32, Path)),
    responses((status = 200, content_type = "application/vnd.mapbox-vector-tile", description = "layer `places`"),
        (status = 304, description = "the tile in `If-None-Match` is current"),
        (status = 404, body = ErrorBody, description = "`x` or `y` is off the grid of zoom `z`"),
        (status = 422, body = ErrorBody)))]
#[get("/tiles/places/<z>/<x>/<y>")]
pub async fn places(
    pool: &State<PgPool>,
    tz: &State<Tz>,
    config: &State<AppConfig>,
    held: HeldTags,
    z: &str,
    x: &str,
    y: &str,
) -> ApiResult<MvtTile> {
    let tile = Tile::parse(z, x, y)?;
    let bytes = if tiles::aggregated(tile.z) {
        let ids: Vec<&str> = CATEGORIES.iter().map(|c| c.id).collect();
        db::tiles::places_by_cell(pool, tile, tiles::cell_res(tile.z), &ids).await?
    } else {
        let now = Utc::now();
        let minute = hours::minute_of_week(now, **tz);
        let policy = config.report_policy();
        let rows =
            db::tiles::places_to_judge(pool, tile, minute, policy.counted_since(now)).await?;
        let judged = find_places::judge_for_tile(pool, &policy, **tz, &rows, now).await?;
        db::tiles::places(pool, tile, minute, &judged).await?
    };
    Ok(MvtTile::new(bytes, &held))
}

/// The public counts of open help requests (`cell, count`), as `/api/requests/cells` gives
/// them: cells of resolution 8, or coarser below zoom 12, with at least 3 requests.
#[utoipa::path(get, path = "/tiles/request-cells/{z}/{x}/{y}.mvt", tag = "requests",
    params(("z" = u8, Path), ("x" = u32, Path), ("y" = u32, Path)),
    responses((status = 200, content_type = "application/vnd.mapbox-vector-tile", description = "layer `request_cells`"),
        (status = 304, description = "the tile in `If-None-Match` is current"),
        (status = 404, body = ErrorBody, description = "`x` or `y` is off the grid of zoom `z`"),
        (status = 422, body = ErrorBody)))]
#[get("/tiles/request-cells/<z>/<x>/<y>")]
pub async fn request_cells(
    pool: &State<PgPool>,
    held: HeldTags,
    z: &str,
    x: &str,
    y: &str,
) -> ApiResult<MvtTile> {
    let tile = Tile::parse(z, x, y)?;
    let bbox = tile.bbox();
    let res = public_counts::public_res(Some(tiles::cell_res(tile.z)))?;
    let stored = db_requests::open_cells_in(&**pool, &public_counts::count_cover(bbox, res))
        .await?
        .into_iter()
        .map(Cell::from_db)
        .collect::<Result<Vec<_>, _>>()?;
    let (mut ids, mut counts, mut shapes) = (Vec::new(), Vec::new(), Vec::new());
    for (cell, count) in public_counts::public_counts(&stored, res) {
        if public_counts::touches(cell, bbox) {
            ids.push(format!("{:x}", cell.to_db()));
            counts.push(count as i32);
            shapes.push(wkt(&cell));
        }
    }
    let bytes = db::tiles::cells(pool, tile, "request_cells", &ids, &counts, &shapes).await?;
    Ok(MvtTile::new(bytes, &held))
}

fn wkt(cell: &Cell) -> String {
    let ring: Vec<String> = cell
        .ring()
        .iter()
        .map(|[lon, lat]| format!("{lon} {lat}"))
        .collect();
    format!("POLYGON(({}))", ring.join(","))
}

/// Kitchens with open needs (`place_id, name, supplies, shifts`).
#[utoipa::path(get, path = "/tiles/needs/{z}/{x}/{y}.mvt", tag = "kitchens",
    params(("z" = u8, Path), ("x" = u32, Path), ("y" = u32, Path)),
    responses((status = 200, content_type = "application/vnd.mapbox-vector-tile", description = "layer `needs`"),
        (status = 304, description = "the tile in `If-None-Match` is current"),
        (status = 404, body = ErrorBody, description = "`x` or `y` is off the grid of zoom `z`"),
        (status = 422, body = ErrorBody)))]
#[get("/tiles/needs/<z>/<x>/<y>")]
pub async fn needs(
    pool: &State<PgPool>,
    held: HeldTags,
    z: &str,
    x: &str,
    y: &str,
) -> ApiResult<MvtTile> {
    let tile = Tile::parse(z, x, y)?;
    let bytes = db::tiles::needs(pool, tile).await?;
    Ok(MvtTile::new(bytes, &held))
}
