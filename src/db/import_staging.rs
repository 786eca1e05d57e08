//! The staging table of an import: places are copied in, then merged into `places` in one
//! statement (see `crate::import`).

use sqlx::{PgConnection, PgExecutor};

use super::bulk::CopyRows;
use super::places::NewPlace;

/// A temporary table for one import, dropped when the transaction ends.
pub async fn create_staging(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query(
        "CREATE TEMP TABLE import_staging (seq bigint NOT NULL, source text NOT NULL, \
            kind text NOT NULL, name text NOT NULL, category text NOT NULL, \
            location geography(Point, 4326) NOT NULL, cell bigint NOT NULL, \
            opening_hours text, address text, phone text, description text, \
            meals_per_day integer, open_week int4multirange) ON COMMIT DROP",
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// One place as a staging row (see `bulk::Table::ImportStaging`); `open_week` is the
/// multirange literal of its hours, if weekly.
pub fn stage_row(rows: &mut CopyRows, seq: u64, p: &NewPlace, open_week: Option<&str>) {
    rows.plain(seq)
        .opt_text(p.source.as_deref())
        .text(p.kind)
        .text(&p.name)
        .text(p.category)
        .point(p.point.lon, p.point.lat)
        .plain(p.cell)
        .opt_text(p.opening_hours.as_deref())
        .opt_text(p.address.as_deref())
        .opt_text(p.phone.as_deref())
        .opt_text(p.description.as_deref())
        .opt_plain(p.meals_per_day)
        .opt_text(open_week)
        .end_row();
}

pub struct Merged {
    pub inserted: u64,
    pub updated: u64,
    /// Distinct sources staged.
    pub staged: u64,
}

/// Inserts the staged places, or updates the stored ones with the same `source` where
/// anything differs; when a source is staged twice, the later row wins. New rows are written
/// in cell order, so that a first import leaves neighbours on the same pages: a map view then
/// reads a few dozen pages rather than one per place.
/// Without `repeats` (no source staged twice), it skips the sort that picks the later row.
pub async fn merge_staging(conn: &mut PgConnection, repeats: bool) -> sqlx::Result<Merged> {
    let latest = if repeats {
        "SELECT DISTINCT ON (source) * FROM import_staging ORDER BY source, seq DESC"
    } else {
        "SELECT * FROM import_staging"
    };
    // A place that moved into another shard cell takes its new one first, so that the merge
    // below finds it by (shard_cell, source). Asked before it is done: Citus refuses any
    // statement that could change a distribution column, so there it fails only if one moved.
    let moved: i64 = sqlx::query_scalar(&format!(
        "WITH latest AS ({latest}) SELECT count(*) FROM latest l \
         JOIN places p ON p.source = l.source AND p.shard_cell <> antes_shard_cell(l.cell)"
    ))
    .fetch_one(&mut *conn)
    .await?;
    if moved > 0 {
        sqlx::query(&format!(
            "WITH latest AS ({latest}) UPDATE places p SET shard_cell = antes_shard_cell(l.cell) \
             FROM latest l WHERE p.source = l.source AND p.shard_cell <> antes_shard_cell(l.cell)"
        ))
        .execute(&mut *conn)
        .await?;
    }
    let (inserted, updated): (i64, i64) = sqlx::query_as(&format!(
        "WITH latest AS ({latest}), \
         merged AS ( \
            INSERT INTO places AS p (kind, name, category, location, cell, shard_cell, \
                opening_hours, address, phone, description, source, meals_per_day, open_week) \
            SELECT kind, name, category, location, cell, antes_shard_cell(cell), \
                opening_hours, address, phone, description, source, meals_per_day, open_week \
            FROM latest ORDER BY cell, seq \
            ON CONFLICT (shard_cell, source) DO UPDATE SET \
                kind = EXCLUDED.kind, name = EXCLUDED.name, category = EXCLUDED.category, \
                location = EXCLUDED.location, cell = EXCLUDED.cell, \
                opening_hours = EXCLUDED.opening_hours, address = EXCLUDED.address, \
                phone = EXCLUDED.phone, description = EXCLUDED.description, \
                meals_per_day = EXCLUDED.meals_per_day, open_week = EXCLUDED.open_week, \
                updated_at = EXCLUDED.updated_at \
            WHERE (p.kind, p.name, p.category, p.location::text, p.opening_hours, p.address, \
                   p.phone, p.description, p.meals_per_day) \
               IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.category, \
                   EXCLUDED.location::text, EXCLUDED.opening_hours, EXCLUDED.address, \
                   EXCLUDED.phone, EXCLUDED.description, EXCLUDED.meals_per_day) \
            RETURNING (xmax = 0) AS inserted) \
         SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) \
         FROM merged"
    ))
    .fetch_one(&mut *conn)
    .await?;
    // Counted apart: a second reference to `latest` would make PostgreSQL store it first.
    let staged: i64 = sqlx::query_scalar(if repeats {
        "SELECT count(DISTINCT source) FROM import_staging"
    } else {
        "SELECT count(*) FROM import_staging"
    })
    .fetch_one(&mut *conn)
    .await?;
    Ok(Merged {
        inserted: inserted as u64,
        updated: updated as u64,
        staged: staged as u64,
    })
}

/// Inserts every staged place, in cell order, for a first import into an empty table with no
/// source staged twice: nothing can conflict, so no row is checked. Returns the rows written.
pub async fn insert_staging(conn: &mut PgConnection) -> sqlx::Result<u64> {
    sqlx::query(
        "INSERT INTO places (kind, name, category, location, cell, shard_cell, opening_hours, \
            address, phone, description, source, meals_per_day, open_week) \
         SELECT kind, name, category, location, cell, antes_shard_cell(cell), opening_hours, \
            address, phone, description, source, meals_per_day, open_week \
         FROM import_staging ORDER BY cell, seq",
    )
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
}

/// Which of these sources are stored, for reporting elements that lost their tags.
pub async fn existing_sources(
    exec: impl PgExecutor<'_>,
    sources: &[String],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT source FROM places WHERE source = ANY($1) ORDER BY source")
        .bind(sources)
        .fetch_all(exec)
        .await
}
