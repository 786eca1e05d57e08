//! Live reports on places, the reporters coordinators hid, and the reports' history by hour of
//! the week.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};

use crate::domain::live_reports::Stock;
use crate::domain::report_history::HourOfWeek;

/// A report as stored. `reporter` is a digest, NULL once erased.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub place_id: i64,
    pub reporter: Option<String>,
    pub tier: String,
    pub reported_at: DateTime<Utc>,
    pub open: Option<bool>,
    pub queue: Option<String>,
    pub stock: Json<BTreeMap<String, Stock>>,
    pub doubtful: bool,
}

/// A report to store.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub place_id: i64,
    pub reporter: &'a str,
    pub tier: &'static str,
    pub at: DateTime<Utc>,
    pub open: Option<bool>,
    pub queue: Option<&'static str>,
    pub stock: &'a BTreeMap<String, Stock>,
    pub doubtful: bool,
}

/// Whether report `r`'s reporter was hidden by a coordinator.
const HIDDEN: &str = "EXISTS (SELECT 1 FROM hidden_reporters h WHERE h.reporter = r.reporter)";

const COLUMNS: &str =
    "r.id, r.place_id, r.reporter, r.tier, r.reported_at, r.open, r.queue, r.stock, r.doubtful";

/// The deployment's key for reporter digests.
pub async fn key(exec: impl PgExecutor<'_>) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT secret FROM report_key")
        .fetch_one(exec)
        .await
}

/// Holds one reporter's reports on one place until the transaction ends, so two reports sent
/// at once cannot both be new.
pub async fn lock_reporter(
    conn: &mut PgConnection,
    place_id: i64,
    reporter: &str,
) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '|' || $2::text, 0))")
        .bind(reporter)
        .bind(place_id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The reporter's latest report on the place: its id and time.
pub async fn latest_by_reporter(
    conn: &mut PgConnection,
    place_id: i64,
    reporter: &str,
) -> sqlx::Result<Option<(i64, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT id, reported_at FROM place_reports WHERE reporter = $1 AND place_id = $2 \
         ORDER BY reported_at DESC LIMIT 1",
    )
    .bind(reporter)
    .bind(place_id)
    .fetch_optional(conn)
    .await
}

pub async fn insert(conn: &mut PgConnection, r: &NewReport<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO place_reports (shard_cell, place_id, reporter, tier, reported_at, open, \
            queue, stock, doubtful) \
         SELECT shard_cell, id, $2, $3, $4, $5, $6, $7, $8 FROM places WHERE id = $1 RETURNING id",
    )
    .bind(r.place_id)
    .bind(r.reporter)
    .bind(r.tier)
    .bind(r.at)
    .bind(r.open)
    .bind(r.queue)
    .bind(Json(r.stock))
    .bind(r.doubtful)
    .fetch_one(conn)
    .await
}

/// Overwrites report `id` with `r`, as if it had just been made.
pub async fn replace(conn: &mut PgConnection, id: i64, r: &NewReport<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE place_reports SET tier = $2, reported_at = $3, open = $4, queue = $5, \
            stock = $6, doubtful = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(r.tier)
    .bind(r.at)
    .bind(r.open)
    .bind(r.queue)
    .bind(Json(r.stock))
    .bind(r.doubtful)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Notes on the place that it has a report made at `at`.
pub async fn mark_reported(
    conn: &mut PgConnection,
    place_id: i64,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE places SET last_report_at = GREATEST(last_report_at, $2) WHERE id = $1 \
           AND last_report_at IS DISTINCT FROM GREATEST(last_report_at, $2)",
    )
    .bind(place_id)
    .bind(at)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The reports on these places made since `since`, from reporters nobody hid.
pub async fn counted(
    exec: impl PgExecutor<'_>,
    place_ids: &[i64],
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<ReportRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM place_reports r \
         WHERE r.place_id = ANY($1) AND r.reported_at >= $2 \
           AND NOT {HIDDEN} \
         ORDER BY r.place_id, r.reported_at"
    ))
    .bind(place_ids)
    .bind(since)
    .fetch_all(exec)
    .await
}

/// The place's reports made since `since`, newest first, at most `limit`, each with whether
/// its reporter was hidden.
pub async fn recent(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<(ReportRow, bool)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        report: ReportRow,
        hidden: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, {HIDDEN} AS hidden \
         FROM place_reports r WHERE r.place_id = $1 AND r.reported_at >= $2 \
         ORDER BY r.reported_at DESC, r.id DESC LIMIT $3"
    ))
    .bind(place_id)
    .bind(since)
    .bind(limit)
    .fetch_all(exec)
    .await?;
    Ok(rows.into_iter().map(|r| (r.report, r.hidden)).collect())
}

/// The reporter digest of report `id`: `None` when there is no such report, `Some(None)`
/// when its reporter was already erased.
pub async fn reporter_of(
    exec: impl PgExecutor<'_>,
    id: i64,
) -> sqlx::Result<Option<Option<String>>> {
    sqlx::query_scalar("SELECT reporter FROM place_reports WHERE id = $1")
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// Hides a reporter; returns how many of their stored reports that hides.
pub async fn hide_reporter(conn: &mut PgConnection, reporter: &str, by: i64) -> sqlx::Result<i64> {
    sqlx::query(
        "INSERT INTO hidden_reporters (reporter, hidden_by) VALUES ($1, $2) \
         ON CONFLICT (reporter) DO NOTHING",
    )
    .bind(reporter)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT count(*) FROM place_reports WHERE reporter = $1")
        .bind(reporter)
        .fetch_one(conn)
        .await
}

/// The place's counted reports since `since`, by hour of the week in time zone `tz` (Monday
/// 00:00 to 01:00 is hour 0); hours without reports are left out.
pub async fn by_hour_of_week(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    since: DateTime<Utc>,
    tz: &str,
) -> sqlx::Result<Vec<HourOfWeek>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        hour_of_week: i32,
        reports: i64,
        queue_reports: i64,
        long_queue: i64,
        closed: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT ((extract(isodow FROM local) - 1) * 24 + extract(hour FROM local))::int4 \
                    AS hour_of_week, \
                count(*) AS reports, count(queue) AS queue_reports, \
                count(*) FILTER (WHERE queue = 'long') AS long_queue, \
                count(*) FILTER (WHERE open = false) AS closed \
         FROM (SELECT r.*, r.reported_at AT TIME ZONE $3 AS local FROM place_reports r \
               WHERE r.place_id = $1 AND r.reported_at >= $2 \
                 AND NOT {HIDDEN}) r \
         GROUP BY 1 ORDER BY 1"
    ))
    .bind(place_id)
    .bind(since)
    .bind(tz)
    .fetch_all(exec)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HourOfWeek {
            hour_of_week: r.hour_of_week,
            reports: r.reports,
            queue_reports: r.queue_reports,
            long_queue: r.long_queue,
            closed: r.closed,
        })
        .collect())
}

/// Erases the reporter digest of reports made before `erase_before`, and deletes reports made
/// before `delete_before`. Returns both counts.
pub async fn forget(
    exec: impl PgExecutor<'_> + Copy,
    erase_before: DateTime<Utc>,
    delete_before: DateTime<Utc>,
) -> sqlx::Result<(u64, u64)> {
    let erased = sqlx::query(
        "UPDATE place_reports SET reporter = NULL \
         WHERE reported_at < $1 AND reporter IS NOT NULL",
    )
    .bind(erase_before)
    .execute(exec)
    .await?
    .rows_affected();
    let deleted = sqlx::query("DELETE FROM place_reports WHERE reported_at < $1")
        .bind(delete_before)
        .execute(exec)
        .await?
        .rows_affected();
    Ok((erased, deleted))
}
