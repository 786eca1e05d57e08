//! Help requests: insert, read, conditional state changes, entries of the audit log, the open
//! requests in a set of cells, public cell counts, and the expiry and retention purge. Reads of
//! the past (the log, closed requests) are in `request_history`.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::citus;
use crate::domain::geo::LatLon;
use crate::domain::requests::{self, Action, Status};
use crate::domain::shards;

/// A request as stored. `lat`/`lon` are NULL once purged.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: Uuid,
    pub category: String,
    pub description: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Res-9 cell; NULL once purged.
    pub cell: Option<i64>,
    pub address_detail: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub on_behalf_of: bool,
    pub needed_by: Option<DateTime<Utc>>,
    pub urgency: String,
    pub status: String,
    pub assignee: Option<i64>,
    pub assignee_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub purged_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "r.id, r.category, r.description, ST_Y(r.location::geometry) AS lat, \
    ST_X(r.location::geometry) AS lon, r.cell, r.address_detail, r.contact_name, r.contact_phone, \
    r.on_behalf_of, r.needed_by, r.urgency, r.status, r.assignee, a.display_name AS assignee_name, \
    r.created_at, r.purged_at";
const FROM: &str = "help_requests r LEFT JOIN accounts a ON a.id = r.assignee";

pub struct NewRequest<'a> {
    pub category: &'static str,
    pub description: Option<&'a str>,
    pub location: LatLon,
    pub cell: i64,
    /// The res-7 cell kept after the purge.
    pub area_cell: i64,
    pub address_detail: Option<&'a str>,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub contact_email: Option<&'a str>,
    pub language: &'a str,
    pub on_behalf_of: bool,
    pub needed_by: Option<DateTime<Utc>>,
    pub urgency: &'static str,
    pub status: Status,
    pub manage_token_hash: &'a str,
    pub created_by: Option<i64>,
}

pub async fn insert(exec: impl PgExecutor<'_>, r: &NewRequest<'_>) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO help_requests (category, description, location, cell, address_detail, \
            contact_name, contact_phone, on_behalf_of, needed_by, urgency, status, \
            manage_token_hash, created_by, area_cell, shard_cell, contact_email, \
            contact_language) \
         VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, $5, $6, $7, $8, $9, \
            $10, $11, $12, $13, $14, $15, antes_shard_cell($15), $16, $17) RETURNING id",
    )
    .bind(r.category)
    .bind(r.description)
    .bind(r.location.lon)
    .bind(r.location.lat)
    .bind(r.cell)
    .bind(r.address_detail)
    .bind(r.contact_name)
    .bind(r.contact_phone)
    .bind(r.on_behalf_of)
    .bind(r.needed_by)
    .bind(r.urgency)
    .bind(r.status.as_str())
    .bind(r.manage_token_hash)
    .bind(r.created_by)
    .bind(r.area_cell)
    .bind(r.contact_email)
    .bind(r.language)
    .fetch_one(exec)
    .await
}

pub async fn by_id(exec: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<RequestRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// Whether `token_hash` is the request's manage token hash (compared in SQL).
pub async fn token_matches(
    exec: impl PgExecutor<'_>,
    id: Uuid,
    token_hash: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM help_requests WHERE id = $1 AND manage_token_hash = $2)",
    )
    .bind(id)
    .bind(token_hash)
    .fetch_one(exec)
    .await
}

/// Moves a request from `from` (held by `assignee`) to `to` if nothing changed since it was
/// read; false when another change won, e.g. a release and a new claim by someone else.
/// Leaving `assigned` clears the assignee; reaching a final state starts the retention clock.
pub async fn change_status(
    exec: impl PgExecutor<'_>,
    id: Uuid,
    from: Status,
    assignee: Option<i64>,
    to: Status,
) -> sqlx::Result<bool> {
    debug_assert!(to != Status::Assigned, "claims go through `claim`");
    let done = sqlx::query(
        "UPDATE help_requests SET status = $3, assignee = NULL, assigned_at = NULL, \
            closed_at = $4, updated_at = now() \
         WHERE id = $1 AND status = $2 AND assignee IS NOT DISTINCT FROM $5",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    // Bound rather than `CASE WHEN .. THEN now()`, which Citus refuses.
    .bind(to.is_closed().then(Utc::now))
    .bind(assignee)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What the lifecycle reads of a request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LifecycleRow {
    pub status: String,
    pub category: String,
    pub cell: Option<i64>,
    pub assignee: Option<i64>,
}

pub async fn lifecycle(exec: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<LifecycleRow>> {
    sqlx::query_as("SELECT status, category, cell, assignee FROM help_requests WHERE id = $1")
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// How many requests a volunteer holds now.
pub async fn count_assigned_to(exec: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM help_requests WHERE assignee = $1 AND status = 'assigned'",
    )
    .bind(account_id)
    .fetch_one(exec)
    .await
}

/// Assigns an open request; false when it is no longer open (another claim won). The update
/// is conditional, so of parallel claims exactly one changes the row.
pub async fn assign(exec: impl PgExecutor<'_>, id: Uuid, account_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE help_requests SET status = 'assigned', assignee = $1, assigned_at = now(), \
            updated_at = now() WHERE id = $2 AND status = 'open'",
    )
    .bind(account_id)
    .bind(id)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When an account did `action` (e.g. `claimed`, `released`) to any request since `since`.
pub async fn actions_since(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    action: Action,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT created_at FROM request_events \
         WHERE account_id = $1 AND action = $2 AND created_at > $3",
    )
    .bind(account_id)
    .bind(action.event())
    .bind(since)
    .fetch_all(exec)
    .await
}

/// Opens again every request an account holds, logging each as released by `by`. Returns them.
pub async fn release_all_of(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    by: i64,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "WITH freed AS ( \
            UPDATE help_requests SET status = 'open', assignee = NULL, assigned_at = NULL, \
                updated_at = now() \
            WHERE assignee = $1 AND status = 'assigned' RETURNING shard_cell, id) \
         INSERT INTO request_events (shard_cell, request_id, account_id, actor, action) \
         SELECT shard_cell, id, $2, 'account', 'released' FROM freed RETURNING request_id",
    )
    .bind(account_id)
    .bind(by)
    .fetch_all(exec)
    .await
}

/// An open request in some cells, for the task list; the domain decides what is shown.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenRequestRow {
    pub id: Uuid,
    pub category: String,
    pub urgency: String,
    pub needed_by: Option<DateTime<Utc>>,
    pub cell: i64,
}

/// Open requests of the given categories whose stored cell lies in one of `ranges` (disjoint):
/// all of them, with no order and no limit, so nothing here depends on an exact point.
pub async fn open_in_cells(
    exec: impl PgExecutor<'_>,
    ranges: &[(i64, i64)],
    categories: &[String],
) -> sqlx::Result<Vec<OpenRequestRow>> {
    let (lo, hi): (Vec<i64>, Vec<i64>) = ranges.iter().copied().unzip();
    // One index range scan per cell range. `OFFSET 0` keeps the subquery a per-range scan:
    // planned with the actual arrays, PostgreSQL would otherwise misjudge the range join and
    // read the whole table (90 ms instead of 1 at national scale). Citus cannot push that
    // down; there the shard cells route it, and each shard plans with the values.
    let (fence, shards) = in_shards(4, ranges);
    let sql = format!(
        "SELECT r.id, r.category, r.urgency, r.needed_by, r.cell \
         FROM unnest($1::bigint[], $2::bigint[]) AS c(lo, hi) \
         CROSS JOIN LATERAL ( \
            SELECT o.id, o.category, o.urgency, o.needed_by, o.cell FROM help_requests o \
            WHERE o.cell BETWEEN c.lo AND c.hi AND o.status = 'open' \
              AND o.category = ANY ($3) {fence}) r"
    );
    let query = sqlx::query_as(&sql).bind(&lo).bind(&hi).bind(categories);
    match shards {
        Some(shards) => query.bind(shards).fetch_all(exec).await,
        None => query.fetch_all(exec).await,
    }
}

pub async fn add_event(
    exec: impl PgExecutor<'_>,
    request_id: Uuid,
    account_id: Option<i64>,
    actor: &str,
    action: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO request_events (shard_cell, request_id, account_id, actor, action) \
         SELECT shard_cell, id, $2, $3, $4 FROM help_requests WHERE id = $1",
    )
    .bind(request_id)
    .bind(account_id)
    .bind(actor)
    .bind(action)
    .execute(exec)
    .await
    .map(|_| ())
}

/// Requests in one state that still have their details (not purged), oldest first.
pub async fn by_status(
    exec: impl PgExecutor<'_>,
    status: Status,
    limit: i64,
) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.status = $1 AND r.purged_at IS NULL \
         ORDER BY r.created_at, r.id LIMIT $2"
    ))
    .bind(status.as_str())
    .bind(limit)
    .fetch_all(exec)
    .await
}

/// Requests currently assigned to a volunteer.
pub async fn assigned_to(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Vec<RequestRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE r.assignee = $1 AND r.status = 'assigned' ORDER BY r.assigned_at, r.id"
    ))
    .bind(account_id)
    .fetch_all(exec)
    .await
}

/// For a per-range lateral scan of `help_requests` (alias `o`): the fence that keeps it one,
/// or, on Citus, the filter by the shard cells the ranges lie in (parameter `$n`), so that
/// Citus routes the query to those shards (a lateral subquery there may not have OFFSET).
/// Ranges too wide to name their shard cells get no filter, and every shard is read.
fn in_shards(n: usize, ranges: &[(i64, i64)]) -> (String, Option<Vec<i64>>) {
    if !citus::on_citus() {
        return ("OFFSET 0".to_string(), None);
    }
    match shards::shard_cells_to_name(ranges) {
        Some(shards) => (format!("AND o.shard_cell = ANY(${n})"), Some(shards)),
        None => (String::new(), None),
    }
}

/// The stored (res-9) cells of open requests in the given cell ranges, one per request.
pub async fn open_cells_in(
    exec: impl PgExecutor<'_>,
    ranges: &[(i64, i64)],
) -> sqlx::Result<Vec<i64>> {
    let (lo, hi): (Vec<i64>, Vec<i64>) = ranges.iter().copied().unzip();
    // As in `open_in_cells`: one index scan per range, whatever the planner guesses.
    let (fence, shards) = in_shards(3, ranges);
    let sql = format!(
        "SELECT r.cell FROM unnest($1::bigint[], $2::bigint[]) AS c(lo, hi) \
         CROSS JOIN LATERAL ( \
            SELECT o.cell FROM help_requests o \
            WHERE o.cell BETWEEN c.lo AND c.hi AND o.status = 'open' {fence}) r"
    );
    let query = sqlx::query_scalar(&sql).bind(&lo).bind(&hi);
    match shards {
        Some(shards) => query.bind(shards).fetch_all(exec).await,
        None => query.fetch_all(exec).await,
    }
}

/// Expires pending and open requests past `needed_by` or older than `max_age_hours`, logging
/// each and, with `mail`, queuing the mail of each requester who left an address. Returns how
/// many expired.
pub async fn expire(
    exec: impl PgExecutor<'_>,
    max_age_hours: i64,
    mail: bool,
) -> sqlx::Result<u64> {
    // Waiting requests expire at their deadline or at the maximum age. Assigned ones get that
    // age again as grace after their deadline (or after the claim, without one), so a volunteer
    // who is late can still finish, but an abandoned task still ends and is later purged.
    debug_assert!(requests::transition(Status::Assigned, Action::Expire).is_ok());
    let done = sqlx::query(
        "WITH gone AS ( \
            UPDATE help_requests SET status = 'expired', assignee = NULL, assigned_at = NULL, \
                closed_at = now(), updated_at = now() \
            WHERE (status IN ('pending_review', 'open') \
                   AND (needed_by < now() OR created_at < now() - make_interval(hours => $1::int))) \
               OR (status = 'assigned' \
                   AND COALESCE(needed_by, assigned_at) < now() - make_interval(hours => $1::int)) \
            RETURNING shard_cell, id, category, contact_email IS NOT NULL AS mail), \
         mails AS ( \
            INSERT INTO notifications (dedupe_key, channel, kind, request_id, facts) \
            SELECT 'request:' || id || ':status:expired', 'email', 'request_status', id, \
                jsonb_build_object('category', category, 'status', 'expired', 'link', '/') \
            FROM gone WHERE mail AND $2 ON CONFLICT (dedupe_key) DO NOTHING) \
         INSERT INTO request_events (shard_cell, request_id, actor, action) \
         SELECT shard_cell, id, 'system', 'expired' FROM gone",
    )
    .bind(max_age_hours)
    .bind(mail)
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}
