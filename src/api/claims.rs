//! Taking a request, giving it back, and finishing it.

use super::limits::{Action as Limited, Limits};
use chrono::Utc;
use rocket::serde::json::Json;
use rocket::{post, State};
use sqlx::PgPool;

use super::guards::{actor, CurrentAccount};
use super::params::RequestId;
use super::requests::{act, StatusView};
use crate::config::AppConfig;
use crate::domain::requests::{authorize, Action, Status};
use crate::error::{ApiResult, ErrorBody};
use crate::operations::claim::claim as claim_request;

/// Takes an open request: verified volunteers (and coordinators) who are on duty, have a
/// fitting skill, and whose home, as it stood `home_settle_minutes` ago, has the request's
/// public cell centre within their radius. Atomic: of many parallel claims one gets 200, the
/// rest 409 `already_assigned`; past `max_open`, 409 `too_many_open`; past `claims_per_day`,
/// 429 `claim_limit`.
#[utoipa::path(post, path = "/api/requests/{id}/claim", tag = "requests", security(("session" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "not_verified, volunteers_only, off_duty, home_not_settled, not_eligible"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already_assigned, too_many_open, invalid_transition, no_volunteer_profile"),
        (status = 429, body = ErrorBody, description = "claim_limit")))]
#[post("/api/requests/<id>/claim")]
pub async fn claim(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    limits: Limits<'_>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    authorize(Action::Claim, &actor(Some(&account), false), None)?;
    limits.spend(Limited::Claim, Some(account.id)).await?;
    let mut tx = pool.begin().await?;
    claim_request(
        &mut tx,
        &account.facts(),
        id.0,
        config.home_policy(),
        config.daily_limits(),
        Utc::now(),
    )
    .await?;
    crate::operations::notify::requester_update(&mut tx, &config.notify, id.0, "assigned").await?;
    tx.commit().await?;
    Ok(Json(StatusView {
        id: id.0,
        status: Status::Assigned,
    }))
}

/// Gives a claimed request back: it opens again (the assignee or a coordinator). A volunteer
/// may give back `releases_per_day` requests in any 24 hours (429 `release_limit` beyond, with
/// `Retry-After`); the last one allowed alerts the coordinators.
#[utoipa::path(post, path = "/api/requests/{id}/release", tag = "requests", security(("session" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, body = ErrorBody, description = "release_limit")))]
#[post("/api/requests/<id>/release")]
pub async fn release(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(
        pool,
        config,
        id.0,
        Action::Release,
        actor(Some(&account), false),
    )
    .await
}

/// Marks a claimed request done (the assignee or a coordinator).
#[utoipa::path(post, path = "/api/requests/{id}/complete", tag = "requests", security(("session" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/complete")]
pub async fn complete(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(
        pool,
        config,
        id.0,
        Action::Complete,
        actor(Some(&account), false),
    )
    .await
}
