//! The coordinator's review: the queue of requests waiting for it, approving and rejecting.

use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::guards::{actor, CurrentAccount, SingleQuery};
use super::params::RequestId;
use super::request_views::public_cell;
use super::requests::{act, StatusView};
use crate::config::AppConfig;
use crate::db::requests as db_requests;
use crate::domain::cells::Cell;
use crate::domain::requests::{Action, Status};
use crate::error::{ApiResult, ErrorBody};

/// Approves a request under review: it opens to volunteers (coordinators only).
#[utoipa::path(post, path = "/api/requests/{id}/approve", tag = "requests", security(("session" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/approve")]
pub async fn approve(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(
        pool,
        config,
        id.0,
        Action::Approve,
        actor(Some(&account), false),
    )
    .await
}

/// Rejects a request under review (coordinators only).
#[utoipa::path(post, path = "/api/requests/{id}/reject", tag = "requests", security(("session" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/reject")]
pub async fn reject(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(
        pool,
        config,
        id.0,
        Action::Reject,
        actor(Some(&account), false),
    )
    .await
}

/// A request in the review queue: what a coordinator needs to judge it, without the exact
/// location or contact (opening the request shows those, and is logged).
#[derive(Serialize, ToSchema)]
pub struct ReviewItem {
    pub id: Uuid,
    pub category: String,
    pub urgency: String,
    /// Only in the review queue (`pending_review`); opening a request shows it, logged.
    pub description: Option<String>,
    pub on_behalf_of: bool,
    #[schema(value_type = String)]
    pub cell: Cell,
    pub needed_by: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewQueue {
    pub requests: Vec<ReviewItem>,
}

/// Requests waiting for review, oldest first (coordinators only). `status` lists another state
/// instead, e.g. `open` to find matches for open requests.
#[utoipa::path(get, path = "/api/review/requests", tag = "requests", security(("session" = [])),
    params(("status" = Option<String>, Query, description = "pending_review (default), open, assigned, ...")),
    responses((status = 200, body = ReviewQueue), (status = 403, body = ErrorBody)))]
#[get("/api/review/requests?<status>")]
pub async fn review_queue(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: CurrentAccount,
    status: Option<&str>,
) -> ApiResult<Json<ReviewQueue>> {
    account.require_coordinator()?;
    let status: Status = super::params::opt::<String>("status", status)?
        .as_deref()
        .unwrap_or("pending_review")
        .parse()?;
    let rows = db_requests::by_status(&**pool, status, 200).await?;
    let requests = rows
        .into_iter()
        .map(|r| {
            Ok(ReviewItem {
                cell: public_cell(r.cell)?,
                id: r.id,
                category: r.category,
                urgency: r.urgency,
                // The description is what review judges; in other lists it would be part of
                // the full view without its audit entry.
                description: r.description.filter(|_| status == Status::PendingReview),
                on_behalf_of: r.on_behalf_of,
                needed_by: r.needed_by,
                created_at: r.created_at,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Json(ReviewQueue { requests }))
}
