//! Kitchens' organizers, needs, pledges and shift sign-ups.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::domain::geo::LatLon;
use crate::domain::kitchens::NewNeed;

/// A need with its running totals: pledged amount (supplies) or taken slots (shifts).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NeedRow {
    pub id: i64,
    pub place_id: i64,
    pub place_name: String,
    /// The kitchen's status: needs of a kitchen still under review take no sign-ups or pledges.
    pub place_status: String,
    pub kind: String,
    pub status: String,
    pub item: Option<String>,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub needed_by: Option<DateTime<Utc>>,
    pub role: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub slots: Option<i32>,
    pub pledged: f64,
    pub taken: i64,
    pub created_at: DateTime<Utc>,
}

pub(super) const NEED_COLUMNS: &str =
    "n.id, n.place_id, p.name AS place_name, p.status AS place_status, n.kind, n.status, n.item, \
    n.quantity, n.unit, n.needed_by, n.role, n.starts_at, n.ends_at, n.slots, \
    COALESCE((SELECT sum(pl.quantity) FROM pledges pl \
              WHERE pl.shard_cell = n.shard_cell AND pl.need_id = n.id AND pl.status <> 'withdrawn'), \
       0)::float8 AS pledged, \
    (SELECT count(*) FROM shift_signups s WHERE s.shard_cell = n.shard_cell AND s.need_id = n.id) \
       AS taken, n.created_at";

pub async fn add_organizer(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    account_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO place_organizers (shard_cell, place_id, account_id) \
         SELECT shard_cell, id, $2 FROM places WHERE id = $1 ON CONFLICT DO NOTHING",
    )
    .bind(place_id)
    .bind(account_id)
    .execute(exec)
    .await
    .map(|_| ())
}

pub async fn is_organizer(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM place_organizers WHERE place_id = $1 AND account_id = $2)",
    )
    .bind(place_id)
    .bind(account_id)
    .fetch_one(exec)
    .await
}

/// The places an account organizes, pending ones included: `(id, name, kind, status)`.
pub async fn organized_places(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Vec<(i64, String, String, String)>> {
    sqlx::query_as(
        "SELECT p.id, p.name, p.kind, p.status FROM place_organizers o \
         JOIN places p ON p.shard_cell = o.shard_cell AND p.id = o.place_id WHERE o.account_id = $1 ORDER BY p.name, p.id",
    )
    .bind(account_id)
    .fetch_all(exec)
    .await
}

pub async fn insert_need(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    need: &NewNeed,
    created_by: i64,
) -> sqlx::Result<i64> {
    let q = match need {
        NewNeed::Supplies {
            item,
            quantity,
            unit,
            needed_by,
        } => sqlx::query_scalar(
            "INSERT INTO needs (shard_cell, place_id, kind, item, quantity, unit, needed_by, \
                created_by) \
             SELECT shard_cell, id, 'supplies', $2, $3, $4, $5, $6 FROM places WHERE id = $1 \
             RETURNING id",
        )
        .bind(place_id)
        .bind(item)
        .bind(quantity)
        .bind(unit)
        .bind(needed_by)
        .bind(created_by),
        NewNeed::Shift {
            role,
            starts_at,
            ends_at,
            slots,
        } => sqlx::query_scalar(
            "INSERT INTO needs (shard_cell, place_id, kind, role, starts_at, ends_at, slots, \
                created_by) \
             SELECT shard_cell, id, 'shift', $2, $3, $4, $5, $6 FROM places WHERE id = $1 \
             RETURNING id",
        )
        .bind(place_id)
        .bind(role.as_str())
        .bind(starts_at)
        .bind(ends_at)
        .bind(slots)
        .bind(created_by),
    };
    q.fetch_one(exec).await
}

pub async fn need(exec: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<NeedRow>> {
    let sql = format!(
        "SELECT {NEED_COLUMNS} FROM needs n JOIN places p ON p.shard_cell = n.shard_cell AND p.id = n.place_id WHERE n.id = $1"
    );
    sqlx::query_as(&sql).bind(id).fetch_optional(exec).await
}

/// Locks the need's row for the rest of the transaction, so concurrent sign-ups and pledges on
/// it are decided one at a time; then reads it with its totals.
pub async fn lock_need(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<NeedRow>> {
    // The shard cell first: Citus locks rows only in a query it can route to one shard.
    let shard: Option<i64> = sqlx::query_scalar("SELECT shard_cell FROM needs WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(shard) = shard else {
        return Ok(None);
    };
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM needs WHERE shard_cell = $2 AND id = $1 FOR NO KEY UPDATE",
    )
    .bind(id)
    .bind(shard)
    .fetch_optional(&mut *conn)
    .await?;
    match found {
        Some(_) => need(&mut *conn, id).await,
        None => Ok(None),
    }
}

/// Serialises one account's sign-ups, so two overlapping shifts cannot both be taken at once.
pub async fn lock_account(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<()> {
    // NO KEY UPDATE: still one sign-up per account at a time, but it does not block the
    // KEY SHARE locks that foreign keys (a pledge's account) take, which would deadlock.
    sqlx::query("SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE")
        .bind(account_id)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn needs_of_place(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    only_open: bool,
) -> sqlx::Result<Vec<NeedRow>> {
    let sql = format!(
        "SELECT {NEED_COLUMNS} FROM needs n JOIN places p ON p.shard_cell = n.shard_cell AND p.id = n.place_id \
         WHERE n.place_id = $1 AND (NOT $2 OR n.status = 'open') \
         ORDER BY n.status, COALESCE(n.starts_at, n.needed_by, n.created_at), n.id"
    );
    sqlx::query_as(&sql)
        .bind(place_id)
        .bind(only_open)
        .fetch_all(exec)
        .await
}

/// Open needs of active kitchens within `radius_m`, nearest first.
pub async fn nearby_needs(
    pool: &PgPool,
    origin: LatLon,
    radius_m: f64,
    kind: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<(NeedRow, f64)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        need: NeedRow,
        distance_m: f64,
    }
    let sql = format!(
        "WITH origin AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS g) \
         SELECT {NEED_COLUMNS}, ST_Distance(p.location, o.g, false) AS distance_m \
         FROM needs n JOIN places p ON p.shard_cell = n.shard_cell AND p.id = n.place_id CROSS JOIN origin o \
         WHERE n.status = 'open' AND p.kind = 'kitchen' AND p.status = 'active' \
           AND ST_DWithin(p.location, o.g, $3, false) \
           AND ($4::text IS NULL OR n.kind = $4) \
         ORDER BY distance_m, n.id LIMIT $5"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(origin.lon)
        .bind(origin.lat)
        .bind(radius_m)
        .bind(kind)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| (r.need, r.distance_m)).collect())
}

pub async fn set_need_status(
    exec: impl PgExecutor<'_>,
    id: i64,
    status: &str,
) -> sqlx::Result<bool> {
    sqlx::query("UPDATE needs SET status = $2, closed_at = now() WHERE id = $1 AND status = 'open'")
        .bind(id)
        .bind(status)
        .execute(exec)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Expires open needs whose time has passed: a shift that ended, supplies past `needed_by`.
pub async fn expire_needs(exec: impl PgExecutor<'_>, now: DateTime<Utc>) -> sqlx::Result<u64> {
    sqlx::query(
        "UPDATE needs SET status = 'expired', closed_at = $1 \
         WHERE status = 'open' AND ((kind = 'shift' AND ends_at <= $1) OR (kind = 'supplies' AND needed_by <= $1))",
    )
    .bind(now)
    .execute(exec)
    .await
    .map(|r| r.rows_affected())
}

// ---- shifts

pub async fn is_signed_up(
    exec: impl PgExecutor<'_>,
    need_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM shift_signups WHERE need_id = $1 AND account_id = $2)",
    )
    .bind(need_id)
    .bind(account_id)
    .fetch_one(exec)
    .await
}

/// The times of an account's other open shifts.
pub async fn my_shift_times(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    except_need: i64,
) -> sqlx::Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT n.starts_at, n.ends_at FROM shift_signups s JOIN needs n ON n.shard_cell = s.shard_cell AND n.id = s.need_id \
         WHERE s.account_id = $1 AND n.id <> $2 AND n.status = 'open'",
    )
    .bind(account_id)
    .bind(except_need)
    .fetch_all(exec)
    .await
}

pub async fn insert_signup(
    exec: impl PgExecutor<'_>,
    need_id: i64,
    account_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO shift_signups (shard_cell, need_id, account_id) \
         SELECT shard_cell, id, $2 FROM needs WHERE id = $1",
    )
    .bind(need_id)
    .bind(account_id)
    .execute(exec)
    .await
    .map(|_| ())
}

pub async fn delete_signup(
    exec: impl PgExecutor<'_>,
    need_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query("DELETE FROM shift_signups WHERE need_id = $1 AND account_id = $2")
        .bind(need_id)
        .bind(account_id)
        .execute(exec)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Who signed up for a shift, for its organizers.
pub async fn signups_of_need(
    exec: impl PgExecutor<'_>,
    need_id: i64,
) -> sqlx::Result<Vec<(i64, String, Option<String>, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT a.id, a.display_name, a.phone, s.created_at FROM shift_signups s \
         JOIN accounts a ON a.id = s.account_id WHERE s.need_id = $1 ORDER BY s.created_at",
    )
    .bind(need_id)
    .fetch_all(exec)
    .await
}

pub async fn my_shifts(exec: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Vec<NeedRow>> {
    let sql = format!(
        "SELECT {NEED_COLUMNS} FROM shift_signups s JOIN needs n ON n.shard_cell = s.shard_cell AND n.id = s.need_id \
         JOIN places p ON p.shard_cell = n.shard_cell AND p.id = n.place_id WHERE s.account_id = $1 ORDER BY n.starts_at, n.id"
    );
    sqlx::query_as(&sql).bind(account_id).fetch_all(exec).await
}

/// An account's role, to check who may be made an organizer.
pub async fn account_role(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT role FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(exec)
        .await
}
