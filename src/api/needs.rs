//! A kitchen's needs: posting supplies or shifts, the public list, the organizers' detail
//! with who signed up and who pledged, closing one, and open needs nearby.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::body::{body_and_digest, JsonBody};
use super::guards::{CurrentAccount, SingleQuery};
use super::idempotency::{IdempotencyKey, IdempotencyKeyHeader, Once};
use super::kitchen_access::{is_manager, kitchen, require_manager};
use super::params;
use super::pledges::PledgeView;
use super::shifts::Signup;
use crate::config::AppConfig;
use crate::db::kitchens::{self as db_kitchens, NeedRow};
use crate::db::pledges as db_pledges;
use crate::domain::geo::{self, LatLon};
use crate::domain::kitchens::{self, NewNeed};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::notify;

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedView {
    pub id: i64,
    pub place_id: i64,
    pub place_name: String,
    /// `supplies` or `shift`.
    pub kind: String,
    /// `open`, `closed` or `expired`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<DateTime<Utc>>,
    /// Pledged and not withdrawn (supplies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pledged: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slots: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slots_left: Option<i64>,
    /// Whole metres from the search point (nearby only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<i64>,
}

impl NeedView {
    pub fn from_row(n: NeedRow, distance_m: Option<f64>) -> Self {
        let supplies = n.kind == "supplies";
        NeedView {
            id: n.id,
            place_id: n.place_id,
            place_name: n.place_name,
            status: n.status,
            item: n.item,
            pledged: supplies.then_some(n.pledged),
            remaining: n.quantity.map(|q| kitchens::remaining(q, n.pledged)),
            quantity: n.quantity,
            unit: n.unit,
            needed_by: n.needed_by,
            role: n.role,
            starts_at: n.starts_at,
            ends_at: n.ends_at,
            taken: (!supplies).then_some(n.taken),
            slots_left: n.slots.map(|s| (i64::from(s) - n.taken).max(0)),
            slots: n.slots,
            distance_m: distance_m.map(|d| d.round() as i64),
            kind: n.kind,
        }
    }
}

/// Post a need: supplies (item, quantity, unit) or a shift (role, times, slots).
#[utoipa::path(post, path = "/api/places/{id}/needs", tag = "kitchens", security(("session" = [])), request_body = NewNeed,
    params(("id" = i64, Path), IdempotencyKeyHeader),
    responses((status = 201, body = NeedView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/api/places/<id>/needs", data = "<input>")]
pub async fn post_need(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
    id: i64,
    idempotency: IdempotencyKey,
    input: JsonBody<'_, NewNeed>,
) -> ApiResult<Once<NeedView>> {
    kitchen(pool, id).await?;
    require_manager(pool, &account, id).await?;
    let (input, digest) = body_and_digest(input)?;
    let need = input.validate(Utc::now())?;
    let mut tx = pool.begin().await?;
    let pending = match idempotency
        .begin(&mut tx, Some(account.id), &digest)
        .await?
    {
        Ok(pending) => pending,
        Err(first) => return Ok(first),
    };
    let need_id = db_kitchens::insert_need(&mut *tx, id, &need, account.id).await?;
    let row = db_kitchens::need(&mut *tx, need_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    let ctx = notify::Context::new(config, Utc::now());
    if row.kind == "shift" {
        notify::shift_posted(&mut tx, &ctx, need_id).await?;
    } else {
        notify::supplies_needed(&mut tx, &ctx, need_id).await?;
    }
    let answer = pending
        .finish(&mut tx, Status::Created, NeedView::from_row(row, None))
        .await?;
    tx.commit().await?;
    Ok(answer)
}

/// A kitchen's open needs, for its public page.
#[utoipa::path(get, path = "/api/places/{id}/needs", tag = "kitchens", params(("id" = i64, Path), ("all" = Option<bool>, Query, description = "closed and expired too (organizers)")),
    responses((status = 200, body = Vec<NeedView>), (status = 404, body = ErrorBody)))]
#[get("/api/places/<id>/needs?<all>")]
pub async fn place_needs(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: Option<CurrentAccount>,
    id: i64,
    all: Option<&str>,
) -> ApiResult<Json<Vec<NeedView>>> {
    let place = kitchen(pool, id).await?;
    let all = params::flag("all", all)?;
    let manager = match &account {
        Some(a) => is_manager(pool, a, id).await?,
        None => false,
    };
    if place.status != "active" && !manager {
        return Err(ApiError::not_found(format!("no kitchen with id {id}")));
    }
    let rows = db_kitchens::needs_of_place(&**pool, id, !(all && manager)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| NeedView::from_row(r, None))
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedDetail {
    pub need: NeedView,
    pub signups: Vec<Signup>,
    pub pledges: Vec<PledgeView>,
}

/// A need with who signed up and what was pledged (its kitchen's organizers and coordinators).
#[utoipa::path(get, path = "/api/needs/{id}", tag = "kitchens", security(("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = NeedDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/needs/<id>", rank = 2)]
pub async fn need_detail(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<NeedDetail>> {
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no need with id {id}")))?;
    require_manager(pool, &account, row.place_id).await?;
    let signups = db_kitchens::signups_of_need(&**pool, id)
        .await?
        .into_iter()
        .map(|(account_id, display_name, phone, signed_up_at)| Signup {
            account_id,
            display_name,
            phone,
            signed_up_at,
        })
        .collect();
    let pledges = db_pledges::pledges_of_need(&**pool, id)
        .await?
        .into_iter()
        .map(PledgeView::from)
        .collect();
    Ok(Json(NeedDetail {
        need: NeedView::from_row(row, None),
        signups,
        pledges,
    }))
}

/// Close a need (its kitchen's organizers and coordinators).
#[utoipa::path(post, path = "/api/needs/{id}/close", tag = "kitchens", security(("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = NeedView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/needs/<id>/close")]
pub async fn close_need(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<NeedView>> {
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no need with id {id}")))?;
    require_manager(pool, &account, row.place_id).await?;
    if !db_kitchens::set_need_status(&**pool, id, "closed").await? {
        return Err(ApiError::new(
            ErrorCode::NeedClosed,
            "this need is no longer open",
        ));
    }
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(NeedView::from_row(row, None)))
}

/// Open needs of nearby kitchens, nearest first.
#[utoipa::path(get, path = "/api/needs/nearby", tag = "kitchens",
    params(("lat" = f64, Query), ("lon" = f64, Query), ("radius_m" = Option<f64>, Query, description = "default 5000, at most 50000"),
        ("kind" = Option<String>, Query, description = "supplies or shift"), ("limit" = Option<i64>, Query, description = "default 50, at most 200")),
    responses((status = 200, body = Vec<NeedView>), (status = 422, body = ErrorBody)))]
#[get("/api/needs/nearby?<lat>&<lon>&<radius_m>&<kind>&<limit>")]
pub async fn nearby_needs(
    _single: SingleQuery,
    pool: &State<PgPool>,
    lat: Option<&str>,
    lon: Option<&str>,
    radius_m: Option<&str>,
    kind: Option<&str>,
    limit: Option<&str>,
) -> ApiResult<Json<Vec<NeedView>>> {
    let origin = LatLon::new(params::required("lat", lat)?, params::required("lon", lon)?)?;
    let radius = geo::radius_m(params::opt("radius_m", radius_m)?, 5_000.0, 50_000.0)?;
    let limit = geo::limit(params::opt("limit", limit)?, 50, 200)?;
    let kind = kind.map(kitchens::need_kind).transpose()?;
    let rows = db_kitchens::nearby_needs(pool, origin, radius, kind, limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(n, d)| NeedView::from_row(n, Some(d)))
            .collect(),
    ))
}
