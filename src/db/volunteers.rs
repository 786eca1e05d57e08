//! Volunteer profiles, the task list seen from a volunteer's home, and the candidates for a
//! request. Homes stay in the database: queries return distances, never the home point.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::geo::LatLon;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProfileRow {
    pub skills: Vec<String>,
    /// The owner's own home, for their profile screen only.
    pub home_lat: f64,
    pub home_lon: f64,
    pub radius_m: f64,
    pub on_duty: bool,
    pub max_open: i32,
}

pub struct Profile<'a> {
    pub skills: &'a [&'static str],
    pub home: LatLon,
    pub radius_m: f64,
    pub on_duty: bool,
    pub max_open: i32,
}

pub async fn upsert(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    p: &Profile<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO volunteer_profiles (account_id, skills, home, radius_m, on_duty, max_open) \
         VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, $5, $6, $7) \
         ON CONFLICT (account_id) DO UPDATE SET skills = EXCLUDED.skills, home = EXCLUDED.home, \
            radius_m = EXCLUDED.radius_m, on_duty = EXCLUDED.on_duty, \
            max_open = EXCLUDED.max_open, updated_at = now()",
    )
    .bind(account_id)
    .bind(p.skills)
    .bind(p.home.lon)
    .bind(p.home.lat)
    .bind(p.radius_m)
    .bind(p.on_duty)
    .bind(p.max_open)
    .execute(exec)
    .await
    .map(|_| ())
}

pub async fn profile(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as(
        "SELECT skills, ST_Y(home::geometry) AS home_lat, ST_X(home::geometry) AS home_lon, \
                radius_m, on_duty, max_open \
         FROM volunteer_profiles WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(exec)
    .await
}

/// An open request that may be near a volunteer; the caller measures and filters by its public
/// point (see `domain::privacy::within_reach`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: Uuid,
    pub category: String,
    pub urgency: String,
    pub needed_by: Option<DateTime<Utc>>,
    pub cell: i64,
}

/// Open requests fitting the volunteer's skills within their radius plus `slack_m`, nearest first.
pub async fn task_candidates(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    slack_m: f64,
    limit: i64,
) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as(
        "SELECT r.id, r.category, r.urgency, r.needed_by, r.cell \
         FROM volunteer_profiles v \
         JOIN help_requests r ON r.status = 'open' AND r.category = ANY (v.skills) \
              AND ST_DWithin(r.location, v.home, v.radius_m + $2, false) \
         WHERE v.account_id = $1 \
         ORDER BY ST_Distance(r.location, v.home, false) LIMIT $3",
    )
    .bind(account_id)
    .bind(slack_m)
    .bind(limit)
    .fetch_all(exec)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateRow {
    pub account_id: i64,
    pub display_name: String,
    pub distance_m: f64,
    pub recent_assignments: i64,
}

/// Volunteers who could take the request: verified, on duty, with a fitting skill, the request's
/// public point (`public`) inside their radius, and under their cap. `distance_m` is the exact
/// distance, for coordinators. Unordered beyond distance; the domain ranks them.
pub async fn candidates(
    exec: impl PgExecutor<'_>,
    request_id: Uuid,
    public: LatLon,
    limit: i64,
) -> sqlx::Result<Vec<CandidateRow>> {
    sqlx::query_as(
        "SELECT a.id AS account_id, a.display_name, \
                ST_Distance(r.location, v.home, false) AS distance_m, \
                (SELECT count(*) FROM request_events e WHERE e.account_id = a.id \
                   AND e.action = 'claimed' AND e.created_at > now() - interval '7 days') \
                   AS recent_assignments \
         FROM help_requests r \
         JOIN volunteer_profiles v ON r.category = ANY (v.skills) \
              AND ST_DWithin(ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, v.home, \
                             v.radius_m, false) \
         JOIN accounts a ON a.id = v.account_id AND a.verified \
         WHERE r.id = $1 AND r.location IS NOT NULL AND v.on_duty \
           AND (SELECT count(*) FROM help_requests o \
                WHERE o.assignee = a.id AND o.status = 'assigned') < v.max_open \
         ORDER BY distance_m, a.id LIMIT $2",
    )
    .bind(request_id)
    .bind(limit)
    .bind(public.lon)
    .bind(public.lat)
    .fetch_all(exec)
    .await
}
