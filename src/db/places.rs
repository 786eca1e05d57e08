//! Shops and community kitchens.

use super::citus;
use crate::domain::geo::{BBox, LatLon};
use crate::domain::hours;
use crate::domain::shards;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

/// A place as stored, with its point as numbers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlaceRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub category: String,
    pub lat: f64,
    pub lon: f64,
    pub cell: i64,
    pub opening_hours: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub source: Option<String>,
    pub status: String,
    pub meals_per_day: Option<i32>,
    /// When the latest live report on the place was made.
    pub last_report_at: Option<DateTime<Utc>>,
    /// Whether the weekly open minutes hold the minute asked about; NULL when the hours are
    /// not weekly (the crate judges them) or no minute was asked.
    pub open_by_week: Option<bool>,
}

pub(crate) const COLUMNS: &str =
    "p.id, p.kind, p.name, p.category, ST_Y(p.location::geometry) AS lat, \
    ST_X(p.location::geometry) AS lon, p.cell, p.opening_hours, p.address, p.phone, \
    p.description, p.source, p.status, p.meals_per_day, p.last_report_at";

/// A place to insert or update by `source`.
#[derive(Debug, Clone)]
pub struct NewPlace {
    pub kind: &'static str,
    pub name: String,
    pub category: &'static str,
    pub point: LatLon,
    pub cell: i64,
    pub opening_hours: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub source: Option<String>,
    pub meals_per_day: Option<i32>,
}

/// Filters shared by the map view and nearby search.
#[derive(Debug, Clone, Default)]
pub struct PlaceFilter {
    pub kind: Option<&'static str>,
    pub categories: Vec<&'static str>,
}

/// A place with its distance from a search point, in metres on the sphere.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NearbyRow {
    #[sqlx(flatten)]
    pub place: PlaceRow,
    pub distance_m: f64,
}

/// Active places within `radius_m` of `origin`, nearest first (ties by id), at most `limit`;
/// with `open_at` (a minute of the week), only places that may be open then: open by their
/// weekly minutes, or with hours the crate must judge (`open_week` NULL).
///
/// A nearest-neighbour walk of the GiST index on geography (`<->` is the distance on the
/// sphere, as `ST_Distance(.., false)` is), bounded by `ST_DWithin`: it reads about `limit`
/// rows however many lie in the circle. The walk cannot also order by id, so it reads one row
/// more: when that row is as near as the last one kept, a tie may straddle the cut, and a
/// second query reads every place up to that distance. This is the hot query of nearby search;
/// BENCHMARKS.md compares it with the H3 ranges it replaced.
pub async fn nearby(
    pool: &PgPool,
    origin: LatLon,
    radius_m: f64,
    filter: &PlaceFilter,
    minute: i64,
    only_open: bool,
    limit: i64,
) -> sqlx::Result<Vec<NearbyRow>> {
    let at = Minute {
        minute,
        only: if only_open {
            Only::MaybeOpen
        } else {
            Only::Any
        },
    };
    nearest(pool, origin, radius_m, filter, at, limit).await
}

/// The first `limit` places by distance then id, exactly, whatever ties the cut falls on.
async fn nearest(
    pool: &PgPool,
    origin: LatLon,
    radius_m: f64,
    filter: &PlaceFilter,
    at: Minute,
    limit: i64,
) -> sqlx::Result<Vec<NearbyRow>> {
    // Distances within this of each other count as tied, whatever rounding `<->` does.
    const TIE_M: f64 = 0.001;
    let mut rows = nearby_query(pool, origin, radius_m, filter, at, limit + 1, true).await?;
    let by_distance_then_id = |a: &NearbyRow, b: &NearbyRow| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then(a.place.id.cmp(&b.place.id))
    };
    rows.sort_by(by_distance_then_id);
    if rows.len() as i64 > limit {
        let kept = rows[limit as usize - 1].distance_m;
        if rows[limit as usize].distance_m <= kept + TIE_M {
            let reach = (kept + 2.0 * TIE_M).min(radius_m);
            rows = nearby_query(pool, origin, reach, filter, at, i64::MAX, false).await?;
            rows.sort_by(by_distance_then_id);
        }
        rows.truncate(limit as usize);
    }
    Ok(rows)
}

/// Active places within `radius_m` of `origin` with a live report made since `since`,
/// nearest first (ties by id), at most `limit`: the places whose reports may make them open,
/// or say there is no queue. Walks the partial index of places ever reported.
pub async fn reported_nearby(
    pool: &PgPool,
    origin: LatLon,
    radius_m: f64,
    filter: &PlaceFilter,
    minute: i64,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<NearbyRow>> {
    let at = Minute {
        minute,
        only: Only::ReportedSince(since),
    };
    nearest(pool, origin, radius_m, filter, at, limit).await
}

/// The minute of the week asked about, and which places count.
#[derive(Debug, Clone, Copy)]
struct Minute {
    minute: i64,
    only: Only,
}

#[derive(Debug, Clone, Copy)]
enum Only {
    Any,
    /// Places that may be open at the minute by their hours.
    MaybeOpen,
    /// Places with a live report made since then.
    ReportedSince(DateTime<Utc>),
}

async fn nearby_query(
    pool: &PgPool,
    origin: LatLon,
    radius_m: f64,
    filter: &PlaceFilter,
    at: Minute,
    limit: i64,
    knn: bool,
) -> sqlx::Result<Vec<NearbyRow>> {
    // The origin is written inline: the index can only order by distance to a constant.
    const ORIGIN: &str = "ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography";
    let order = if knn {
        format!("ORDER BY p.location <-> {ORIGIN}")
    } else {
        String::new()
    };
    // Spelled out when asked, so the planner can walk the index of places with hours.
    let only = match at.only {
        Only::Any => "",
        Only::MaybeOpen => {
            "AND p.opening_hours IS NOT NULL AND (p.open_week IS NULL OR p.open_week @> $7::int4)"
        }
        Only::ReportedSince(_) => "AND p.last_report_at IS NOT NULL AND p.last_report_at >= $8",
    };
    // On Citus, the shard cells the circle reaches, so that Citus reads only those shards.
    let shards = citus::on_citus().then(|| shards::shard_cells_of_circle(origin, radius_m));
    let in_shards = match (&shards, at.only) {
        (None, _) => "",
        (Some(_), Only::ReportedSince(_)) => "AND p.shard_cell = ANY($9)",
        (Some(_), _) => "AND p.shard_cell = ANY($8)",
    };
    let sql = format!(
        "SELECT {COLUMNS}, p.open_week @> $7::int4 AS open_by_week, \
                ST_Distance(p.location, {ORIGIN}, false) AS distance_m \
         FROM places p \
         WHERE ST_DWithin(p.location, {ORIGIN}, $3, false) \
           AND p.status = 'active' \
           AND ($4::text IS NULL OR p.kind = $4) \
           AND (cardinality($5::text[]) = 0 OR p.category = ANY($5)) \
           {in_shards} {only} {order} LIMIT $6"
    );
    let mut query = sqlx::query_as(&sql)
        .bind(origin.lon)
        .bind(origin.lat)
        .bind(radius_m)
        .bind(filter.kind)
        .bind(&filter.categories)
        .bind(limit)
        .bind(at.minute as i32);
    if let Only::ReportedSince(since) = at.only {
        query = query.bind(since);
    }
    if let Some(shards) = shards {
        query = query.bind(shards);
    }
    query.fetch_all(pool).await
}

/// Active places inside a lon/lat box, at most `limit`, with whether their weekly hours hold
/// `minute` (of the week).
pub async fn in_bbox(
    pool: &PgPool,
    bbox: BBox,
    filter: &PlaceFilter,
    minute: i64,
    limit: i64,
) -> sqlx::Result<Vec<PlaceRow>> {
    let sql = format!(
        "SELECT {COLUMNS}, p.open_week @> $8::int4 AS open_by_week FROM places p \
         WHERE p.location::geometry && ST_MakeEnvelope($1, $2, $3, $4, 4326) \
           AND p.status = 'active' \
           AND ($5::text IS NULL OR p.kind = $5) \
           AND (cardinality($6::text[]) = 0 OR p.category = ANY($6)) \
         ORDER BY p.id LIMIT $7"
    );
    sqlx::query_as(&sql)
        .bind(bbox.min_lon)
        .bind(bbox.min_lat)
        .bind(bbox.max_lon)
        .bind(bbox.max_lat)
        .bind(filter.kind)
        .bind(&filter.categories)
        .bind(limit)
        .bind(minute as i32)
        .fetch_all(pool)
        .await
}

pub async fn by_id(exec: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<PlaceRow>> {
    let sql = format!("SELECT {COLUMNS}, NULL::bool AS open_by_week FROM places p WHERE p.id = $1");
    sqlx::query_as(&sql).bind(id).fetch_optional(exec).await
}

pub async fn count(exec: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM places")
        .fetch_one(exec)
        .await
}

/// Fields of a place that an organizer may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PlacePatch {
    pub name: Option<String>,
    pub category: Option<&'static str>,
    /// The new point and its res-9 cell.
    pub point: Option<(LatLon, i64)>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub opening_hours: Option<String>,
    pub description: Option<String>,
    pub meals_per_day: Option<i32>,
}

/// Inserts a place made by hand (no `source`), with its starting status and author.
pub async fn insert_by_hand(
    exec: impl PgExecutor<'_>,
    p: &NewPlace,
    status: &str,
    created_by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO places (kind, name, category, location, cell, opening_hours, address, phone, \
                             description, meals_per_day, status, created_by, open_week, shard_cell) \
         VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326)::geography, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14::int4multirange, antes_shard_cell($6)) RETURNING id",
    )
    .bind(p.kind)
    .bind(&p.name)
    .bind(p.category)
    .bind(p.point.lon)
    .bind(p.point.lat)
    .bind(p.cell)
    .bind(&p.opening_hours)
    .bind(&p.address)
    .bind(&p.phone)
    .bind(&p.description)
    .bind(p.meals_per_day)
    .bind(status)
    .bind(created_by)
    .bind(hours::weekly_open_multirange(p.opening_hours.as_deref()))
    .fetch_one(exec)
    .await
}

pub async fn update(conn: &mut PgConnection, id: i64, p: &PlacePatch) -> sqlx::Result<bool> {
    // The point and the weekly hours are set by statements of their own, only when given:
    // Citus refuses a stable function (a cast from text) inside CASE or COALESCE.
    if let Some((point, cell)) = p.point {
        super::shard_moves::move_place(&mut *conn, id, cell).await?;
        sqlx::query(
            "UPDATE places SET location = ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, \
                cell = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(point.lon)
        .bind(point.lat)
        .bind(cell)
        .execute(&mut *conn)
        .await?;
    }
    if p.opening_hours.is_some() {
        sqlx::query("UPDATE places SET open_week = $2::int4multirange WHERE id = $1")
            .bind(id)
            .bind(hours::weekly_open_multirange(p.opening_hours.as_deref()))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE places SET \
            name = COALESCE($2, name), category = COALESCE($3, category), \
            address = COALESCE($4, address), phone = COALESCE($5, phone), \
            opening_hours = COALESCE($6, opening_hours), description = COALESCE($7, description), \
            meals_per_day = COALESCE($8, meals_per_day), updated_at = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&p.name)
    .bind(p.category)
    .bind(&p.address)
    .bind(&p.phone)
    .bind(&p.opening_hours)
    .bind(&p.description)
    .bind(p.meals_per_day)
    .execute(conn)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn set_status(exec: impl PgExecutor<'_>, id: i64, status: &str) -> sqlx::Result<bool> {
    sqlx::query("UPDATE places SET status = $2, updated_at = now() WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(exec)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Places with hours but no weekly minutes: not computed yet (rows from before migration
/// 0006), or not weekly. At most `limit`, after id `after`.
pub async fn hours_without_week(
    exec: impl PgExecutor<'_>,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, opening_hours FROM places \
         WHERE opening_hours IS NOT NULL AND open_week IS NULL AND id > $1 \
         ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(exec)
    .await
}

/// Stores the weekly minutes of these places (`{...}` multirange literals).
pub async fn set_open_weeks(
    exec: impl PgExecutor<'_>,
    ids: &[i64],
    weeks: &[String],
) -> sqlx::Result<u64> {
    sqlx::query(
        "UPDATE places p SET open_week = w.week::int4multirange \
         FROM unnest($1::bigint[], $2::text[]) AS w(id, week) WHERE p.id = w.id",
    )
    .bind(ids)
    .bind(weeks)
    .execute(exec)
    .await
    .map(|r| r.rows_affected())
}
