//! Places as GeoJSON: the map view by bounding box, one place, nearby search and categories.

use super::guards::SingleQuery;
use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::params;
use crate::config::AppConfig;
use crate::db::places::{self as db_places, PlaceFilter, PlaceRow};
use crate::domain::categories::{self, Category, Kind, CATEGORIES};
use crate::domain::cells::Cell;
use crate::domain::geo::{self, BBox, LatLon};
use crate::domain::hours;
use crate::domain::live_reports::{LiveState, OpenSource};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::find_places::{self, NearbySearch};

/// Most places one map view returns; the collection says when it was cut.
pub const BBOX_LIMIT: i64 = 2_000;

#[derive(Serialize, ToSchema)]
pub struct PointGeometry {
    #[serde(rename = "type")]
    #[schema(example = "Point")]
    pub kind: &'static str,
    /// `[lon, lat]`, as RFC 7946 orders them.
    pub coordinates: [f64; 2],
}

#[derive(Serialize, ToSchema)]
pub struct PlaceProperties {
    pub id: i64,
    #[schema(example = "shop")]
    pub kind: String,
    pub name: String,
    #[schema(example = "pharmacy")]
    pub category: String,
    /// Whole metres from the search point (nearby search only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<i64>,
    /// The raw OSM `opening_hours` string.
    pub opening_hours: Option<String>,
    /// Open at the requested time; null when unknown or unparseable.
    pub open_now: Option<bool>,
    /// What `open_now` was decided from: a fresh, confident live `report`, or the `hours`.
    pub open_now_source: Option<OpenSource>,
    /// What neighbours reported lately, weighed by age and by who reported; null when no
    /// report counts any more.
    pub live: Option<LiveState>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub meals_per_day: Option<i32>,
    /// `node/123` for OpenStreetMap data.
    pub source: Option<String>,
    /// Resolution-9 H3 cell, hex.
    #[schema(value_type = String, example = "89c2e4ad0a7ffff")]
    pub cell: Cell,
    /// `active`, or `pending_review` (shown only to the place's organizers and coordinators).
    #[schema(example = "active")]
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlaceFeature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub id: i64,
    pub geometry: PointGeometry,
    pub properties: PlaceProperties,
}

#[derive(Serialize, ToSchema)]
pub struct PlaceCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<PlaceFeature>,
    /// True when more places matched than were returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
}

impl PlaceFeature {
    pub fn from_row(
        row: PlaceRow,
        distance_m: Option<f64>,
        live: Option<LiveState>,
        at: DateTime<Utc>,
        tz: Tz,
    ) -> Self {
        let (open_now, open_now_source) = find_places::open_now(&row, live.as_ref(), at, tz);
        // A stored cell is always valid; fall back to computing it rather than failing a list.
        let cell = Cell::from_db(row.cell).unwrap_or_else(|_| {
            Cell::at(
                crate::domain::geo::LatLon {
                    lat: row.lat,
                    lon: row.lon,
                },
                crate::domain::cells::STORED_RES,
            )
        });
        PlaceFeature {
            kind: "Feature",
            id: row.id,
            geometry: PointGeometry {
                kind: "Point",
                coordinates: [row.lon, row.lat],
            },
            properties: PlaceProperties {
                id: row.id,
                kind: row.kind,
                name: row.name,
                category: row.category,
                distance_m: distance_m.map(|d| d.round() as i64),
                opening_hours: row.opening_hours,
                open_now,
                open_now_source,
                live,
                address: row.address,
                phone: row.phone,
                description: row.description,
                meals_per_day: row.meals_per_day,
                source: row.source,
                cell,
                status: row.status,
            },
        }
    }
}

/// Parses `kind` and the repeated or comma-separated `category` parameters.
pub fn parse_filter(kind: Option<&str>, category: &[String]) -> Result<PlaceFilter, ApiError> {
    let kind = kind.map(str::parse::<Kind>).transpose()?;
    let categories = categories::parse_list(category.iter().map(String::as_str))?;
    Ok(PlaceFilter {
        kind: kind.map(Kind::as_str),
        categories,
    })
}

#[derive(Serialize, ToSchema)]
pub struct CategoryList {
    pub categories: Vec<Category>,
}

/// The fixed taxonomy with Spanish and English labels.
#[utoipa::path(get, path = "/api/categories", tag = "places",
    responses((status = 200, body = CategoryList)))]
#[get("/api/categories")]
pub fn list_categories() -> Json<CategoryList> {
    Json(CategoryList {
        categories: CATEGORIES.to_vec(),
    })
}

/// Places in a map view. At most 2000; `truncated` says when more matched.
#[utoipa::path(get, path = "/api/places", tag = "places",
    params(
        ("bbox" = String, Query, description = "minLon,minLat,maxLon,maxLat", example = "-60.75,-31.68,-60.65,-31.58"),
        ("kind" = Option<String>, Query, description = "shop or kitchen"),
        ("category" = Option<Vec<String>>, Query, description = "category ids; repeat or comma-separate"),
    ),
    responses((status = 200, body = PlaceCollection), (status = 422, body = ErrorBody)))]
#[get("/api/places?<bbox>&<kind>&<category>")]
pub async fn list(
    _single: SingleQuery,
    pool: &State<PgPool>,
    tz: &State<Tz>,
    config: &State<AppConfig>,
    bbox: Option<&str>,
    kind: Option<&str>,
    category: Vec<String>,
) -> ApiResult<Json<PlaceCollection>> {
    let bbox: BBox = bbox
        .ok_or_else(|| ApiError::new(ErrorCode::MissingParameter, "parameter `bbox` is required"))?
        .parse()?;
    let filter = parse_filter(kind, &category)?;
    let now = Utc::now();
    let minute = hours::minute_of_week(now, **tz);
    let mut rows = db_places::in_bbox(pool, bbox, &filter, minute, BBOX_LIMIT + 1).await?;
    let truncated = rows.len() as i64 > BBOX_LIMIT;
    rows.truncate(BBOX_LIMIT as usize);
    let mut live = find_places::live_states(pool, &config.report_policy(), &rows, now).await?;
    Ok(Json(PlaceCollection {
        kind: "FeatureCollection",
        features: rows
            .into_iter()
            .map(|r| {
                let live = live.remove(&r.id);
                PlaceFeature::from_row(r, None, live, now, **tz)
            })
            .collect(),
        truncated: Some(truncated),
    }))
}

/// Places within a radius, nearest first, with distance and whether each is open at `at`.
#[utoipa::path(get, path = "/api/places/nearby", tag = "places",
    params(
        ("lat" = f64, Query, example = -31.6333),
        ("lon" = f64, Query, example = -60.7),
        ("radius_m" = Option<f64>, Query, description = "metres, default 1500, at most 50000"),
        ("kind" = Option<String>, Query, description = "shop or kitchen"),
        ("category" = Option<Vec<String>>, Query, description = "category ids; repeat or comma-separate"),
        ("open_now" = Option<bool>, Query, description = "only places open at `at`"),
        ("at" = Option<DateTime<Utc>>, Query, description = "RFC 3339 time for `open_now`; default now"),
        ("no_queue" = Option<bool>, Query, description = "only places where neighbours' live reports agree there is no queue"),
        ("limit" = Option<i64>, Query, description = "default 20, at most 200"),
    ),
    responses((status = 200, body = PlaceCollection), (status = 422, body = ErrorBody)))]
#[allow(clippy::too_many_arguments)]
#[get(
    "/api/places/nearby?<lat>&<lon>&<radius_m>&<kind>&<category>&<open_now>&<at>&<no_queue>&<limit>"
)]
pub async fn nearby(
    _single: SingleQuery,
    pool: &State<PgPool>,
    tz: &State<Tz>,
    config: &State<AppConfig>,
    lat: Option<&str>,
    lon: Option<&str>,
    radius_m: Option<&str>,
    kind: Option<&str>,
    category: Vec<String>,
    open_now: Option<&str>,
    at: Option<&str>,
    no_queue: Option<&str>,
    limit: Option<&str>,
) -> ApiResult<Json<PlaceCollection>> {
    let origin = LatLon::new(params::required("lat", lat)?, params::required("lon", lon)?)?;
    let radius = geo::radius_m(params::opt("radius_m", radius_m)?, 1_500.0, 50_000.0)?;
    let limit = geo::limit(params::opt("limit", limit)?, 20, 200)?;
    let filter = parse_filter(kind, &category)?;
    let only_open = params::flag("open_now", open_now)?;
    let at = match at {
        None => Utc::now(),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidTime,
                    format!("`at` must be an RFC 3339 time such as 2026-11-27T18:00:00-03:00, got `{s}`"),
                )
            })?
            .with_timezone(&Utc),
    };
    let search = NearbySearch {
        origin,
        radius_m: radius,
        filter,
        at,
        only_open,
        no_queue: params::flag("no_queue", no_queue)?,
        limit,
    };
    let found = find_places::nearby(pool, &config.report_policy(), **tz, &search).await?;
    let features = found
        .into_iter()
        .map(|f| {
            let distance = Some(f.row.distance_m);
            PlaceFeature::from_row(f.row.place, distance, f.live, at, **tz)
        })
        .collect();
    Ok(Json(PlaceCollection {
        kind: "FeatureCollection",
        features,
        truncated: None,
    }))
}

/// One place as a GeoJSON Feature.
#[utoipa::path(get, path = "/api/places/{id}", tag = "places",
    params(("id" = i64, Path)),
    responses((status = 200, body = PlaceFeature), (status = 404, body = ErrorBody)))]
#[get("/api/places/<id>", rank = 2)]
pub async fn one(
    pool: &State<PgPool>,
    tz: &State<Tz>,
    config: &State<AppConfig>,
    id: i64,
) -> ApiResult<Json<PlaceFeature>> {
    let row = db_places::by_id(&**pool, id)
        .await?
        .filter(|r| r.status == "active")
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    let now = Utc::now();
    let live = find_places::live_states(pool, &config.report_policy(), [&row], now)
        .await?
        .remove(&id);
    Ok(Json(PlaceFeature::from_row(row, None, live, now, **tz)))
}
