//! What coordinators do to accounts: list them, verify or take verification back, suspend or
//! lift a suspension, read an account's audit log, and see alerts.

use chrono::{DateTime, Duration, Utc};
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::guards::{CurrentAccount, SingleQuery};
use crate::db::accounts::{self as db_accounts, AccountEventRow, AccountRow};
use crate::domain::accounts::Standing;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::account_standing::change_standing;

/// An account as a coordinator sees it.
#[derive(Serialize, ToSchema)]
pub struct AccountSummary {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: String,
    pub verified: bool,
    pub suspended: bool,
    pub created_at: DateTime<Utc>,
}

impl From<AccountRow> for AccountSummary {
    fn from(r: AccountRow) -> Self {
        Self {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            phone: r.phone,
            role: r.role,
            verified: r.verified,
            suspended: r.suspended,
            created_at: r.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountList {
    pub accounts: Vec<AccountSummary>,
}

/// Accounts for coordinators; `unverified=true` lists those waiting for verification.
#[utoipa::path(get, path = "/api/accounts", tag = "accounts", security(("session" = [])),
    params(("unverified" = Option<bool>, Query)),
    responses((status = 200, body = AccountList), (status = 403, body = ErrorBody)))]
#[get("/api/accounts?<unverified>")]
pub async fn list_accounts(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: CurrentAccount,
    unverified: Option<&str>,
) -> ApiResult<Json<AccountList>> {
    account.require_coordinator()?;
    let unverified = super::params::flag("unverified", unverified)?;
    let rows = db_accounts::list(&**pool, unverified, 500).await?;
    Ok(Json(AccountList {
        accounts: rows.into_iter().map(AccountSummary::from).collect(),
    }))
}

async fn standing(
    pool: &PgPool,
    account: &CurrentAccount,
    id: i64,
    change: Standing,
) -> ApiResult<Json<AccountSummary>> {
    account.require_coordinator()?;
    let mut tx = pool.begin().await?;
    let row = change_standing(&mut tx, &account.facts(), id, change).await?;
    tx.commit().await?;
    Ok(Json(row.into()))
}

/// Marks an account verified (coordinators only). Verified volunteers may see tasks and claim;
/// verified organizers may manage their kitchens.
#[utoipa::path(post, path = "/api/accounts/{id}/verify", tag = "accounts", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/accounts/<id>/verify")]
pub async fn verify_account(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<AccountSummary>> {
    standing(pool, &account, id, Standing::Verify).await
}

/// Takes verification back (coordinators only): the account's assignments open again.
#[utoipa::path(post, path = "/api/accounts/{id}/unverify", tag = "accounts", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "cannot_suspend_self")))]
#[post("/api/accounts/<id>/unverify")]
pub async fn unverify_account(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<AccountSummary>> {
    standing(pool, &account, id, Standing::Unverify).await
}

/// Suspends an account (coordinators only): its sessions end at once, its assignments open
/// again, and it cannot sign in (403 `account_suspended`) until the suspension is lifted.
#[utoipa::path(post, path = "/api/accounts/{id}/suspend", tag = "accounts", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "cannot_suspend_self")))]
#[post("/api/accounts/<id>/suspend")]
pub async fn suspend_account(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<AccountSummary>> {
    standing(pool, &account, id, Standing::Suspend).await
}

/// Lifts a suspension (coordinators only). Verification stays as it was.
#[utoipa::path(post, path = "/api/accounts/{id}/unsuspend", tag = "accounts", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/accounts/<id>/unsuspend")]
pub async fn unsuspend_account(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<AccountSummary>> {
    standing(pool, &account, id, Standing::Unsuspend).await
}

/// An account audit event or alert.
#[derive(Serialize, ToSchema)]
pub struct AccountEventView {
    pub id: i64,
    pub account_id: Option<i64>,
    pub display_name: Option<String>,
    /// Who did it; null for the system.
    pub actor_id: Option<i64>,
    /// home_changed, verified, unverified, suspended, unsuspended, or an alert such as
    /// alert_release_burst (a volunteer reached the daily limit of given-back requests).
    pub action: String,
    pub at: DateTime<Utc>,
}

impl From<AccountEventRow> for AccountEventView {
    fn from(e: AccountEventRow) -> Self {
        Self {
            id: e.id,
            account_id: e.account_id,
            display_name: e.display_name,
            actor_id: e.actor_id,
            action: e.action,
            at: e.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountEventList {
    pub events: Vec<AccountEventView>,
    /// The next page's number, when there is one.
    pub next_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertList {
    pub alerts: Vec<AccountEventView>,
}

/// One account's audit log, newest first, 50 a page (coordinators only): home moves,
/// verification and suspension, alerts.
#[utoipa::path(get, path = "/api/accounts/{id}/events", tag = "accounts", security(("session" = [])),
    params(("id" = i64, Path), ("page" = Option<u32>, Query, description = "from 1 (the default) to 10000")),
    responses((status = 200, body = AccountEventList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/accounts/<id>/events?<page>")]
pub async fn account_events(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
    page: Option<&str>,
) -> ApiResult<Json<AccountEventList>> {
    account.require_coordinator()?;
    db_accounts::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no account with id {id}")))?;
    let page = super::params::page(page, crate::domain::paging::LOG_PAGE)?;
    let rows = db_accounts::events_of(&**pool, id, page.offset(), page.fetch()).await?;
    let (rows, next_page) = page.cut(rows);
    Ok(Json(AccountEventList {
        events: rows.into_iter().map(Into::into).collect(),
        next_page,
    }))
}

/// Alerts from the last 7 days, newest first (coordinators only).
#[utoipa::path(get, path = "/api/alerts", tag = "accounts", security(("session" = [])),
    responses((status = 200, body = AlertList), (status = 403, body = ErrorBody)))]
#[get("/api/alerts")]
pub async fn alerts(pool: &State<PgPool>, account: CurrentAccount) -> ApiResult<Json<AlertList>> {
    account.require_coordinator()?;
    let rows = db_accounts::alerts_since(&**pool, Utc::now() - Duration::days(7), 200).await?;
    Ok(Json(AlertList {
        alerts: rows.into_iter().map(Into::into).collect(),
    }))
}
