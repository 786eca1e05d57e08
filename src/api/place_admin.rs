//! Places made by hand: organizers and coordinators create shops and kitchens, edit them, and
//! coordinators approve them and add organizers.

use crate::error_code::ErrorCode;
use chrono::Utc;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::body::{body, body_and_digest, JsonBody};
use super::guards::CurrentAccount;
use super::idempotency::{IdempotencyKey, IdempotencyKeyHeader, Once};
use super::kitchen_access::require_manager;
use super::places::PlaceFeature;
use crate::db::kitchens as db_kitchens;
use crate::db::places::{self as db_places, NewPlace, PlacePatch};
use crate::domain::categories::{self, Kind};
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::geo::LatLon;
use crate::domain::place_admin;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::edit_place::edit_place as edit_place_op;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePlace {
    #[schema(value_type = String, example = "kitchen")]
    pub kind: String,
    pub name: String,
    #[schema(example = "soup_kitchen")]
    pub category: String,
    pub location: LatLon,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Serving or opening hours in OSM `opening_hours` syntax.
    pub opening_hours: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::whole::opt_i32")]
    pub meals_per_day: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct EditPlace {
    pub name: Option<String>,
    pub category: Option<String>,
    pub location: Option<LatLon>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub opening_hours: Option<String>,
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::whole::opt_i32")]
    pub meals_per_day: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceStatus {
    pub id: i64,
    /// `active`, or `pending_review` until a coordinator approves it.
    pub status: String,
}

fn check_hours(value: &Option<String>) -> ApiResult<()> {
    if let Some(h) = value {
        place_admin::parse_hours(h)?;
    }
    Ok(())
}

/// Create a shop or kitchen. Organizers who are not verified yet create it `pending_review`.
#[utoipa::path(post, path = "/api/places", tag = "kitchens", security(("session" = [])), request_body = CreatePlace,
    params(IdempotencyKeyHeader),
    responses((status = 201, body = PlaceStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[post("/api/places", data = "<input>")]
pub async fn create_place(
    pool: &State<PgPool>,
    account: CurrentAccount,
    idempotency: IdempotencyKey,
    input: JsonBody<'_, CreatePlace>,
) -> ApiResult<Once<PlaceStatus>> {
    let status =
        place_admin::initial_place_status(account.role, account.verified).ok_or_else(|| {
            ApiError::new(
                ErrorCode::OrganizersOnly,
                "only organizers and coordinators may add places",
            )
        })?;
    let (input, digest) = body_and_digest(input)?;
    let kind: Kind = input.kind.parse()?;
    let category = categories::find(&input.category)?;
    if category.kind != kind {
        return Err(ApiError::new(
            ErrorCode::CategoryMismatch,
            format!("category `{}` is not a {}", category.id, kind.as_str()),
        ));
    }
    let name = place_admin::place_text("name", Some(&input.name), 120)?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidPlace, "`name` is required"))?;
    let opening_hours =
        place_admin::place_text("opening_hours", input.opening_hours.as_deref(), 255)?;
    check_hours(&opening_hours)?;
    let meals_per_day = place_admin::meals_per_day(input.meals_per_day)?;
    let place = NewPlace {
        kind: kind.as_str(),
        name,
        category: category.id,
        point: input.location,
        cell: Cell::at(input.location, STORED_RES).to_db(),
        opening_hours,
        address: place_admin::place_text("address", input.address.as_deref(), 200)?,
        phone: place_admin::place_phone(input.phone.as_deref())?,
        description: place_admin::place_text("description", input.description.as_deref(), 1000)?,
        source: None,
        meals_per_day,
    };
    let mut tx = pool.begin().await?;
    let pending = match idempotency
        .begin(&mut tx, Some(account.id), &digest)
        .await?
    {
        Ok(pending) => pending,
        Err(first) => return Ok(first),
    };
    let id = db_places::insert_by_hand(&mut *tx, &place, status, account.id).await?;
    db_kitchens::add_organizer(&mut *tx, id, account.id).await?;
    let answer = PlaceStatus {
        id,
        status: status.into(),
    };
    let answer = pending.finish(&mut tx, Status::Created, answer).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Edit a place (its verified organizers and coordinators). Fields left out stay as they are.
/// An organizer's change to an approved place's name, location or phone sends it back to
/// review (`status: pending_review`, hidden from the public) until a coordinator approves it.
#[utoipa::path(patch, path = "/api/places/{id}", tag = "kitchens", security(("session" = [])), request_body = EditPlace,
    params(("id" = i64, Path)),
    responses((status = 200, body = PlaceFeature), (status = 403, body = ErrorBody, description = "not_an_organizer, not_verified"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/places/<id>", data = "<input>")]
pub async fn edit_place(
    pool: &State<PgPool>,
    tz: &State<chrono_tz::Tz>,
    config: &State<crate::config::AppConfig>,
    account: CurrentAccount,
    id: i64,
    input: JsonBody<'_, EditPlace>,
) -> ApiResult<Json<PlaceFeature>> {
    let existing = db_places::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    require_manager(pool, &account, id).await?;
    let input = body(input)?;
    if let Some(c) = &input.category {
        let c = categories::find(c)?;
        if c.kind.as_str() != existing.kind {
            return Err(ApiError::new(
                ErrorCode::CategoryMismatch,
                format!("category `{}` is not a {}", c.id, existing.kind),
            ));
        }
    }
    let name = match input.name {
        Some(n) => Some(
            place_admin::place_text("name", Some(&n), 120)?
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidPlace, "`name` cannot be empty"))?,
        ),
        None => None,
    };
    let opening_hours =
        place_admin::place_text("opening_hours", input.opening_hours.as_deref(), 255)?;
    check_hours(&opening_hours)?;
    let meals_per_day = place_admin::meals_per_day(input.meals_per_day)?;
    let patch = PlacePatch {
        name,
        category: input
            .category
            .as_deref()
            .map(|c| categories::find(c).map(|c| c.id))
            .transpose()?,
        point: input.location.map(|p| (p, Cell::at(p, STORED_RES).to_db())),
        address: place_admin::place_text("address", input.address.as_deref(), 200)?,
        phone: place_admin::place_phone(input.phone.as_deref())?,
        opening_hours,
        description: place_admin::place_text("description", input.description.as_deref(), 1000)?,
        meals_per_day,
    };
    let mut tx = pool.begin().await?;
    edit_place_op(&mut tx, account.role, id, &patch).await?;
    tx.commit().await?;
    let row = db_places::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    let now = Utc::now();
    let live =
        crate::operations::find_places::live_states(pool, &config.report_policy(), [&row], now)
            .await?
            .remove(&id);
    Ok(Json(PlaceFeature::from_row(row, None, live, now, **tz)))
}

/// Make a place created by an unverified organizer public (coordinators).
#[utoipa::path(post, path = "/api/places/{id}/approve", tag = "kitchens", security(("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PlaceStatus), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/places/<id>/approve")]
pub async fn approve_place(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<PlaceStatus>> {
    account.require_coordinator()?;
    if !db_places::set_status(&**pool, id, "active").await? {
        return Err(ApiError::not_found(format!("no place with id {id}")));
    }
    Ok(Json(PlaceStatus {
        id,
        status: "active".into(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddOrganizer {
    #[serde(deserialize_with = "crate::domain::whole::i64")]
    pub account_id: i64,
}

/// Add an organizer to a place (coordinators).
#[utoipa::path(post, path = "/api/places/{id}/organizers", tag = "kitchens", security(("session" = [])), request_body = AddOrganizer,
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such place, or `unknown_account`"), (status = 409, body = ErrorBody, description = "`account_not_organizer`"), (status = 422, body = ErrorBody)))]
#[post("/api/places/<id>/organizers", data = "<input>")]
pub async fn add_organizer(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
    input: JsonBody<'_, AddOrganizer>,
) -> ApiResult<Status> {
    account.require_coordinator()?;
    let input = body(input)?;
    db_places::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    let role = db_kitchens::account_role(&**pool, input.account_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownAccount,
                format!("no account with id {}", input.account_id),
            )
        })?;
    if !place_admin::may_organize(role.parse()?) {
        return Err(ApiError::new(
            ErrorCode::AccountNotOrganizer,
            "the account must have the organizer or coordinator role",
        ));
    }
    db_kitchens::add_organizer(&**pool, id, input.account_id).await?;
    Ok(Status::NoContent)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyPlace {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub status: String,
}

/// The places I organize, including those waiting for review.
#[utoipa::path(get, path = "/api/me/places", tag = "kitchens", security(("session" = [])), responses((status = 200, body = Vec<MyPlace>), (status = 401, body = ErrorBody)))]
#[get("/api/me/places")]
pub async fn my_places(
    pool: &State<PgPool>,
    account: CurrentAccount,
) -> ApiResult<Json<Vec<MyPlace>>> {
    let places = db_kitchens::organized_places(&**pool, account.id).await?;
    Ok(Json(
        places
            .into_iter()
            .map(|(id, name, kind, status)| MyPlace {
                id,
                name,
                kind,
                status,
            })
            .collect(),
    ))
}
