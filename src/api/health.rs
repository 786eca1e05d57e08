//! Liveness that includes the database.

use crate::error_code::ErrorCode;
use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::db;
use crate::error::{ApiError, ApiResult};

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// 200 once the database answers, 503 while it does not. The pool reconnects by itself.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
#[get("/healthz")]
pub async fn healthz(pool: &State<PgPool>) -> ApiResult<Json<Health>> {
    db::ping(pool).await.map_err(|err| {
        tracing::warn!(error = %err, "health check failed");
        ApiError::retry_later(
            ErrorCode::DatabaseUnavailable,
            "the database is not answering",
            5,
        )
    })?;
    Ok(Json(Health { status: "ok" }))
}
