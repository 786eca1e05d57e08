//! Help requests over HTTP: posting one, its public or full view, cancelling it, and its
//! audit log. Claims are in `claims`, review in `review`, public counts in `cells`.

use crate::error_code::ErrorCode;

use chrono::{DateTime, Utc};
use rocket::http::Status as HttpStatus;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::body::{body, body_and_digest, JsonBody};
use super::guards::{actor, CurrentAccount, ManageToken, SingleQuery};
use super::idempotency::{IdempotencyKey, IdempotencyKeyHeader, Once};
use super::limits::{Action as Limited, Limits};
use super::params::RequestId;
use super::request_views::{load, reveal, Contact, RequestView};
use crate::config::AppConfig;
use crate::db::requests as db_requests;
use crate::domain::accounts;
use crate::domain::cells::Cell;
use crate::domain::geo::LatLon;
use crate::domain::notifications;
use crate::domain::privacy;
use crate::domain::requests::{self as rules, Action, Status, Urgency};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::create_request::{create_request, Ask};
use crate::operations::{lifecycle, notify};
use crate::secrets;

#[derive(Deserialize, ToSchema)]
pub struct NewRequestBody {
    /// groceries, medicine, company, errand, meal or other.
    #[schema(example = "medicine")]
    pub category: String,
    pub description: Option<String>,
    /// Where help is needed. Private: shown only to the assigned volunteer, coordinators and
    /// the requester.
    pub location: LatLon,
    /// Floor, door, how to find the house. Private.
    pub address_detail: Option<String>,
    /// Whom the volunteer calls. Private.
    pub contact: Contact,
    /// True when someone asks on behalf of another person.
    #[serde(default)]
    pub on_behalf_of: bool,
    pub needed_by: Option<DateTime<Utc>>,
    /// low, normal (the default) or high.
    pub urgency: Option<String>,
    /// Where the requester hears that the request was taken, done or expired. Private: only
    /// the mailer reads it, and the retention purge erases it.
    #[schema(example = "ana@example.org")]
    pub contact_email: Option<String>,
    /// The language of those mails: es (the default) or en.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
    pub status: Status,
    /// The resolution-8 cell: all the location anyone else learns.
    #[schema(value_type = String, example = "88c2e4ad0bfffff")]
    pub public_cell: Cell,
    /// The private key to the manage link (`/?request=ID#token=TOKEN`): send it back in the
    /// `X-Manage-Token` header. Shown once; only its SHA-256 is stored.
    pub manage_token: String,
}

/// Asks for help. Anyone may post. Requests from anonymous users and unverified accounts wait
/// for a coordinator's review; coordinators' and verified organizers' requests open at once.
#[utoipa::path(post, path = "/api/requests", tag = "requests", request_body = NewRequestBody,
    params(IdempotencyKeyHeader),
    responses((status = 201, body = Created), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "rate_limited")))]
#[post("/api/requests", data = "<input>")]
pub async fn create(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    limits: Limits<'_>,
    account: Option<CurrentAccount>,
    idempotency: IdempotencyKey,
    input: JsonBody<'_, NewRequestBody>,
) -> ApiResult<Once<Created>> {
    let (input, digest) = body_and_digest(input)?;
    let mut tx = pool.begin().await?;
    let pending = match idempotency
        .begin(&mut tx, account.as_ref().map(|a| a.id), &digest)
        .await?
    {
        Ok(pending) => pending,
        Err(first) => return Ok(first),
    };
    limits
        .spend(Limited::PostRequest, account.as_ref().map(|a| a.id))
        .await?;
    let urgency: Urgency = input
        .urgency
        .as_deref()
        .map(str::parse)
        .transpose()?
        .unwrap_or_default();
    let description = accounts::optional_text("description", input.description.as_deref(), 1000)?;
    let address_detail =
        accounts::optional_text("address_detail", input.address_detail.as_deref(), 300)?;
    let contact_name = accounts::text("contact.name", &input.contact.name, 100)?;
    let contact_phone = accounts::phone(&input.contact.phone)?;
    let contact_email = input
        .contact_email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(accounts::email)
        .transpose()?;
    let language = notifications::language(input.language.as_deref())?;
    let ask = Ask {
        category: rules::category(&input.category)?,
        description: description.as_deref(),
        location: input.location,
        address_detail: address_detail.as_deref(),
        contact_name: &contact_name,
        contact_phone: &contact_phone,
        contact_email: contact_email.as_deref(),
        language,
        on_behalf_of: input.on_behalf_of,
        needed_by: rules::needed_by(input.needed_by, Utc::now())?,
        urgency: urgency.as_str(),
    };
    let author = account.as_ref().map(CurrentAccount::facts);
    let created = create_request(&mut tx, author.as_ref(), &ask).await?;
    if created.status == Status::Open {
        let ctx = notify::Context::new(config, Utc::now());
        notify::request_opened(&mut tx, &ctx, created.id).await?;
    }
    let answer = Created {
        id: created.id,
        status: created.status,
        public_cell: created.public_cell,
        manage_token: created.manage_token,
    };
    let answer = pending.finish(&mut tx, HttpStatus::Created, answer).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Checks a manage token; a wrong one is refused rather than ignored.
async fn token_ok(pool: &PgPool, id: Uuid, token: Option<String>) -> ApiResult<bool> {
    let Some(t) = token else { return Ok(false) };
    if db_requests::token_matches(pool, id, &secrets::token_hash(&t)).await? {
        Ok(true)
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidToken,
            "this link's token does not match the request",
        ))
    }
}

/// One request: the public view for everyone; the full view for the assigned volunteer,
/// coordinators, or with the manage token in the `X-Manage-Token` header. Every full view is
/// written to the audit log. A token in the query string is refused (400 `token_in_url`).
#[utoipa::path(get, path = "/api/requests/{id}", tag = "requests",
    params(("id" = Uuid, Path), ("X-Manage-Token" = Option<String>, Header, description = "the manage token")),
    responses((status = 200, body = RequestView), (status = 400, body = ErrorBody, description = "token_in_url"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/requests/<id>", rank = 3)]
pub async fn one(
    pool: &State<PgPool>,
    account: Option<CurrentAccount>,
    token: ManageToken,
    id: RequestId,
) -> ApiResult<Json<RequestView>> {
    let token = token.get(None)?;
    let row = load(pool, id.0).await?;
    let has_token = token_ok(pool, id.0, token).await?;
    let audience = privacy::audience(&actor(account.as_ref(), has_token), row.assignee);
    Ok(Json(match audience.reveal() {
        Some(why) => reveal(pool, row, why, account.as_ref()).await?,
        None => RequestView::public(&row)?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct StatusView {
    pub id: Uuid,
    pub status: Status,
}

/// Runs a lifecycle action other than claim in a transaction.
pub async fn act(
    pool: &PgPool,
    config: &AppConfig,
    id: Uuid,
    action: Action,
    who: rules::Actor,
) -> ApiResult<Json<StatusView>> {
    let mut tx = pool.begin().await?;
    let now = Utc::now();
    let status = lifecycle::act(&mut tx, id, action, &who, config.daily_limits(), now).await?;
    match status {
        Status::Open => {
            notify::request_opened(&mut tx, &notify::Context::new(config, now), id).await?;
        }
        Status::Done => notify::requester_update(&mut tx, &config.notify, id, "done").await?,
        _ => {}
    }
    tx.commit().await?;
    Ok(Json(StatusView { id, status }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CancelBody {
    /// The manage token, when not sent in the `X-Manage-Token` header.
    pub token: Option<String>,
}

/// Cancels a request: the requester with the manage token (in the `X-Manage-Token` header or
/// the body), or a coordinator.
#[utoipa::path(post, path = "/api/requests/{id}/cancel", tag = "requests",
    params(("id" = Uuid, Path), ("X-Manage-Token" = Option<String>, Header)),
    request_body(content = Option<CancelBody>),
    responses((status = 200, body = StatusView), (status = 400, body = ErrorBody, description = "token_in_url"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/cancel", data = "<input>")]
pub async fn cancel(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: Option<CurrentAccount>,
    token: ManageToken,
    id: RequestId,
    input: JsonBody<'_, Option<CancelBody>>,
) -> ApiResult<Json<StatusView>> {
    let input = body(input)?;
    let token = token.get(input.as_ref().and_then(|b| b.token.as_deref()))?;
    load(pool, id.0).await?;
    let has_token = token_ok(pool, id.0, token).await?;
    act(
        pool,
        config,
        id.0,
        Action::Cancel,
        actor(account.as_ref(), has_token),
    )
    .await
}

#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    /// created, approved, rejected, cancelled, claimed, released, completed, expired, purged,
    /// or viewed_full (a reveal of the exact location and contact).
    pub action: String,
    /// account, requester or system.
    pub actor: String,
    pub account_id: Option<i64>,
    pub display_name: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub events: Vec<EventView>,
    /// The next page's number, when there is one.
    pub next_page: Option<u32>,
}

/// The audit log of one request, oldest first, 50 a page: every lifecycle action and every
/// full view (coordinators only).
#[utoipa::path(get, path = "/api/requests/{id}/events", tag = "requests", security(("session" = [])),
    params(("id" = Uuid, Path), ("page" = Option<u32>, Query, description = "from 1 (the default) to 10000")),
    responses((status = 200, body = EventList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/api/requests/<id>/events?<page>")]
pub async fn events(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
    page: Option<&str>,
) -> ApiResult<Json<EventList>> {
    account.require_coordinator()?;
    // A purged request's log stays for audits, but like the request it is not shown.
    load(pool, id.0).await?;
    let page = super::params::page(page, crate::domain::paging::LOG_PAGE)?;
    let rows =
        crate::db::request_history::events(&**pool, id.0, page.offset(), page.fetch()).await?;
    let (rows, next_page) = page.cut(rows);
    let events = rows
        .into_iter()
        .map(|e| EventView {
            id: e.id,
            action: e.action,
            actor: e.actor,
            account_id: e.account_id,
            display_name: e.display_name,
            at: e.created_at,
        })
        .collect();
    Ok(Json(EventList { events, next_page }))
}
