//! Pledges of supplies: pledging, withdrawing, marking received, and my pledges.

use super::idempotency::{IdempotencyKey, IdempotencyKeyHeader, Once};
use super::limits::{Action as Limited, Limits};
use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::body::{body_and_digest, JsonBody};
use super::guards::CurrentAccount;
use super::kitchen_access::require_manager;
use super::needs::NeedView;
use crate::db::kitchens as db_kitchens;
use crate::db::pledges::{self as db_pledges, PledgeRow};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::pledge::pledge as make_pledge;

#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeView {
    pub id: i64,
    pub need_id: i64,
    pub account_id: i64,
    pub display_name: String,
    pub quantity: f64,
    /// `pledged`, `received` or `withdrawn`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<PledgeRow> for PledgeView {
    fn from(p: PledgeRow) -> Self {
        PledgeView {
            id: p.id,
            need_id: p.need_id,
            account_id: p.account_id,
            display_name: p.display_name,
            quantity: p.quantity,
            status: p.status,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PledgeBody {
    pub quantity: f64,
}

/// Pledge part of a supplies need. Pledges beyond what is still missing are refused.
#[utoipa::path(post, path = "/api/needs/{id}/pledge", tag = "kitchens", security(("session" = [])), request_body = PledgeBody, params(("id" = i64, Path), IdempotencyKeyHeader),
    responses((status = 201, body = PledgeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`over_pledged` or `need_closed`"), (status = 422, body = ErrorBody)))]
#[post("/api/needs/<id>/pledge", data = "<input>")]
pub async fn pledge(
    pool: &State<PgPool>,
    limits: Limits<'_>,
    account: CurrentAccount,
    id: i64,
    idempotency: IdempotencyKey,
    input: JsonBody<'_, PledgeBody>,
) -> ApiResult<Once<PledgeView>> {
    let (input, digest) = body_and_digest(input)?;
    let mut tx = pool.begin().await?;
    let pending = match idempotency
        .begin(&mut tx, Some(account.id), &digest)
        .await?
    {
        Ok(pending) => pending,
        Err(first) => return Ok(first),
    };
    limits.spend(Limited::Pledge, Some(account.id)).await?;
    let row = make_pledge(&mut tx, account.id, id, input.quantity).await?;
    let answer = pending.finish(&mut tx, Status::Created, row.into()).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Withdraw my pledge; its amount is missing again.
#[utoipa::path(post, path = "/api/pledges/{id}/withdraw", tag = "kitchens", security(("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PledgeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/pledges/<id>/withdraw")]
pub async fn withdraw_pledge(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<PledgeView>> {
    let p = db_pledges::pledge(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no pledge with id {id}")))?;
    if p.account_id != account.id {
        return Err(ApiError::new(
            ErrorCode::NotYourPledge,
            "only who pledged may withdraw it",
        ));
    }
    if !db_pledges::set_pledge_status(&**pool, id, "pledged", "withdrawn").await? {
        return Err(ApiError::new(
            ErrorCode::PledgeSettled,
            "this pledge was already received or withdrawn",
        ));
    }
    let p = db_pledges::pledge(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(p.into()))
}

/// Mark a pledge received (the kitchen's organizers and coordinators).
#[utoipa::path(post, path = "/api/pledges/{id}/received", tag = "kitchens", security(("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PledgeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/pledges/<id>/received")]
pub async fn receive_pledge(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<PledgeView>> {
    let p = db_pledges::pledge(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no pledge with id {id}")))?;
    let need = db_kitchens::need(&**pool, p.need_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    require_manager(pool, &account, need.place_id).await?;
    if !db_pledges::set_pledge_status(&**pool, id, "pledged", "received").await? {
        return Err(ApiError::new(
            ErrorCode::PledgeSettled,
            "this pledge was already received or withdrawn",
        ));
    }
    let p = db_pledges::pledge(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(p.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyPledge {
    pub pledge: PledgeView,
    pub need: NeedView,
}

/// My pledges, newest first, each with its need.
#[utoipa::path(get, path = "/api/me/pledges", tag = "kitchens", security(("session" = [])), responses((status = 200, body = Vec<MyPledge>), (status = 401, body = ErrorBody)))]
#[get("/api/me/pledges")]
pub async fn my_pledges(
    pool: &State<PgPool>,
    account: CurrentAccount,
) -> ApiResult<Json<Vec<MyPledge>>> {
    let rows = db_pledges::my_pledges(pool, account.id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(p, n)| MyPledge {
                pledge: p.into(),
                need: NeedView::from_row(n, None),
            })
            .collect(),
    ))
}
