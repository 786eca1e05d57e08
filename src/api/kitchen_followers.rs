//! Following a kitchen: a neighbour asks to be told when it lacks supplies.

use rocket::serde::json::Json;
use rocket::{delete, get, put, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::guards::CurrentAccount;
use super::kitchen_access::kitchen;
use crate::db::notification_settings as db_settings;
use crate::error::{ApiResult, ErrorBody};

#[derive(Serialize, ToSchema)]
pub struct Following {
    pub following: bool,
}

/// Whether the caller follows the kitchen.
#[utoipa::path(get, path = "/api/places/{id}/follow", tag = "notifications", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Following), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/places/<id>/follow")]
pub async fn following(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<Following>> {
    kitchen(pool, id).await?;
    let following = db_settings::follows(&**pool, id, account.id).await?;
    Ok(Json(Following { following }))
}

/// Follows the kitchen: its supplies needs reach the caller on their notification channels.
#[utoipa::path(put, path = "/api/places/{id}/follow", tag = "notifications", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Following), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/places/<id>/follow")]
pub async fn follow(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<Following>> {
    kitchen(pool, id).await?;
    db_settings::follow(&**pool, id, account.id).await?;
    Ok(Json(Following { following: true }))
}

/// Stops following the kitchen.
#[utoipa::path(delete, path = "/api/places/{id}/follow", tag = "notifications", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Following), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/places/<id>/follow")]
pub async fn unfollow(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<Following>> {
    kitchen(pool, id).await?;
    db_settings::unfollow(&**pool, id, account.id).await?;
    Ok(Json(Following { following: false }))
}
