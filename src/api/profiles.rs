//! The volunteer profile: skills, a private home, a radius, duty and a cap on open tasks.

use super::limits::{Action as Limited, Limits};
use chrono::Utc;
use rocket::serde::json::Json;
use rocket::{put, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::body::{body, JsonBody};
use super::guards::CurrentAccount;
use crate::config::AppConfig;
use crate::db::volunteers::{self as db_volunteers, Profile, ProfileRow};
use crate::domain::geo::LatLon;
use crate::domain::matching;
use crate::domain::requests as rules;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::volunteer_profile::set_profile;

#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    /// Request categories this volunteer can help with.
    pub skills: Vec<String>,
    /// Private: never shown to anyone else. Reach is measured from the centre of its
    /// resolution-8 cell.
    pub home: LatLon,
    /// 100 to 50000.
    pub radius_m: f64,
    pub on_duty: bool,
    /// 1 to 20 open assignments at once.
    #[serde(deserialize_with = "crate::domain::whole::i32")]
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

/// Sets the volunteer profile. Moving the home to a new place counts against
/// `home_changes_per_day` (429 `home_change_limit` beyond, with `Retry-After`) and is written
/// to the account's audit log; claims are measured from a home only once it has stood
/// `home_settle_minutes`.
#[utoipa::path(put, path = "/api/me/volunteer", tag = "volunteers", security(("session" = [])), request_body = ProfileBody,
    responses((status = 200, body = ProfileView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "home_change_limit")))]
#[put("/api/me/volunteer", data = "<input>")]
pub async fn put_profile(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    limits: Limits<'_>,
    account: CurrentAccount,
    input: JsonBody<'_, ProfileBody>,
) -> ApiResult<Json<ProfileView>> {
    limits.spend(Limited::Profile, Some(account.id)).await?;
    let input = body(input)?;
    let skills = rules::skills(input.skills.iter().map(String::as_str))?;
    let profile = Profile {
        skills: &skills,
        home: input.home,
        home_cell: 0,
        radius_m: matching::radius(input.radius_m)?,
        on_duty: input.on_duty,
        max_open: matching::max_open(input.max_open)?,
    };
    let mut tx = pool.begin().await?;
    set_profile(
        &mut tx,
        account.id,
        profile,
        config.home_policy(),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    let row = db_volunteers::profile(&**pool, account.id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(Json(row.into()))
}
