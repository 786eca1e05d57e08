//! Volunteer profiles, their home history, and the candidate volunteers near a request.
//! Homes stay in the database: only the owner's own profile reads the point back; everything
//! else reads the home's cell.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use super::citus;

use crate::domain::geo::LatLon;
use crate::domain::matching;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProfileRow {
    pub skills: Vec<String>,
    /// The owner's own home, for their profile screen only.
    pub home_lat: f64,
    pub home_lon: f64,
    pub home_cell: Option<i64>,
    pub radius_m: f64,
    pub on_duty: bool,
    pub max_open: i32,
}

pub struct Profile<'a> {
    pub skills: &'a [&'static str],
    pub home: LatLon,
    /// The stored (res-9) cell of `home`.
    pub home_cell: i64,
    pub radius_m: f64,
    pub on_duty: bool,
    pub max_open: i32,
}

/// Where matching finds a profile: the public point of its home cell and its radius class.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub public_home: LatLon,
    pub reach_class: i16,
}

impl From<(LatLon, i16)> for Placement {
    fn from((public_home, reach_class): (LatLon, i16)) -> Self {
        Placement {
            public_home,
            reach_class,
        }
    }
}

/// Inserts or replaces a profile.
pub async fn upsert(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    p: &Profile<'_>,
    placed: Placement,
) -> sqlx::Result<()> {
    // `EXCLUDED.updated_at` (the column's default) and not now(): on Citus, DO UPDATE may call
    // immutable functions only.
    sqlx::query(
        "INSERT INTO volunteer_profiles (account_id, skills, home, home_cell, radius_m, on_duty, \
            max_open, public_home, reach_class) \
         VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, $5, $6, $7, $8, \
            ST_SetSRID(ST_MakePoint($9, $10), 4326)::geography, $11) \
         ON CONFLICT (account_id) DO UPDATE SET skills = EXCLUDED.skills, home = EXCLUDED.home, \
            home_cell = EXCLUDED.home_cell, radius_m = EXCLUDED.radius_m, \
            on_duty = EXCLUDED.on_duty, max_open = EXCLUDED.max_open, \
            public_home = EXCLUDED.public_home, reach_class = EXCLUDED.reach_class, \
            updated_at = EXCLUDED.updated_at",
    )
    .bind(account_id)
    .bind(p.skills)
    .bind(p.home.lon)
    .bind(p.home.lat)
    .bind(p.home_cell)
    .bind(p.radius_m)
    .bind(p.on_duty)
    .bind(p.max_open)
    .bind(placed.public_home.lon)
    .bind(placed.public_home.lat)
    .bind(placed.reach_class)
    .execute(exec)
    .await
    .map(|_| ())
}

const PROFILE: &str =
    "SELECT skills, ST_Y(home::geometry) AS home_lat, ST_X(home::geometry) AS home_lon, \
        home_cell, radius_m, on_duty, max_open FROM volunteer_profiles WHERE account_id = $1";

pub async fn profile(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as(PROFILE)
        .bind(account_id)
        .fetch_optional(exec)
        .await
}

/// The profile, locked until the transaction ends, so parallel claims by one volunteer see
/// each other's assignments.
pub async fn lock_profile(
    conn: &mut PgConnection,
    account_id: i64,
) -> sqlx::Result<Option<ProfileRow>> {
    sqlx::query_as(&format!("{PROFILE} FOR UPDATE"))
        .bind(account_id)
        .fetch_optional(conn)
        .await
}

/// Records that the home moved to `cell`.
pub async fn record_home_change(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    cell: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO volunteer_home_changes (account_id, cell) VALUES ($1, $2)")
        .bind(account_id)
        .bind(cell)
        .execute(exec)
        .await
        .map(|_| ())
}

/// When the home moved since `since`.
pub async fn home_changes_since(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT changed_at FROM volunteer_home_changes WHERE account_id = $1 AND changed_at > $2",
    )
    .bind(account_id)
    .bind(since)
    .fetch_all(exec)
    .await
}

/// The home cell as it stood at `at`: the last one set by then.
pub async fn home_at(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    at: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT cell FROM volunteer_home_changes WHERE account_id = $1 AND changed_at <= $2 \
         ORDER BY changed_at DESC, id DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(at)
    .fetch_optional(exec)
    .await
}

/// Deletes past homes that neither the daily limit nor the claim window can need any more: those
/// followed by a home that was itself set before `horizon`. Returns how many.
pub async fn forget_old_homes(
    exec: impl PgExecutor<'_>,
    horizon: DateTime<Utc>,
) -> sqlx::Result<u64> {
    sqlx::query(
        "DELETE FROM volunteer_home_changes h WHERE EXISTS ( \
            SELECT 1 FROM volunteer_home_changes n WHERE n.account_id = h.account_id \
              AND n.changed_at > h.changed_at AND n.changed_at < $1)",
    )
    .bind(horizon)
    .execute(exec)
    .await
    .map(|r| r.rows_affected())
}

/// A volunteer near a request, with every fact the eligibility rule reads.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateRow {
    pub account_id: i64,
    pub display_name: String,
    pub role: String,
    pub verified: bool,
    pub suspended: bool,
    pub on_duty: bool,
    pub skills: Vec<String>,
    pub radius_m: f64,
    pub max_open: i32,
    pub home_cell: Option<i64>,
    pub open_assignments: i64,
    pub recent_assignments: i64,
}

impl CandidateRow {
    /// The candidate as the claim rule reads it; an unknown role or a bad cell is an error.
    pub fn into_candidate(self) -> Result<matching::Candidate, crate::domain::Invalid> {
        Ok(matching::Candidate {
            account_id: self.account_id,
            display_name: self.display_name,
            home: self
                .home_cell
                .map(crate::domain::cells::Cell::from_db)
                .transpose()?,
            volunteer: crate::domain::claims::Volunteer {
                role: self.role.parse()?,
                verified: self.verified,
                suspended: self.suspended,
                on_duty: self.on_duty,
                skills: self.skills,
                radius_m: self.radius_m,
                open_assignments: self.open_assignments,
                max_open: self.max_open,
            },
            recent_assignments: self.recent_assignments,
        })
    }
}

/// A candidate, the reach class it was read in, and how far its public home lies from the
/// point asked about in plain lon/lat degrees (the order of the walk).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClassedCandidateRow {
    #[sqlx(flatten)]
    pub candidate: CandidateRow,
    pub reach_class: i16,
    pub planar_deg: f64,
}

/// For each reach class `c`, the `per_class[c]` on-duty volunteers with the skill `category`
/// whose public home is nearest to `point` (a request's public point) in lon/lat degrees: each
/// class one walk of its own planar index, much cheaper than one on the sphere. The domain
/// judges distance and reach, and bounds what was not read (`matching::matches_from_classes`).
/// The walk reads public points only, so nothing here, not even the work done, depends on an
/// exact home.
pub async fn candidates_near(
    conn: &mut PgConnection,
    point: LatLon,
    category: &str,
    per_class: &matching::PerClass,
) -> sqlx::Result<Vec<ClassedCandidateRow>> {
    let per_class: Vec<i64> = per_class.iter().map(|n| *n as i64).collect();
    let sql = if citus::on_citus() {
        &*CANDIDATES_NEAR_CITUS
    } else {
        &*CANDIDATES_NEAR
    };
    let mut rows: Vec<ClassedCandidateRow> = sqlx::query_as(sql)
        .bind(point.lon)
        .bind(point.lat)
        .bind(category)
        .bind(&per_class)
        .fetch_all(&mut *conn)
        .await?;
    if citus::on_citus() && !rows.is_empty() {
        let ids: Vec<i64> = rows.iter().map(|r| r.candidate.account_id).collect();
        let open = counts_by_account(&mut *conn, OPEN_ASSIGNMENTS_CITUS, &ids).await?;
        let recent = counts_by_account(&mut *conn, RECENT_ASSIGNMENTS_CITUS, &ids).await?;
        for r in &mut rows {
            let id = r.candidate.account_id;
            r.candidate.open_assignments = open.get(&id).copied().unwrap_or(0);
            r.candidate.recent_assignments = recent.get(&id).copied().unwrap_or(0);
        }
    }
    Ok(rows)
}

async fn counts_by_account(
    conn: &mut PgConnection,
    sql: &str,
    ids: &[i64],
) -> sqlx::Result<std::collections::HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(sql).bind(ids).fetch_all(conn).await?;
    Ok(rows.into_iter().collect())
}

/// One nearest-first walk per class; the class is written literally so that the planner picks
/// that class's partial index.
fn candidate_walks() -> String {
    const POINT: &str = "ST_SetSRID(ST_MakePoint($1, $2), 4326)";
    let walks: Vec<String> = (0..matching::REACH_CLASSES_M.len())
        .map(|class| {
            format!(
                "(SELECT v.account_id, v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell, \
                    {class}::int2 AS reach_class, \
                    v.public_home::geometry <-> {POINT} AS planar_deg \
                  FROM volunteer_profiles v \
                  WHERE v.on_duty AND v.reach_class = {class} AND $3 = ANY (v.skills) \
                  ORDER BY v.public_home::geometry <-> {POINT} LIMIT ($4::int8[])[{}])",
                class + 1
            )
        })
        .collect();
    walks.join(" UNION ALL ")
}

const CANDIDATE_COLUMNS: &str = "a.id AS account_id, a.display_name, a.role, a.verified, \
    a.suspended_at IS NOT NULL AS suspended, near.on_duty, near.skills, near.radius_m, \
    near.max_open, near.home_cell, near.reach_class, near.planar_deg";

static CANDIDATES_NEAR: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {CANDIDATE_COLUMNS}, \
                (SELECT count(*) FROM help_requests o \
                   WHERE o.assignee = a.id AND o.status = 'assigned') AS open_assignments, \
                (SELECT count(*) FROM request_events e WHERE e.account_id = a.id \
                   AND e.action = 'claimed' AND e.created_at > now() - interval '7 days') \
                   AS recent_assignments \
         FROM ({}) AS near \
         JOIN accounts a ON a.id = near.account_id",
        candidate_walks()
    )
});

/// The same on Citus, where profiles and accounts are reference tables (one node answers the
/// walks) but requests and their log are spread over shards, which a correlated subquery
/// cannot reach. The walks come first; then each count is its own statement over every shard,
/// with the walked accounts bound as an array. Counting in the same statement sent the walk's
/// result to every shard as an intermediate result, the likely cause of matches running 30
/// times slower there than on one node (BENCHMARKS.md, "On Citus"). The counts are read after
/// the walk, not in its snapshot; the claim rechecks `max_open` under its lock.
static CANDIDATES_NEAR_CITUS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {CANDIDATE_COLUMNS}, 0::int8 AS open_assignments, 0::int8 AS recent_assignments \
         FROM ({}) AS near JOIN accounts a ON a.id = near.account_id",
        candidate_walks()
    )
});

const OPEN_ASSIGNMENTS_CITUS: &str = "SELECT assignee, count(*) FROM help_requests \
    WHERE status = 'assigned' AND assignee = ANY ($1::int8[]) GROUP BY assignee";

const RECENT_ASSIGNMENTS_CITUS: &str = "SELECT account_id, count(*) FROM request_events \
    WHERE action = 'claimed' AND created_at > now() - interval '7 days' \
      AND account_id = ANY ($1::int8[]) GROUP BY account_id";

/// Profiles not placed for matching yet (rows from before migration 0007), at most `limit`
/// after account id `after`: account id, home cell and radius.
pub async fn unplaced(
    exec: impl PgExecutor<'_>,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, Option<i64>, f64)>> {
    sqlx::query_as(
        "SELECT account_id, home_cell, radius_m FROM volunteer_profiles \
         WHERE reach_class IS NULL AND account_id > $1 ORDER BY account_id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(exec)
    .await
}

pub async fn place(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    placed: Placement,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE volunteer_profiles \
         SET public_home = ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, reach_class = $4 \
         WHERE account_id = $1",
    )
    .bind(account_id)
    .bind(placed.public_home.lon)
    .bind(placed.public_home.lat)
    .bind(placed.reach_class)
    .execute(exec)
    .await
    .map(|_| ())
}
