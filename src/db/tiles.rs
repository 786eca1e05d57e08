//! Vector tiles (MVT) of our own layers, made by PostGIS with `ST_AsMVT`: places one by one or
//! counted per H3 cell, kitchens with open needs, and polygons the caller has already decided
//! (the public counts of help requests).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

use super::places::{PlaceRow, COLUMNS};
use crate::domain::tiles::Tile;

/// The tile's envelope in Web Mercator, and the same box in longitude and latitude for the
/// planar index of places.
const ENVELOPE: &str = "ST_TileEnvelope($1, $2, $3)";
const IN_TILE: &str = "p.location::geometry && ST_Transform(ST_TileEnvelope($1, $2, $3), 4326)";

fn geom(point: &str) -> String {
    format!("ST_AsMVTGeom(ST_Transform({point}, 3857), {ENVELOPE}, 4096, 64, true)")
}

/// Active places in the tile whose "open now" or live state the app must judge itself: hours
/// that are not the same every week, or a report made since `since`.
pub async fn places_to_judge(
    pool: &PgPool,
    t: Tile,
    minute: i64,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<PlaceRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, p.open_week @> $4::int4 AS open_by_week FROM places p \
         WHERE {IN_TILE} AND p.status = 'active' \
           AND ((p.opening_hours IS NOT NULL AND p.open_week IS NULL) \
                OR p.last_report_at >= $5)"
    ))
    .bind(i32::from(t.z))
    .bind(t.x as i32)
    .bind(t.y as i32)
    .bind(minute as i32)
    .bind(since)
    .fetch_all(pool)
    .await
}

/// What the app judged for some places of the tile; the others' weekly hours are judged here.
#[derive(Debug, Default)]
pub struct Judged {
    pub ids: Vec<i64>,
    pub open_now: Vec<Option<bool>>,
    pub source: Vec<Option<&'static str>>,
    pub live_queue: Vec<Option<&'static str>>,
    /// Minutes since the latest counted report.
    pub live_age_min: Vec<Option<i32>>,
}

/// The tile's active places, one feature each, in layer `places`. The rows come from a
/// materialized CTE so that, on Citus, they reach `ST_AsMVT` as a typed intermediate result.
pub async fn places(pool: &PgPool, t: Tile, minute: i64, judged: &Judged) -> sqlx::Result<Vec<u8>> {
    let g = geom("p.location::geometry");
    // Most tiles have nothing the app judged: then the join is left out altogether.
    let (joined, open_now, source, live) = if judged.ids.is_empty() {
        (
            "",
            "p.open_week @> $4::int4",
            "CASE WHEN p.open_week IS NOT NULL THEN 'hours' END",
            "",
        )
    } else {
        (
            "LEFT JOIN unnest($5::int8[], $6::bool[], $7::text[], $8::text[], $9::int4[]) \
                AS j(id, open_now, source, live_queue, live_age_min) ON j.id = p.id",
            "CASE WHEN j.id IS NOT NULL THEN j.open_now ELSE p.open_week @> $4::int4 END",
            "CASE WHEN j.id IS NOT NULL THEN j.source \
                  WHEN p.open_week IS NOT NULL THEN 'hours' END",
            "j.live_queue, j.live_age_min,",
        )
    };
    let sql = format!(
        "WITH f AS MATERIALIZED ( \
           SELECT p.id, p.name, p.kind, p.category, {open_now} AS open_now, \
                  {source} AS open_now_source, {live} {g} AS geom \
           FROM places p {joined} \
           WHERE {IN_TILE} AND p.status = 'active') \
         SELECT ST_AsMVT(f, 'places', 4096, 'geom', 'id') FROM f"
    );
    let query = sqlx::query_scalar::<_, Option<Vec<u8>>>(&sql)
        .bind(i32::from(t.z))
        .bind(t.x as i32)
        .bind(t.y as i32)
        .bind(minute as i32);
    let query = if judged.ids.is_empty() {
        query
    } else {
        query
            .bind(&judged.ids)
            .bind(&judged.open_now)
            .bind(&judged.source)
            .bind(&judged.live_queue)
            .bind(&judged.live_age_min)
    };
    query.fetch_one(pool).await.map(Option::unwrap_or_default)
}

/// The tile's active places counted per H3 cell of resolution `res`, from the counts kept in
/// `place_cell_counts`. A cell belongs to the one tile whose half-open Mercator box holds its
/// point, so neighbouring tiles never both draw it (boxes turned into degrees overlap by a
/// rounding error). one feature per cell at the mean point of its places, with `count`, a
/// count per category (`c_pharmacy`, ...; left out when 0) and the cell, in layer `places`.
pub async fn places_by_cell(
    pool: &PgPool,
    t: Tile,
    res: u8,
    categories: &[&str],
) -> sqlx::Result<Vec<u8>> {
    let per_category: String = categories
        .iter()
        .map(|c| format!(", (c.by_category ->> '{c}')::int4 AS \"c_{c}\""))
        .collect();
    let g = geom("c.point");
    sqlx::query_scalar::<_, Option<Vec<u8>>>(&format!(
        "SELECT ST_AsMVT(f, 'places', 4096, 'geom') FROM ( \
           SELECT to_hex(c.cell) AS cell, c.places AS count {per_category}, {g} AS geom \
           FROM place_cell_counts c, \
                LATERAL (SELECT ST_Transform(c.point, 3857) AS m) m, \
                LATERAL (SELECT {ENVELOPE} AS e) t \
           WHERE c.res = $4 \
             AND c.point && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.001), 4326) \
             AND ST_X(m.m) >= ST_XMin(t.e) AND ST_X(m.m) < ST_XMax(t.e) \
             AND ST_Y(m.m) >= ST_YMin(t.e) AND ST_Y(m.m) < ST_YMax(t.e)) f"
    ))
    .bind(i32::from(t.z))
    .bind(t.x as i32)
    .bind(t.y as i32)
    .bind(i16::from(res))
    .fetch_one(pool)
    .await
    .map(Option::unwrap_or_default)
}

/// Whether places changed since the cell counts were last rebuilt.
pub async fn cell_counts_stale(exec: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM places p, place_cell_counts_state s \
                        WHERE p.updated_at >= s.refreshed_at)",
    )
    .fetch_one(exec)
    .await
}

/// Rebuilds the cell counts of active places at every resolution, given as `(res, keep,
/// set)`: the masks that turn a stored cell into its parent. Returns the rows written.
pub async fn rebuild_cell_counts(
    conn: &mut PgConnection,
    parents: &[(u8, i64, i64)],
) -> sqlx::Result<u64> {
    let res: Vec<i16> = parents.iter().map(|p| i16::from(p.0)).collect();
    let keep: Vec<i64> = parents.iter().map(|p| p.1).collect();
    let set: Vec<i64> = parents.iter().map(|p| p.2).collect();
    // Taken before reading, so a place changed while this runs is counted next time.
    sqlx::query("UPDATE place_cell_counts_state SET refreshed_at = now()")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM place_cell_counts")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "WITH m AS (SELECT * FROM unnest($1::int2[], $2::int8[], $3::int8[]) AS m(res, keep, set)), \
         per_category AS ( \
            SELECT m.res, (p.cell & m.keep) | m.set AS cell, p.category, count(*) AS n, \
                   sum(ST_X(p.location::geometry)) AS sx, sum(ST_Y(p.location::geometry)) AS sy \
            FROM places p CROSS JOIN m WHERE p.status = 'active' GROUP BY 1, 2, 3) \
         INSERT INTO place_cell_counts (res, cell, places, by_category, point) \
         SELECT res, cell, sum(n)::int4, jsonb_object_agg(category, n), \
                ST_SetSRID(ST_MakePoint(sum(sx) / sum(n), sum(sy) / sum(n)), 4326) \
         FROM per_category GROUP BY res, cell",
    )
    .bind(&res)
    .bind(&keep)
    .bind(&set)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
}

/// Active kitchens in the tile with open needs, in layer `needs`: how many of each kind.
pub async fn needs(pool: &PgPool, t: Tile) -> sqlx::Result<Vec<u8>> {
    let g = geom("p.location::geometry");
    sqlx::query_scalar::<_, Option<Vec<u8>>>(&format!(
        "WITH f AS MATERIALIZED ( \
           SELECT p.id AS place_id, p.name, \
                  count(*) FILTER (WHERE n.kind = 'supplies')::int4 AS supplies, \
                  count(*) FILTER (WHERE n.kind = 'shift')::int4 AS shifts, {g} AS geom \
           FROM needs n JOIN places p ON p.shard_cell = n.shard_cell AND p.id = n.place_id \
           WHERE n.status = 'open' AND p.kind = 'kitchen' AND {IN_TILE} AND p.status = 'active' \
           GROUP BY p.shard_cell, p.id, p.name, p.location) \
         SELECT ST_AsMVT(f, 'needs', 4096, 'geom', 'place_id') FROM f"
    ))
    .bind(i32::from(t.z))
    .bind(t.x as i32)
    .bind(t.y as i32)
    .fetch_one(pool)
    .await
    .map(Option::unwrap_or_default)
}

/// Polygons given as WKT in longitude and latitude, with a cell id and a count each, in
/// layer `layer`.
pub async fn cells(
    pool: &PgPool,
    t: Tile,
    layer: &str,
    cells: &[String],
    counts: &[i32],
    wkt: &[String],
) -> sqlx::Result<Vec<u8>> {
    let g = geom("ST_GeomFromText(c.wkt, 4326)");
    sqlx::query_scalar::<_, Option<Vec<u8>>>(&format!(
        "SELECT ST_AsMVT(f, $4, 4096, 'geom') FROM ( \
           SELECT c.cell, c.count, {g} AS geom \
           FROM unnest($5::text[], $6::int4[], $7::text[]) AS c(cell, count, wkt)) f"
    ))
    .bind(i32::from(t.z))
    .bind(t.x as i32)
    .bind(t.y as i32)
    .bind(layer)
    .bind(cells)
    .bind(counts)
    .bind(wkt)
    .fetch_one(pool)
    .await
    .map(Option::unwrap_or_default)
}
