//! The volunteer's side of requests: the tasks near their home (a res-8 cell and a distance
//! band, never a point or a distance) and their assignments (full, audited).

use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::guards::{actor, CurrentAccount};
use super::request_views::{reveal, RequestView};
use crate::db::requests as db_requests;
use crate::db::volunteers as db_volunteers;
use crate::domain::cells::Cell;
use crate::domain::privacy::{self, OpenRequest, Reveal};
use crate::domain::requests::Urgency;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// An open request near the volunteer: no point and no exact distance.
#[derive(Serialize, ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub category: String,
    pub urgency: Urgency,
    pub needed_by: Option<DateTime<Utc>>,
    /// Resolution-8 cell.
    #[schema(value_type = String)]
    pub cell: Cell,
    /// `<1 km`, `1-3 km`, `3-10 km` or `>10 km`, between the centres of the request's res-8
    /// cell and of your home's res-8 cell.
    #[schema(example = "1-3 km")]
    pub distance_band: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct TaskList {
    pub tasks: Vec<TaskView>,
    pub verified: bool,
    pub on_duty: bool,
}

/// Open requests within my radius that fit my skills, most urgent then nearest first, at most
/// 200. Verified volunteers and coordinators only (403 `not_verified`, `volunteers_only`):
/// everyone else sees the public counts. Which requests are listed, their order, the cut-off
/// and the bands all depend on the requests' res-8 cells and my home's res-8 cell only.
#[utoipa::path(get, path = "/api/me/tasks", tag = "volunteers", security(("session" = [])),
    responses((status = 200, body = TaskList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "not_verified, volunteers_only"),
        (status = 409, body = ErrorBody, description = "no_volunteer_profile")))]
#[get("/api/me/tasks")]
pub async fn tasks(pool: &State<PgPool>, account: CurrentAccount) -> ApiResult<Json<TaskList>> {
    privacy::audience(&actor(Some(&account), false), None).may_browse_tasks()?;
    let profile = db_volunteers::profile(&**pool, account.id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoVolunteerProfile,
                "set up your volunteer profile (skills, home, radius) first",
            )
        })?;
    let home = profile
        .home_cell
        .map(Cell::from_db)
        .transpose()?
        .ok_or_else(|| ApiError::new(ErrorCode::NoVolunteerProfile, "set your home area again"))?;
    let rows = db_requests::open_in_cells(
        &**pool,
        &privacy::reach_cover(home, profile.radius_m),
        &profile.skills,
    )
    .await?;
    let open = rows
        .into_iter()
        .map(|r| {
            Ok(OpenRequest {
                id: r.id,
                urgency: r.urgency.parse()?,
                category: r.category,
                needed_by: r.needed_by,
                stored: Cell::from_db(r.cell)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let tasks = privacy::task_list(home, profile.radius_m, &profile.skills, open)
        .into_iter()
        .map(|t| TaskView {
            id: t.id,
            category: t.category,
            urgency: t.urgency,
            needed_by: t.needed_by,
            cell: t.cell,
            distance_band: t.distance_band,
        })
        .collect();
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
#[utoipa::path(get, path = "/api/me/assignments", tag = "volunteers", security(("session" = [])),
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
