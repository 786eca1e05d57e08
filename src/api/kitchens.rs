//! Places made by hand (organizers, coordinators) and community kitchens' needs: supplies with
//! pledges, shifts with sign-ups, and discovery of open needs nearby.

use chrono::{DateTime, Utc};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::guards::CurrentAccount;
use super::params::{self, body, JsonBody};
use super::places::PlaceFeature;
use crate::db::kitchens::{self as db_kitchens, NeedRow, PledgeRow};
use crate::db::places::{self as db_places, NewPlace, PlacePatch};
use crate::domain::accounts::Role;
use crate::domain::categories::{self, Kind};
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::geo::{self, LatLon};
use crate::domain::kitchens::{self, NewNeed, PledgeRefusal, SignupRefusal};
use crate::error::{ApiError, ApiResult, ErrorBody};

// ---- places by hand

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
        kitchens::parse_hours(h)?;
    }
    Ok(())
}

/// May this account manage this place: a coordinator, or one of its organizers.
async fn may_manage(pool: &PgPool, account: &CurrentAccount, place_id: i64) -> ApiResult<bool> {
    let organizer = db_kitchens::is_organizer(pool, place_id, account.id).await?;
    Ok(kitchens::may_manage(
        account.role == Role::Coordinator,
        organizer,
    ))
}

async fn require_manager(pool: &PgPool, account: &CurrentAccount, place_id: i64) -> ApiResult<()> {
    if may_manage(pool, account, place_id).await? {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "not_an_organizer",
            "only this kitchen's organizers and coordinators may do this",
        ))
    }
}

/// Create a shop or kitchen. Organizers who are not verified yet create it `pending_review`.
#[utoipa::path(post, path = "/api/places", tag = "kitchens", request_body = CreatePlace,
    responses((status = 201, body = PlaceStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/places", data = "<input>")]
pub async fn create_place(
    pool: &State<PgPool>,
    account: CurrentAccount,
    input: JsonBody<'_, CreatePlace>,
) -> ApiResult<(Status, Json<PlaceStatus>)> {
    let status =
        kitchens::initial_place_status(account.role, account.verified).ok_or_else(|| {
            ApiError::forbidden(
                "organizers_only",
                "only organizers and coordinators may add places",
            )
        })?;
    let input = body(input)?;
    let kind: Kind = input.kind.parse()?;
    let category = categories::find(&input.category)?;
    if category.kind != kind {
        return Err(ApiError::unprocessable(
            "category_mismatch",
            format!("category `{}` is not a {}", category.id, kind.as_str()),
        ));
    }
    let name = kitchens::place_text("name", Some(&input.name), 120)?
        .ok_or_else(|| ApiError::unprocessable("invalid_place", "`name` is required"))?;
    let opening_hours = kitchens::place_text("opening_hours", input.opening_hours.as_deref(), 255)?;
    check_hours(&opening_hours)?;
    let meals_per_day = kitchens::meals_per_day(input.meals_per_day)?;
    let place = NewPlace {
        kind: kind.as_str(),
        name,
        category: category.id,
        point: input.location,
        cell: Cell::at(input.location, STORED_RES).to_db(),
        opening_hours,
        address: kitchens::place_text("address", input.address.as_deref(), 200)?,
        phone: kitchens::place_phone(input.phone.as_deref())?,
        description: kitchens::place_text("description", input.description.as_deref(), 1000)?,
        source: None,
        meals_per_day,
    };
    let mut tx = pool.begin().await?;
    let id = db_places::insert_by_hand(&mut *tx, &place, status, account.id).await?;
    db_kitchens::add_organizer(&mut *tx, id, account.id).await?;
    tx.commit().await?;
    Ok((
        Status::Created,
        Json(PlaceStatus {
            id,
            status: status.into(),
        }),
    ))
}

/// Edit a place (its organizers and coordinators).
#[utoipa::path(patch, path = "/api/places/{id}", tag = "kitchens", request_body = EditPlace,
    params(("id" = i64, Path)),
    responses((status = 200, body = PlaceFeature), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[patch("/api/places/<id>", data = "<input>")]
pub async fn edit_place(
    pool: &State<PgPool>,
    tz: &State<chrono_tz::Tz>,
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
            return Err(ApiError::unprocessable(
                "category_mismatch",
                format!("category `{}` is not a {}", c.id, existing.kind),
            ));
        }
    }
    let name =
        match input.name {
            Some(n) => Some(kitchens::place_text("name", Some(&n), 120)?.ok_or_else(|| {
                ApiError::unprocessable("invalid_place", "`name` cannot be empty")
            })?),
            None => None,
        };
    let opening_hours = kitchens::place_text("opening_hours", input.opening_hours.as_deref(), 255)?;
    check_hours(&opening_hours)?;
    let meals_per_day = kitchens::meals_per_day(input.meals_per_day)?;
    let patch = PlacePatch {
        name,
        category: input
            .category
            .as_deref()
            .map(|c| categories::find(c).map(|c| c.id))
            .transpose()?,
        point: input.location.map(|p| (p, Cell::at(p, STORED_RES).to_db())),
        address: kitchens::place_text("address", input.address.as_deref(), 200)?,
        phone: kitchens::place_phone(input.phone.as_deref())?,
        opening_hours,
        description: kitchens::place_text("description", input.description.as_deref(), 1000)?,
        meals_per_day,
    };
    db_places::update(&**pool, id, &patch).await?;
    let row = db_places::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    Ok(Json(PlaceFeature::from_row(row, None, Utc::now(), **tz)))
}

/// Make a place created by an unverified organizer public (coordinators).
#[utoipa::path(post, path = "/api/places/{id}/approve", tag = "kitchens", params(("id" = i64, Path)),
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
    pub account_id: i64,
}

/// Add an organizer to a place (coordinators).
#[utoipa::path(post, path = "/api/places/{id}/organizers", tag = "kitchens", request_body = AddOrganizer,
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
            ApiError::unprocessable(
                "unknown_account",
                format!("no account with id {}", input.account_id),
            )
        })?;
    if !kitchens::may_organize(role.parse()?) {
        return Err(ApiError::unprocessable(
            "not_an_organizer",
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
#[utoipa::path(get, path = "/api/me/places", tag = "kitchens", responses((status = 200, body = Vec<MyPlace>), (status = 401, body = ErrorBody)))]
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

// ---- needs

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedView {
    pub id: i64,
    pub place_id: i64,
    pub place_name: String,
    /// `supplies` or `shift`.
    pub kind: String,
    /// `open`, `closed` or `expired`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<DateTime<Utc>>,
    /// Pledged and not withdrawn (supplies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pledged: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slots: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slots_left: Option<i64>,
    /// Whole metres from the search point (nearby only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<i64>,
}

impl NeedView {
    fn from_row(n: NeedRow, distance_m: Option<f64>) -> Self {
        let supplies = n.kind == "supplies";
        NeedView {
            id: n.id,
            place_id: n.place_id,
            place_name: n.place_name,
            status: n.status,
            item: n.item,
            pledged: supplies.then_some(n.pledged),
            remaining: n.quantity.map(|q| kitchens::remaining(q, n.pledged)),
            quantity: n.quantity,
            unit: n.unit,
            needed_by: n.needed_by,
            role: n.role,
            starts_at: n.starts_at,
            ends_at: n.ends_at,
            taken: (!supplies).then_some(n.taken),
            slots_left: n.slots.map(|s| (i64::from(s) - n.taken).max(0)),
            slots: n.slots,
            distance_m: distance_m.map(|d| d.round() as i64),
            kind: n.kind,
        }
    }
}

async fn kitchen(pool: &PgPool, id: i64) -> ApiResult<crate::db::places::PlaceRow> {
    db_places::by_id(pool, id)
        .await?
        .filter(|p| p.kind == "kitchen")
        .ok_or_else(|| ApiError::not_found(format!("no kitchen with id {id}")))
}

/// Post a need: supplies (item, quantity, unit) or a shift (role, times, slots).
#[utoipa::path(post, path = "/api/places/{id}/needs", tag = "kitchens", request_body = NewNeed,
    params(("id" = i64, Path)),
    responses((status = 201, body = NeedView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/api/places/<id>/needs", data = "<input>")]
pub async fn post_need(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
    input: JsonBody<'_, NewNeed>,
) -> ApiResult<(Status, Json<NeedView>)> {
    kitchen(pool, id).await?;
    require_manager(pool, &account, id).await?;
    let need = body(input)?.validate(Utc::now())?;
    let need_id = db_kitchens::insert_need(&**pool, id, &need, account.id).await?;
    let row = db_kitchens::need(&**pool, need_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok((Status::Created, Json(NeedView::from_row(row, None))))
}

/// A kitchen's open needs, for its public page.
#[utoipa::path(get, path = "/api/places/{id}/needs", tag = "kitchens", params(("id" = i64, Path), ("all" = Option<bool>, Query, description = "closed and expired too (organizers)")),
    responses((status = 200, body = Vec<NeedView>), (status = 404, body = ErrorBody)))]
#[get("/api/places/<id>/needs?<all>")]
pub async fn place_needs(
    pool: &State<PgPool>,
    account: Option<CurrentAccount>,
    id: i64,
    all: Option<&str>,
) -> ApiResult<Json<Vec<NeedView>>> {
    let place = kitchen(pool, id).await?;
    let all = params::flag("all", all)?;
    let manager = match &account {
        Some(a) => may_manage(pool, a, id).await?,
        None => false,
    };
    if place.status != "active" && !manager {
        return Err(ApiError::not_found(format!("no kitchen with id {id}")));
    }
    let rows = db_kitchens::needs_of_place(&**pool, id, !(all && manager)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| NeedView::from_row(r, None))
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Signup {
    pub account_id: i64,
    pub display_name: String,
    pub phone: Option<String>,
    pub signed_up_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PledgeView {
    pub id: i64,
    pub need_id: i64,
    pub account_id: i64,
    pub display_name: String,
    pub quantity: f64,
    /// `pledged`, `received` or `withdrawn`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<PledgeRow> for PledgeView {
    fn from(p: PledgeRow) -> Self {
        PledgeView {
            id: p.id,
            need_id: p.need_id,
            account_id: p.account_id,
            display_name: p.display_name,
            quantity: p.quantity,
            status: p.status,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedDetail {
    pub need: NeedView,
    pub signups: Vec<Signup>,
    pub pledges: Vec<PledgeView>,
}

/// A need with who signed up and what was pledged (its kitchen's organizers and coordinators).
#[utoipa::path(get, path = "/api/needs/{id}", tag = "kitchens", params(("id" = i64, Path)),
    responses((status = 200, body = NeedDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/needs/<id>", rank = 2)]
pub async fn need_detail(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<NeedDetail>> {
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no need with id {id}")))?;
    require_manager(pool, &account, row.place_id).await?;
    let signups = db_kitchens::signups_of_need(&**pool, id)
        .await?
        .into_iter()
        .map(|(account_id, display_name, phone, signed_up_at)| Signup {
            account_id,
            display_name,
            phone,
            signed_up_at,
        })
        .collect();
    let pledges = db_kitchens::pledges_of_need(&**pool, id)
        .await?
        .into_iter()
        .map(PledgeView::from)
        .collect();
    Ok(Json(NeedDetail {
        need: NeedView::from_row(row, None),
        signups,
        pledges,
    }))
}

/// Close a need (its kitchen's organizers and coordinators).
#[utoipa::path(post, path = "/api/needs/{id}/close", tag = "kitchens", params(("id" = i64, Path)),
    responses((status = 200, body = NeedView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/needs/<id>/close")]
pub async fn close_need(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<NeedView>> {
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no need with id {id}")))?;
    require_manager(pool, &account, row.place_id).await?;
    if !db_kitchens::set_need_status(&**pool, id, "closed").await? {
        return Err(ApiError::conflict(
            "need_closed",
            "this need is no longer open",
        ));
    }
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(NeedView::from_row(row, None)))
}

/// Take a slot of a shift. Never overbooks, even under concurrent sign-ups.
#[utoipa::path(post, path = "/api/needs/{id}/signup", tag = "kitchens", params(("id" = i64, Path)),
    responses((status = 200, body = NeedView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`shift_full`, `shift_overlap`, `already_signed_up` or `need_closed`")))]
#[post("/api/needs/<id>/signup")]
pub async fn signup(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<NeedView>> {
    let mut tx = pool.begin().await?;
    // Account first, then need: every sign-up takes the locks in this order.
    db_kitchens::lock_account(&mut tx, account.id).await?;
    let need = db_kitchens::lock_need(&mut tx, id)
        .await?
        .filter(|n| n.place_status == "active")
        .ok_or_else(|| ApiError::not_found(format!("no need with id {id}")))?;
    let (Some(starts), Some(ends), Some(slots)) = (need.starts_at, need.ends_at, need.slots) else {
        return Err(ApiError::unprocessable(
            "not_a_shift",
            "this need is supplies; pledge instead",
        ));
    };
    let already = db_kitchens::is_signed_up(&mut *tx, id, account.id).await?;
    let mine = db_kitchens::my_shift_times(&mut *tx, account.id, id).await?;
    kitchens::decide_signup(
        Utc::now(),
        &need.status,
        need.taken,
        slots,
        already,
        (starts, ends),
        &mine,
    )
    .map_err(|r| match r {
        SignupRefusal::NotOpen => ApiError::conflict("need_closed", "this shift is no longer open"),
        SignupRefusal::Started => {
            ApiError::conflict("shift_started", "this shift has already started")
        }
        SignupRefusal::AlreadySignedUp => {
            ApiError::conflict("already_signed_up", "you already have a slot on this shift")
        }
        SignupRefusal::Full => {
            ApiError::conflict("shift_full", "every slot of this shift is taken")
        }
        SignupRefusal::Overlap => {
            ApiError::conflict("shift_overlap", "you already have a shift at that time")
        }
    })?;
    db_kitchens::insert_signup(&mut *tx, id, account.id).await?;
    let row = db_kitchens::need(&mut *tx, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(Json(NeedView::from_row(row, None)))
}

/// Give back my slot on a shift.
#[utoipa::path(delete, path = "/api/needs/{id}/signup", tag = "kitchens", params(("id" = i64, Path)),
    responses((status = 200, body = NeedView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/api/needs/<id>/signup")]
pub async fn cancel_signup(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<NeedView>> {
    if !db_kitchens::delete_signup(&**pool, id, account.id).await? {
        return Err(ApiError::not_found("you have no slot on this shift"));
    }
    let row = db_kitchens::need(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(NeedView::from_row(row, None)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PledgeBody {
    pub quantity: f64,
}

/// Pledge part of a supplies need. Pledges beyond what is still missing are refused.
#[utoipa::path(post, path = "/api/needs/{id}/pledge", tag = "kitchens", request_body = PledgeBody, params(("id" = i64, Path)),
    responses((status = 201, body = PledgeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`over_pledged` or `need_closed`"), (status = 422, body = ErrorBody)))]
#[post("/api/needs/<id>/pledge", data = "<input>")]
pub async fn pledge(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
    input: JsonBody<'_, PledgeBody>,
) -> ApiResult<(Status, Json<PledgeView>)> {
    let quantity = body(input)?.quantity;
    let mut tx = pool.begin().await?;
    let need = db_kitchens::lock_need(&mut tx, id)
        .await?
        .filter(|n| n.place_status == "active")
        .ok_or_else(|| ApiError::not_found(format!("no need with id {id}")))?;
    let Some(total) = need.quantity else {
        return Err(ApiError::unprocessable(
            "not_supplies",
            "this need is a shift; sign up instead",
        ));
    };
    kitchens::decide_pledge(
        &need.status,
        quantity,
        kitchens::remaining(total, need.pledged),
    )
    .map_err(|r| match r {
        PledgeRefusal::NotOpen => ApiError::conflict("need_closed", "this need is no longer open"),
        PledgeRefusal::BadQuantity(q) => ApiError::unprocessable(
            "invalid_quantity",
            format!("`quantity` must be greater than 0, got {q}"),
        ),
        PledgeRefusal::TooMuch(left) => ApiError::conflict(
            "over_pledged",
            format!("only {left} is still missing; pledge at most that"),
        ),
    })?;
    let pledge_id = db_kitchens::insert_pledge(&mut *tx, id, account.id, quantity).await?;
    let row = db_kitchens::pledge(&mut *tx, pledge_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok((Status::Created, Json(row.into())))
}

/// Withdraw my pledge; its amount is missing again.
#[utoipa::path(post, path = "/api/pledges/{id}/withdraw", tag = "kitchens", params(("id" = i64, Path)),
    responses((status = 200, body = PledgeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/pledges/<id>/withdraw")]
pub async fn withdraw_pledge(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<PledgeView>> {
    let p = db_kitchens::pledge(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no pledge with id {id}")))?;
    if p.account_id != account.id {
        return Err(ApiError::forbidden(
            "not_your_pledge",
            "only who pledged may withdraw it",
        ));
    }
    if !db_kitchens::set_pledge_status(&**pool, id, "pledged", "withdrawn").await? {
        return Err(ApiError::conflict(
            "pledge_settled",
            "this pledge was already received or withdrawn",
        ));
    }
    let p = db_kitchens::pledge(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(p.into()))
}

/// Mark a pledge received (the kitchen's organizers and coordinators).
#[utoipa::path(post, path = "/api/pledges/{id}/received", tag = "kitchens", params(("id" = i64, Path)),
    responses((status = 200, body = PledgeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/api/pledges/<id>/received")]
pub async fn receive_pledge(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<PledgeView>> {
    let p = db_kitchens::pledge(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no pledge with id {id}")))?;
    let need = db_kitchens::need(&**pool, p.need_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    require_manager(pool, &account, need.place_id).await?;
    if !db_kitchens::set_pledge_status(&**pool, id, "pledged", "received").await? {
        return Err(ApiError::conflict(
            "pledge_settled",
            "this pledge was already received or withdrawn",
        ));
    }
    let p = db_kitchens::pledge(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(p.into()))
}

/// Open needs of nearby kitchens, nearest first.
#[utoipa::path(get, path = "/api/needs/nearby", tag = "kitchens",
    params(("lat" = f64, Query), ("lon" = f64, Query), ("radius_m" = Option<f64>, Query, description = "default 5000, at most 50000"),
        ("kind" = Option<String>, Query, description = "supplies or shift"), ("limit" = Option<i64>, Query, description = "default 50, at most 200")),
    responses((status = 200, body = Vec<NeedView>), (status = 422, body = ErrorBody)))]
#[get("/api/needs/nearby?<lat>&<lon>&<radius_m>&<kind>&<limit>")]
pub async fn nearby_needs(
    pool: &State<PgPool>,
    lat: Option<&str>,
    lon: Option<&str>,
    radius_m: Option<&str>,
    kind: Option<&str>,
    limit: Option<&str>,
) -> ApiResult<Json<Vec<NeedView>>> {
    let origin = LatLon::new(params::required("lat", lat)?, params::required("lon", lon)?)?;
    let radius = geo::radius_m(params::opt("radius_m", radius_m)?, 5_000.0, 50_000.0)?;
    let limit = geo::limit(params::opt("limit", limit)?, 50, 200)?;
    let kind = kind
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(kitchens::need_kind)
        .transpose()?;
    let rows = db_kitchens::nearby_needs(pool, origin, radius, kind, limit).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(n, d)| NeedView::from_row(n, Some(d)))
            .collect(),
    ))
}

/// My shifts, soonest first.
#[utoipa::path(get, path = "/api/me/shifts", tag = "kitchens", responses((status = 200, body = Vec<NeedView>), (status = 401, body = ErrorBody)))]
#[get("/api/me/shifts")]
pub async fn my_shifts(
    pool: &State<PgPool>,
    account: CurrentAccount,
) -> ApiResult<Json<Vec<NeedView>>> {
    let rows = db_kitchens::my_shifts(&**pool, account.id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| NeedView::from_row(r, None))
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyPledge {
    pub pledge: PledgeView,
    pub need: NeedView,
}

/// My pledges, newest first, each with its need.
#[utoipa::path(get, path = "/api/me/pledges", tag = "kitchens", responses((status = 200, body = Vec<MyPledge>), (status = 401, body = ErrorBody)))]
#[get("/api/me/pledges")]
pub async fn my_pledges(
    pool: &State<PgPool>,
    account: CurrentAccount,
) -> ApiResult<Json<Vec<MyPledge>>> {
    let rows = db_kitchens::my_pledges(pool, account.id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(p, n)| MyPledge {
                pledge: p.into(),
                need: NeedView::from_row(n, None),
            })
            .collect(),
    ))
}
