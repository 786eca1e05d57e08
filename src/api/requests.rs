//! Help requests over HTTP: posting, the public and full views, the lifecycle actions, the
//! coordinator's review queue and audit log, and the public k-anonymous cell counts.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use rocket::http::Status as HttpStatus;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::guards::{actor, CurrentAccount};
use super::limits::{Action as Limited, RateLimiter};
use super::params::{body, JsonBody, RequestId};
use crate::db::requests::{self as db_requests, NewRequest, RequestRow};
use crate::domain::cells::{Cell, PUBLIC_RES, STORED_RES};
use crate::domain::geo::{BBox, LatLon};
use crate::domain::requests::{self as rules, Action, Actor, Reveal, Status, Urgency};
use crate::domain::{accounts, privacy};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::secrets;

#[derive(Deserialize, Serialize, ToSchema, Clone)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

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
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
    pub status: Status,
    /// The resolution-8 cell: all the location anyone else learns.
    #[schema(value_type = String, example = "88c2e4ad0bfffff")]
    pub public_cell: Cell,
    /// The private key to the manage link (`/?request=ID&token=TOKEN`). Shown once; only its
    /// SHA-256 is stored.
    pub manage_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Assignee {
    pub id: i64,
    pub display_name: Option<String>,
}

/// A request. `view` is `public` (no location, no contact) or `full`.
#[derive(Serialize, ToSchema)]
pub struct RequestView {
    pub id: Uuid,
    #[schema(example = "public")]
    pub view: &'static str,
    pub category: String,
    pub urgency: String,
    pub status: String,
    /// Resolution-8 cell.
    #[schema(value_type = String)]
    pub cell: Cell,
    pub needed_by: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Exact point (full view only; null once purged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LatLon>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Assignee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purged: Option<bool>,
}

/// The res-8 cell of a stored res-9 cell.
pub fn public_cell(stored: i64) -> ApiResult<Cell> {
    Cell::from_db(stored)?
        .parent(PUBLIC_RES)
        .ok_or_else(ApiError::internal)
}

impl RequestView {
    pub fn public(r: &RequestRow) -> ApiResult<Self> {
        Ok(Self {
            id: r.id,
            view: "public",
            category: r.category.clone(),
            urgency: r.urgency.clone(),
            status: r.status.clone(),
            cell: public_cell(r.cell)?,
            needed_by: r.needed_by,
            created_at: r.created_at,
            description: None,
            location: None,
            address_detail: None,
            contact: None,
            on_behalf_of: None,
            assignee: None,
            purged: None,
        })
    }

    pub fn full(r: RequestRow) -> ApiResult<Self> {
        let public = Self::public(&r)?;
        let location = match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
            _ => None,
        };
        let contact = match (r.contact_name, r.contact_phone) {
            (Some(name), Some(phone)) => Some(Contact { name, phone }),
            _ => None,
        };
        Ok(Self {
            view: "full",
            description: r.description,
            location,
            address_detail: r.address_detail,
            contact,
            on_behalf_of: Some(r.on_behalf_of),
            assignee: r.assignee.map(|id| Assignee {
                id,
                display_name: r.assignee_name,
            }),
            purged: Some(r.purged_at.is_some()),
            ..public
        })
    }
}

/// Writes the audit event for a full view, then builds it.
pub async fn reveal(
    pool: &PgPool,
    row: RequestRow,
    why: Reveal,
    account: Option<&CurrentAccount>,
) -> ApiResult<RequestView> {
    db_requests::add_event(
        pool,
        row.id,
        account.map(|a| a.id),
        why.audit_actor(),
        "viewed_full",
    )
    .await?;
    RequestView::full(row)
}

async fn load(pool: &PgPool, id: Uuid) -> ApiResult<RequestRow> {
    db_requests::by_id(pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no request with id {id}")))
}

/// Checks a manage token; a wrong one is refused rather than ignored.
async fn token_ok(pool: &PgPool, id: Uuid, token: Option<&str>) -> ApiResult<bool> {
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(false),
        Some(t) => {
            if db_requests::token_matches(pool, id, &secrets::token_hash(t)).await? {
                Ok(true)
            } else {
                Err(ApiError::forbidden(
                    "invalid_token",
                    "this link's token does not match the request",
                ))
            }
        }
    }
}

/// Asks for help. Anyone may post. Requests from anonymous users and unverified accounts wait
/// for a coordinator's review; coordinators' and verified organizers' requests open at once.
#[utoipa::path(post, path = "/api/requests", tag = "requests", request_body = NewRequestBody,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "rate_limited")))]
#[post("/api/requests", data = "<input>")]
pub async fn create(
    pool: &State<PgPool>,
    limiter: &State<RateLimiter>,
    ip: Option<IpAddr>,
    account: Option<CurrentAccount>,
    input: JsonBody<'_, NewRequestBody>,
) -> ApiResult<(HttpStatus, Json<Created>)> {
    limiter.check(ip, Limited::PostRequest)?;
    let input = body(input)?;
    let category = rules::category(&input.category)?;
    let urgency: Urgency = match input.urgency.as_deref().map(str::trim) {
        None | Some("") => Urgency::default(),
        Some(u) => u.parse()?,
    };
    let description = accounts::optional_text("description", input.description.as_deref(), 1000)?;
    let address_detail =
        accounts::optional_text("address_detail", input.address_detail.as_deref(), 300)?;
    let contact_name = accounts::text("contact.name", &input.contact.name, 100)?;
    let contact_phone = accounts::phone(&input.contact.phone)?;
    let needed_by = rules::needed_by(input.needed_by, Utc::now())?;
    let status = rules::initial_status(account.as_ref().map(CurrentAccount::facts).as_ref());
    let stored = Cell::at(input.location, STORED_RES);
    let token = secrets::new_token();
    let mut tx = pool.begin().await?;
    let id = db_requests::insert(
        &mut *tx,
        &NewRequest {
            category,
            description: description.as_deref(),
            location: input.location,
            cell: stored.to_db(),
            address_detail: address_detail.as_deref(),
            contact_name: &contact_name,
            contact_phone: &contact_phone,
            on_behalf_of: input.on_behalf_of,
            needed_by,
            urgency: urgency.as_str(),
            status,
            manage_token_hash: &secrets::token_hash(&token),
            created_by: account.as_ref().map(|a| a.id),
        },
    )
    .await?;
    let (who, actor_kind) = match &account {
        Some(a) => (Some(a.id), "account"),
        None => (None, "requester"),
    };
    db_requests::add_event(&mut *tx, id, who, actor_kind, "created").await?;
    tx.commit().await?;
    Ok((
        HttpStatus::Created,
        Json(Created {
            id,
            status,
            public_cell: stored.parent(PUBLIC_RES).ok_or_else(ApiError::internal)?,
            manage_token: token,
        }),
    ))
}

/// One request: the public view for everyone; the full view for the assigned volunteer,
/// coordinators, or with the manage `token`. Every full view is written to the audit log.
#[utoipa::path(get, path = "/api/requests/{id}", tag = "requests",
    params(("id" = Uuid, Path), ("token" = Option<String>, Query, description = "the manage token")),
    responses((status = 200, body = RequestView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/requests/<id>?<token>", rank = 3)]
pub async fn one(
    pool: &State<PgPool>,
    account: Option<CurrentAccount>,
    id: RequestId,
    token: Option<&str>,
) -> ApiResult<Json<RequestView>> {
    let row = load(pool, id.0).await?;
    let has_token = token_ok(pool, id.0, token).await?;
    let who = actor(account.as_ref(), has_token);
    Ok(Json(match rules::reveal(&who, row.assignee) {
        Some(why) => reveal(pool, row, why, account.as_ref()).await?,
        None => RequestView::public(&row)?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct StatusView {
    pub id: Uuid,
    pub status: Status,
}

/// Runs a lifecycle action other than claim: authorize, move the state if it has not changed
/// meanwhile, and log it.
async fn act(pool: &PgPool, id: Uuid, action: Action, who: Actor) -> ApiResult<Json<StatusView>> {
    let row = load(pool, id).await?;
    rules::authorize(action, &who, row.assignee)?;
    let from: Status = row.status.parse()?;
    let to = rules::transition(from, action)?;
    let mut tx = pool.begin().await?;
    if !db_requests::change_status(&mut *tx, id, from, row.assignee, to).await? {
        return Err(ApiError::conflict(
            "state_changed",
            "the request changed meanwhile; reload it",
        ));
    }
    let (account_id, kind) = match who.account {
        Some(a) if !(action == Action::Cancel && who.has_token) => (Some(a.id), "account"),
        _ => (None, "requester"),
    };
    db_requests::add_event(&mut *tx, id, account_id, kind, action.event()).await?;
    tx.commit().await?;
    Ok(Json(StatusView { id, status: to }))
}

/// Approves a request under review: it opens to volunteers (coordinators only).
#[utoipa::path(post, path = "/api/requests/{id}/approve", tag = "requests", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/approve")]
pub async fn approve(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(pool, id.0, Action::Approve, actor(Some(&account), false)).await
}

/// Rejects a request under review (coordinators only).
#[utoipa::path(post, path = "/api/requests/{id}/reject", tag = "requests", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/reject")]
pub async fn reject(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(pool, id.0, Action::Reject, actor(Some(&account), false)).await
}

/// Cancels a request: the requester with the manage `token`, or a coordinator.
#[utoipa::path(post, path = "/api/requests/{id}/cancel", tag = "requests",
    params(("id" = Uuid, Path), ("token" = Option<String>, Query)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/cancel?<token>")]
pub async fn cancel(
    pool: &State<PgPool>,
    account: Option<CurrentAccount>,
    id: RequestId,
    token: Option<&str>,
) -> ApiResult<Json<StatusView>> {
    load(pool, id.0).await?;
    let has_token = token_ok(pool, id.0, token).await?;
    act(
        pool,
        id.0,
        Action::Cancel,
        actor(account.as_ref(), has_token),
    )
    .await
}

/// Takes an open request (verified volunteers within reach). Atomic: of many parallel claims
/// one gets 200, the rest 409 `already_assigned`; past `max_open`, 409 `too_many_open`.
#[utoipa::path(post, path = "/api/requests/{id}/claim", tag = "requests", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody, description = "not_verified, not_eligible"),
        (status = 409, body = ErrorBody, description = "already_assigned, too_many_open")))]
#[post("/api/requests/<id>/claim")]
pub async fn claim(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    rules::authorize(Action::Claim, &actor(Some(&account), false), None)?;
    match db_requests::claim(pool, account.id, id.0).await? {
        None => Err(ApiError::not_found(format!("no request with id {}", id.0))),
        Some(Err(denied)) => Err(denied.into()),
        Some(Ok(())) => Ok(Json(StatusView {
            id: id.0,
            status: Status::Assigned,
        })),
    }
}

/// Gives a claimed request back: it opens again (the assignee or a coordinator).
#[utoipa::path(post, path = "/api/requests/{id}/release", tag = "requests", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/release")]
pub async fn release(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(pool, id.0, Action::Release, actor(Some(&account), false)).await
}

/// Marks a claimed request done (the assignee or a coordinator).
#[utoipa::path(post, path = "/api/requests/{id}/complete", tag = "requests", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/requests/<id>/complete")]
pub async fn complete(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<StatusView>> {
    act(pool, id.0, Action::Complete, actor(Some(&account), false)).await
}

/// A request in the review queue: what a coordinator needs to judge it, without the exact
/// location or contact (opening the request shows those, and is logged).
#[derive(Serialize, ToSchema)]
pub struct ReviewItem {
    pub id: Uuid,
    pub category: String,
    pub urgency: String,
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
#[utoipa::path(get, path = "/api/review/requests", tag = "requests",
    params(("status" = Option<String>, Query, description = "pending_review (default), open, assigned, ...")),
    responses((status = 200, body = ReviewQueue), (status = 403, body = ErrorBody)))]
#[get("/api/review/requests?<status>")]
pub async fn review_queue(
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
                description: r.description,
                on_behalf_of: r.on_behalf_of,
                needed_by: r.needed_by,
                created_at: r.created_at,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Json(ReviewQueue { requests }))
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
}

/// The audit log of one request: every lifecycle action and every full view (coordinators only).
#[utoipa::path(get, path = "/api/requests/{id}/events", tag = "requests", params(("id" = Uuid, Path)),
    responses((status = 200, body = EventList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/requests/<id>/events")]
pub async fn events(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
) -> ApiResult<Json<EventList>> {
    account.require_coordinator()?;
    load(pool, id.0).await?;
    let events = db_requests::events(&**pool, id.0)
        .await?
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
    Ok(Json(EventList { events }))
}

#[derive(Serialize, ToSchema)]
pub struct Polygon {
    #[serde(rename = "type")]
    #[schema(example = "Polygon")]
    pub kind: &'static str,
    pub coordinates: Vec<Vec<[f64; 2]>>,
}

#[derive(Serialize, ToSchema)]
pub struct CellProperties {
    #[schema(value_type = String)]
    pub cell: Cell,
    pub res: u8,
    /// Open requests in the cell; never below 3 (0 from `/api/cells/{cell}`, which counts nothing).
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct CellFeature {
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub geometry: Polygon,
    pub properties: CellProperties,
}

#[derive(Serialize, ToSchema)]
pub struct CellCollection {
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<CellFeature>,
}

/// Public counts of open requests as hexagons: resolution 8 (the default) or coarser. A cell
/// shows only with at least 3 requests; smaller res-8 counts roll up into their res-7 parent,
/// and what stays below 3 is not shown.
#[utoipa::path(get, path = "/api/requests/cells", tag = "requests",
    params(("bbox" = String, Query, description = "minLon,minLat,maxLon,maxLat"),
        ("res" = Option<u8>, Query, description = "8 (default) or coarser; finer is refused")),
    responses((status = 200, body = CellCollection), (status = 422, body = ErrorBody)))]
#[get("/api/requests/cells?<bbox>&<res>", rank = 1)]
pub async fn cells(
    pool: &State<PgPool>,
    bbox: Option<&str>,
    res: Option<&str>,
) -> ApiResult<Json<CellCollection>> {
    let bbox: BBox = super::params::required::<String>("bbox", bbox)?.parse()?;
    let res = privacy::public_res(super::params::opt("res", res)?)?;
    let stored = db_requests::open_cells_in(&**pool, privacy::widened_bbox(bbox, res))
        .await?
        .into_iter()
        .map(Cell::from_db)
        .collect::<Result<Vec<_>, _>>()?;
    let features = privacy::public_counts(&stored, res)
        .into_iter()
        .filter(|(c, _)| privacy::touches(*c, bbox))
        .map(|(cell, count)| CellFeature {
            kind: "Feature",
            geometry: Polygon {
                kind: "Polygon",
                coordinates: vec![cell.ring()],
            },
            properties: CellProperties {
                cell,
                res: u8::from(cell.res()),
                count,
            },
        })
        .collect();
    Ok(Json(CellCollection {
        kind: "FeatureCollection",
        features,
    }))
}

/// One H3 cell of resolution 8 or coarser as a GeoJSON hexagon: public grid geometry, so the
/// page can draw the cells that task lists name. Finer cells are refused.
#[utoipa::path(get, path = "/api/cells/{cell}", tag = "requests",
    params(("cell" = String, Path, description = "H3 cell, hex", example = "88b24d36e7fffff")),
    responses((status = 200, body = CellFeature), (status = 422, body = ErrorBody)))]
#[get("/api/cells/<cell>")]
pub fn cell_outline(cell: &str) -> ApiResult<Json<CellFeature>> {
    let cell: Cell = cell.parse()?;
    if cell.res() > PUBLIC_RES {
        return Err(ApiError::unprocessable(
            "invalid_resolution",
            format!(
                "cells finer than resolution 8 are not served, got {}",
                u8::from(cell.res())
            ),
        ));
    }
    Ok(Json(CellFeature {
        kind: "Feature",
        geometry: Polygon {
            kind: "Polygon",
            coordinates: vec![cell.ring()],
        },
        properties: CellProperties {
            cell,
            res: u8::from(cell.res()),
            count: 0,
        },
    }))
}
