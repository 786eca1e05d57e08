//! Public cell geometry and counts: the k-anonymous counts of open requests per hexagon, and
//! one hexagon's outline for drawing task areas.

use super::guards::SingleQuery;
use crate::error_code::ErrorCode;
use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::db::requests as db_requests;
use crate::domain::cells::{Cell, PUBLIC_RES};
use crate::domain::formats;
use crate::domain::geo::BBox;
use crate::domain::public_counts;
use crate::error::{ApiError, ApiResult, ErrorBody};

#[derive(Serialize, ToSchema)]
pub struct Polygon {
    #[serde(rename = "type")]
    #[schema(example = "Polygon")]
    pub kind: &'static str,
    pub coordinates: Vec<Vec<[f64; 2]>>,
}

#[derive(Serialize, ToSchema)]
pub struct CellProperties {
    #[schema(value_type = String)]
    pub cell: Cell,
    pub res: u8,
    /// Open requests in the cell; never below 3 (0 from `/api/cells/{cell}`, which counts nothing).
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct CellFeature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub geometry: Polygon,
    pub properties: CellProperties,
}

#[derive(Serialize, ToSchema)]
pub struct CellCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<CellFeature>,
}

/// Public counts of open requests as hexagons: resolution 8 (the default) or coarser. A cell
/// shows only with at least 3 requests; smaller res-8 counts roll up into their res-7 parent,
/// and what stays below 3 is not shown.
#[utoipa::path(get, path = "/api/requests/cells", tag = "requests",
    params(("bbox" = String, Query, description = "minLon,minLat,maxLon,maxLat"),
        ("res" = Option<u8>, Query, description = "8 (default) or coarser; finer is refused")),
    responses((status = 200, body = CellCollection), (status = 422, body = ErrorBody)))]
#[get("/api/requests/cells?<bbox>&<res>", rank = 1)]
pub async fn cells(
    _single: SingleQuery,
    pool: &State<PgPool>,
    bbox: Option<&str>,
    res: Option<&str>,
) -> ApiResult<Json<CellCollection>> {
    let bbox: BBox = super::params::required::<String>("bbox", bbox)?.parse()?;
    let res = public_counts::public_res(super::params::opt("res", res)?)?;
    let stored = db_requests::open_cells_in(&**pool, &public_counts::count_cover(bbox, res))
        .await?
        .into_iter()
        .map(Cell::from_db)
        .collect::<Result<Vec<_>, _>>()?;
    let features = public_counts::public_counts(&stored, res)
        .into_iter()
        .filter(|(c, _)| public_counts::touches(*c, bbox))
        .map(|(cell, count)| CellFeature {
            kind: "Feature",
            geometry: Polygon {
                kind: "Polygon",
                coordinates: vec![cell.ring()],
            },
            properties: CellProperties {
                cell,
                res: u8::from(cell.res()),
                count,
            },
        })
        .collect();
    Ok(Json(CellCollection {
        kind: "FeatureCollection",
        features,
    }))
}

/// One H3 cell of resolution 8 or coarser as a GeoJSON hexagon: public grid geometry, so the
/// page can draw the cells that task lists name. Finer cells are refused.
#[utoipa::path(get, path = "/api/cells/{cell}", tag = "requests",
    params(("cell" = String, Path, description = "H3 cell, hex", example = "88b24d36e7fffff")),
    responses((status = 200, body = CellFeature), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/cells/<cell>")]
pub fn cell_outline(cell: &str) -> ApiResult<Json<CellFeature>> {
    // The document's pattern: 15 lower-case hex digits of resolution 0 to 8. An id of that
    // shape that is no cell does not exist (404); any other shape is refused (422).
    if !formats::is(formats::CELL_ID, cell) {
        let finer = cell.parse::<Cell>().is_ok_and(|c| c.res() > PUBLIC_RES);
        return Err(if finer {
            ApiError::new(
                ErrorCode::InvalidResolution,
                "cells finer than resolution 8 are not served",
            )
        } else {
            ApiError::new(
                ErrorCode::InvalidCell,
                format!("write a cell as 15 lower-case hex digits, got `{cell}`"),
            )
        });
    }
    let cell: Cell = cell
        .parse()
        .map_err(|_| ApiError::not_found(format!("there is no H3 cell `{cell}`")))?;
    Ok(Json(CellFeature {
        kind: "Feature",
        geometry: Polygon {
            kind: "Polygon",
            coordinates: vec![cell.ring()],
        },
        properties: CellProperties {
            cell,
            res: u8::from(cell.res()),
            count: 0,
        },
    }))
}
