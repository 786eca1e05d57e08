//! Shift sign-ups: taking a slot, giving it back, and my shifts.

use super::idempotency::{IdempotencyKey, IdempotencyKeyHeader, Once};
use super::limits::{Action as Limited, Limits};
use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use rocket::{delete, get, post, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::guards::CurrentAccount;
use super::needs::NeedView;
use crate::db::kitchens as db_kitchens;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::signup::sign_up;

#[derive(Debug, Serialize, ToSchema)]
pub struct Signup {
    pub account_id: i64,
    pub display_name: String,
    pub phone: Option<String>,
    pub signed_up_at: DateTime<Utc>,
}

/// Take a slot of a shift. Never overbooks, even under concurrent sign-ups.
#[utoipa::path(post, path = "/api/needs/{id}/signup", tag = "kitchens", security(("session" = [])), params(("id" = i64, Path), IdempotencyKeyHeader),
    responses((status = 200, body = NeedView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`shift_full`, `shift_overlap`, `already_signed_up`, or `need_closed`"),
        (status = 422, body = ErrorBody, description = "`invalid_idempotency_key` or `idempotency_key_reused`")))]
#[post("/api/needs/<id>/signup")]
pub async fn signup(
    pool: &State<PgPool>,
    limits: Limits<'_>,
    account: CurrentAccount,
    id: i64,
    idempotency: IdempotencyKey,
) -> ApiResult<Once<NeedView>> {
    let digest: [u8; 0] = [];
    let mut tx = pool.begin().await?;
    let pending = match idempotency
        .begin(&mut tx, Some(account.id), &digest)
        .await?
    {
        Ok(pending) => pending,
        Err(first) => return Ok(first),
    };
    limits.spend(Limited::Signup, Some(account.id)).await?;
    let row = sign_up(&mut tx, account.id, id, Utc::now()).await?;
    let answer = pending
        .finish(
            &mut tx,
            rocket::http::Status::Ok,
            NeedView::from_row(row, None),
        )
        .await?;
    tx.commit().await?;
    Ok(answer)
}

/// Give back my slot on a shift.
#[utoipa::path(delete, path = "/api/needs/{id}/signup", tag = "kitchens", security(("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = NeedView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/needs/<id>/signup")]
pub async fn cancel_signup(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<NeedView>> {
    if !db_kitchens::delete_signup(&**pool, id, account.id).await? {
        return Err(ApiError::not_found("you have no slot on this shift"));
    }
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(NeedView::from_row(row, None)))
}

/// My shifts, soonest first.
#[utoipa::path(get, path = "/api/me/shifts", tag = "kitchens", security(("session" = [])), responses((status = 200, body = Vec<NeedView>), (status = 401, body = ErrorBody)))]
#[get("/api/me/shifts")]
pub async fn my_shifts(
    pool: &State<PgPool>,
    account: CurrentAccount,
) -> ApiResult<Json<Vec<NeedView>>> {
    let rows = db_kitchens::my_shifts(&**pool, account.id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| NeedView::from_row(r, None))
            .collect(),
    ))
}
