//! The benchmark's own tables: the points searched around, and the volunteers and requests
//! whose task lists and matches are asked for, with the parameters the app would compute for
//! them, so that raw SQL (pgbench) can run the same queries.

use sqlx::PgExecutor;
use uuid::Uuid;

pub async fn recreate_tables(exec: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS bench_points, bench_tasks, bench_matches; \
         CREATE TABLE bench_points (id int PRIMARY KEY, lat float8 NOT NULL, lon float8 NOT NULL, \
             category text NOT NULL, lo bigint[] NOT NULL, hi bigint[] NOT NULL); \
         CREATE TABLE bench_tasks (id int PRIMARY KEY, account_id bigint NOT NULL, \
             lo bigint[] NOT NULL, hi bigint[] NOT NULL, skills text[] NOT NULL); \
         CREATE TABLE bench_matches (id int PRIMARY KEY, request_id uuid NOT NULL, \
             lat float8 NOT NULL, lon float8 NOT NULL, category text NOT NULL);",
    )
    .execute(exec)
    .await
    .map(|_| ())
}

/// A point to search around, with the H3 cover of the benchmark's 1,500 m circle (for the
/// strategy that reads by cell ranges).
pub async fn insert_point(
    exec: impl PgExecutor<'_>,
    id: i32,
    lat: f64,
    lon: f64,
    category: &str,
    cover: &[(i64, i64)],
) -> sqlx::Result<()> {
    let (lo, hi): (Vec<i64>, Vec<i64>) = cover.iter().copied().unzip();
    sqlx::query(
        "INSERT INTO bench_points (id, lat, lon, category, lo, hi) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(lat)
    .bind(lon)
    .bind(category)
    .bind(&lo)
    .bind(&hi)
    .execute(exec)
    .await
    .map(|_| ())
}

/// A volunteer who may browse tasks, as the task list reads them.
#[derive(sqlx::FromRow)]
pub struct TaskSample {
    pub account_id: i64,
    pub home_cell: i64,
    pub radius_m: f64,
    pub skills: Vec<String>,
}

/// Up to `n` verified, unsuspended volunteers, spread over the id space.
pub async fn task_samples(exec: impl PgExecutor<'_>, n: i64) -> sqlx::Result<Vec<TaskSample>> {
    sqlx::query_as(
        "SELECT v.account_id, v.home_cell, v.radius_m, v.skills \
         FROM volunteer_profiles v JOIN accounts a ON a.id = v.account_id \
         WHERE a.verified AND a.suspended_at IS NULL AND v.home_cell IS NOT NULL \
         ORDER BY hashint8(v.account_id), v.account_id LIMIT $1",
    )
    .bind(n)
    .fetch_all(exec)
    .await
}

pub async fn insert_tasks(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    id: i32,
    ranges: &[(i64, i64)],
    skills: &[String],
) -> sqlx::Result<()> {
    let (lo, hi): (Vec<i64>, Vec<i64>) = ranges.iter().copied().unzip();
    sqlx::query(
        "INSERT INTO bench_tasks (id, account_id, lo, hi, skills) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(account_id)
    .bind(&lo)
    .bind(&hi)
    .bind(skills)
    .execute(exec)
    .await
    .map(|_| ())
}

/// Up to `n` open requests, spread over the id space.
pub async fn match_samples(
    exec: impl PgExecutor<'_>,
    n: i64,
) -> sqlx::Result<Vec<(Uuid, i64, String)>> {
    sqlx::query_as(
        "SELECT id, cell, category FROM help_requests WHERE status = 'open' \
         ORDER BY id LIMIT $1",
    )
    .bind(n)
    .fetch_all(exec)
    .await
}

pub async fn insert_matches(
    exec: impl PgExecutor<'_>,
    request_id: &[Uuid],
    lat: &[f64],
    lon: &[f64],
    category: &[String],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO bench_matches (id, request_id, lat, lon, category) \
         SELECT row_number() OVER (), * \
         FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::text[])",
    )
    .bind(request_id)
    .bind(lat)
    .bind(lon)
    .bind(category)
    .execute(exec)
    .await
    .map(|_| ())
}
