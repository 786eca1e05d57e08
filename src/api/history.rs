//! The coordinator's history: closed requests, filtered by state and closing time, and what
//! one account did to requests (its full views included). Both paged.

use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::guards::{CurrentAccount, SingleQuery};
use super::params::{opt, page};
use super::request_views::public_cell;
use crate::db::accounts as db_accounts;
use crate::db::request_history as db_history;
use crate::domain::cells::Cell;
use crate::domain::history;
use crate::domain::paging::LOG_PAGE;
use crate::domain::requests::Status;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// A closed request in the history: what and when, with the public cell only (opening the
/// request shows the rest until the retention purge, and is logged).
#[derive(Serialize, ToSchema)]
pub struct HistoryItem {
    pub id: Uuid,
    pub category: String,
    pub urgency: String,
    /// done, cancelled, expired or rejected.
    pub status: String,
    pub on_behalf_of: bool,
    #[schema(value_type = String)]
    pub cell: Cell,
    pub created_at: DateTime<Utc>,
    pub closed_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryPage {
    pub requests: Vec<HistoryItem>,
    /// The next page's number, when there is one.
    pub next_page: Option<u32>,
}

/// Closed requests not yet purged, newest closure first, 20 a page (coordinators only).
#[utoipa::path(get, path = "/api/review/history", tag = "requests", security(("session" = [])),
    params(
        ("status" = Option<String>, Query, description = "done, cancelled, expired or rejected; all of them by default"),
        ("from" = Option<DateTime<Utc>>, Query, description = "closed at or after this time (RFC 3339)"),
        ("to" = Option<DateTime<Utc>>, Query, description = "closed before this time (RFC 3339)"),
        ("page" = Option<u32>, Query, description = "from 1 (the default) to 10000"),
    ),
    responses((status = 200, body = HistoryPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/review/history?<status>&<from>&<to>&<page>")]
pub async fn closed_requests(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: CurrentAccount,
    status: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    page: Option<&str>,
) -> ApiResult<Json<HistoryPage>> {
    account.require_coordinator()?;
    let only = opt::<String>("status", status)?
        .map(|s| s.parse::<Status>())
        .transpose()?;
    let statuses: Vec<&str> = history::statuses(only)?
        .into_iter()
        .map(Status::as_str)
        .collect();
    let from = opt::<DateTime<Utc>>("from", from)?;
    let to = opt::<DateTime<Utc>>("to", to)?;
    history::window(from, to)?;
    let page = self::page(page, history::PAGE_SIZE)?;
    let rows =
        db_history::closed(&**pool, &statuses, from, to, page.offset(), page.fetch()).await?;
    let (rows, next_page) = page.cut(rows);
    let requests = rows
        .into_iter()
        .map(|r| {
            Ok(HistoryItem {
                cell: public_cell(r.cell)?,
                id: r.id,
                category: r.category,
                urgency: r.urgency,
                status: r.status,
                on_behalf_of: r.on_behalf_of,
                created_at: r.created_at,
                closed_at: r.closed_at,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Json(HistoryPage {
        requests,
        next_page,
    }))
}

/// An entry of the request log written by one account.
#[derive(Serialize, ToSchema)]
pub struct AccountRequestEventView {
    pub id: i64,
    pub request_id: Uuid,
    pub category: String,
    /// What the account did: claimed, released, completed, approved, rejected, cancelled,
    /// created, or viewed_full (it saw the exact location and contact).
    pub action: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountRequestEventList {
    pub events: Vec<AccountRequestEventView>,
    pub next_page: Option<u32>,
}

/// What one account did to requests and which it saw in full, newest first, 50 a page
/// (coordinators only).
#[utoipa::path(get, path = "/api/accounts/{id}/request-events", tag = "accounts", security(("session" = [])),
    params(("id" = i64, Path), ("page" = Option<u32>, Query, description = "from 1 (the default) to 10000")),
    responses((status = 200, body = AccountRequestEventList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/accounts/<id>/request-events?<page>")]
pub async fn account_request_events(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
    page: Option<&str>,
) -> ApiResult<Json<AccountRequestEventList>> {
    account.require_coordinator()?;
    db_accounts::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no account with id {id}")))?;
    let page = self::page(page, LOG_PAGE)?;
    let rows = db_history::events_by_account(&**pool, id, page.offset(), page.fetch()).await?;
    let (rows, next_page) = page.cut(rows);
    Ok(Json(AccountRequestEventList {
        events: rows
            .into_iter()
            .map(|e| AccountRequestEventView {
                id: e.id,
                request_id: e.request_id,
                category: e.category,
                action: e.action,
                at: e.created_at,
            })
            .collect(),
        next_page,
    }))
}
