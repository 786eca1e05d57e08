//! Who was told about a request, when, through which channel, and what happened
//! (coordinators only).

use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::guards::CurrentAccount;
use super::params::RequestId;
use super::request_views::load;
use crate::db::notifications as db_notifications;
use crate::error::{ApiResult, ErrorBody};

#[derive(Serialize, ToSchema)]
pub struct NotificationLogEntry {
    /// Null for the requester's own mails.
    pub account_id: Option<i64>,
    pub display_name: Option<String>,
    /// push, email or webhook.
    pub channel: String,
    /// request (a volunteer told), unclaimed (a coordinator alerted) or request_status (the
    /// requester's mail).
    pub kind: String,
    pub round: Option<i16>,
    /// pending, sent or failed.
    pub status: String,
    pub attempts: i32,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last try failed.
    pub error: Option<String>,
    /// Whether this volunteer took the request (even if they later gave it back).
    pub claimed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationLog {
    pub notifications: Vec<NotificationLogEntry>,
}

/// A request's notifications, oldest first (coordinators only).
#[utoipa::path(get, path = "/api/requests/{id}/notifications", tag = "notifications", security(("session" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationLog), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[get("/api/requests/<id>/notifications")]
pub async fn request_notifications(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<NotificationLog>> {
    account.require_coordinator()?;
    load(pool, id.0).await?;
    let rows = db_notifications::of_request(&**pool, id.0).await?;
    let claimers = db_notifications::claimers(&**pool, id.0).await?;
    let notifications = rows
        .into_iter()
        .map(|r| NotificationLogEntry {
            claimed: r.account_id.is_some_and(|a| claimers.contains(&a)),
            account_id: r.account_id,
            display_name: r.display_name,
            channel: r.channel,
            kind: r.kind,
            round: r.round,
            status: r.status,
            attempts: r.attempts,
            queued_at: r.created_at,
            sent_at: r.sent_at,
            error: r.last_error,
        })
        .collect();
    Ok(Json(NotificationLog { notifications }))
}
