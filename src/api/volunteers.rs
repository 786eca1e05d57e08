//! The volunteer's side: their profile, the tasks near their home (coarse: a res-8 cell and a
//! distance band, never a point or a distance), their assignments (full, audited), and the
//! coordinator's ranked matches for a request.

use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use rocket::{get, put, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::guards::CurrentAccount;
use super::params::{body, JsonBody, RequestId};
use super::requests::{public_cell, reveal, RequestView};
use crate::db::requests as db_requests;
use crate::db::volunteers::{self as db_volunteers, Profile, ProfileRow};
use crate::domain::cells::Cell;
use crate::domain::geo::{self, LatLon};
use crate::domain::matching::{self, Candidate};
use crate::domain::privacy;
use crate::domain::requests::{self as rules, Reveal, Urgency};
use crate::error::{ApiError, ApiResult, ErrorBody};

#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    /// Request categories this volunteer can help with.
    pub skills: Vec<String>,
    /// Private: used for matching only, never shown to anyone else.
    pub home: LatLon,
    /// 100 to 50000.
    pub radius_m: f64,
    pub on_duty: bool,
    /// 1 to 20 open assignments at once.
    pub max_open: i32,
}

/// The volunteer profile as its owner sees it (with their own home).
#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    pub skills: Vec<String>,
    pub home: LatLon,
    pub radius_m: f64,
    pub on_duty: bool,
    pub max_open: i32,
}

impl From<ProfileRow> for ProfileView {
    fn from(r: ProfileRow) -> Self {
        Self {
            skills: r.skills,
            home: LatLon {
                lat: r.home_lat,
                lon: r.home_lon,
            },
            radius_m: r.radius_m,
            on_duty: r.on_duty,
            max_open: r.max_open,
        }
    }
}

/// Sets the volunteer profile.
#[utoipa::path(put, path = "/api/me/volunteer", tag = "volunteers", request_body = ProfileBody,
    responses((status = 200, body = ProfileView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/api/me/volunteer", data = "<input>")]
pub async fn put_profile(
    pool: &State<PgPool>,
    account: CurrentAccount,
    input: JsonBody<'_, ProfileBody>,
) -> ApiResult<Json<ProfileView>> {
    let input = body(input)?;
    let skills = rules::skills(input.skills.iter().map(String::as_str))?;
    let profile = Profile {
        skills: &skills,
        home: input.home,
        radius_m: matching::radius(input.radius_m)?,
        on_duty: input.on_duty,
        max_open: matching::max_open(input.max_open)?,
    };
    db_volunteers::upsert(&**pool, account.id, &profile).await?;
    let row = db_volunteers::profile(&**pool, account.id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(row.into()))
}

/// An open request near the volunteer: no point and no exact distance.
#[derive(Serialize, ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub category: String,
    pub urgency: String,
    pub needed_by: Option<DateTime<Utc>>,
    /// Resolution-8 cell.
    #[schema(value_type = String)]
    pub cell: Cell,
    /// `<1 km`, `1-3 km`, `3-10 km` or `>10 km`.
    #[schema(example = "1-3 km")]
    pub distance_band: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct TaskList {
    pub tasks: Vec<TaskView>,
    /// Only verified volunteers may claim.
    pub verified: bool,
    pub on_duty: bool,
}

/// Most tasks one list shows.
const TASKS_LIMIT: i64 = 200;

/// Open requests within my radius that fit my skills, most urgent then nearest first. Distances
/// are measured to each request's public (res-8 cell) centre and shown only as bands.
#[utoipa::path(get, path = "/api/me/tasks", tag = "volunteers",
    responses((status = 200, body = TaskList), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody, description = "no_volunteer_profile")))]
#[get("/api/me/tasks")]
pub async fn tasks(pool: &State<PgPool>, account: CurrentAccount) -> ApiResult<Json<TaskList>> {
    let profile = db_volunteers::profile(&**pool, account.id)
        .await?
        .ok_or_else(|| {
            ApiError::conflict(
                "no_volunteer_profile",
                "set up your volunteer profile (skills, home, radius) first",
            )
        })?;
    let home = LatLon {
        lat: profile.home_lat,
        lon: profile.home_lon,
    };
    let rows = db_volunteers::task_candidates(
        &**pool,
        account.id,
        privacy::PUBLIC_POINT_SLACK_M,
        TASKS_LIMIT * 2,
    )
    .await?;
    let urgency = |u: &str| u.parse::<Urgency>().unwrap_or_default();
    let mut near = Vec::with_capacity(rows.len());
    for r in rows {
        let stored = Cell::from_db(r.cell)?;
        if let Some(d) = privacy::within_reach(home, profile.radius_m, stored) {
            near.push((r, stored, d));
        }
    }
    near.sort_by(|a, b| {
        rules::task_order(
            (urgency(&a.0.urgency), a.2, a.0.id),
            (urgency(&b.0.urgency), b.2, b.0.id),
        )
    });
    near.truncate(TASKS_LIMIT as usize);
    let tasks = near
        .into_iter()
        .map(|(r, stored, d)| {
            Ok(TaskView {
                cell: public_cell(stored.to_db())?,
                distance_band: geo::distance_band(d),
                id: r.id,
                category: r.category,
                urgency: r.urgency,
                needed_by: r.needed_by,
            })
        })
        .collect::<ApiResult<_>>()?;
    Ok(Json(TaskList {
        tasks,
        verified: account.verified,
        on_duty: profile.on_duty,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentList {
    pub assignments: Vec<RequestView>,
}

/// My claimed requests with their full details. Each one shown is written to the audit log.
#[utoipa::path(get, path = "/api/me/assignments", tag = "volunteers",
    responses((status = 200, body = AssignmentList), (status = 401, body = ErrorBody)))]
#[get("/api/me/assignments")]
pub async fn assignments(
    pool: &State<PgPool>,
    account: CurrentAccount,
) -> ApiResult<Json<AssignmentList>> {
    let rows = db_requests::assigned_to(&**pool, account.id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(reveal(pool, row, Reveal::Assignee, Some(&account)).await?);
    }
    Ok(Json(AssignmentList { assignments: out }))
}

/// A candidate volunteer. No home coordinates; the distance is for coordinators only.
#[derive(Serialize, ToSchema)]
pub struct MatchView {
    pub account_id: i64,
    pub display_name: String,
    /// Metres from the volunteer's home to the request, rounded to 100 m so that homes cannot
    /// be trilaterated.
    pub distance_m: i64,
    /// Claims in the last 7 days.
    pub recent_assignments: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MatchList {
    pub matches: Vec<MatchView>,
}

/// Eligible volunteers for a request, nearest first, then the less loaded (coordinators only).
#[utoipa::path(get, path = "/api/requests/{id}/matches", tag = "volunteers",
    params(("id" = Uuid, Path), ("limit" = Option<i64>, Query, description = "1 to 100, default 20")),
    responses((status = 200, body = MatchList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/requests/<id>/matches?<limit>")]
pub async fn matches(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
    limit: Option<&str>,
) -> ApiResult<Json<MatchList>> {
    account.require_coordinator()?;
    let limit = geo::limit(super::params::opt("limit", limit)?, 20, 100)?;
    let request = db_requests::by_id(&**pool, id.0)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no request with id {}", id.0)))?;
    let public = privacy::public_point(Cell::from_db(request.cell)?);
    let mut candidates: Vec<Candidate> = db_volunteers::candidates(&**pool, id.0, public, limit)
        .await?
        .into_iter()
        .map(|c| Candidate {
            account_id: c.account_id,
            display_name: c.display_name,
            distance_m: c.distance_m,
            recent_assignments: c.recent_assignments,
        })
        .collect();
    candidates.sort_by(matching::rank);
    Ok(Json(MatchList {
        matches: candidates
            .into_iter()
            .map(|c| MatchView {
                account_id: c.account_id,
                display_name: c.display_name,
                distance_m: privacy::match_distance_m(c.distance_m),
                recent_assignments: c.recent_assignments,
            })
            .collect(),
    }))
}
