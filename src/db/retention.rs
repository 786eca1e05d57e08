//! Retention: erasing what help requests and audit rows must not keep, and clearing the
//! erased bytes out of the tables.

use sqlx::PgExecutor;

use crate::domain::requests::Status;

/// Erases every personal trace of requests that ended more than `retention_days` ago: the
/// exact location, the res-9 cell, address detail, contact (name, phone, email), description, the manage token's
/// hash and the link to the account that posted it. The category, status, urgency, the res-7
/// `area_cell` and the dates, to the day, stay for statistics. Returns how many.
pub async fn purge(exec: impl PgExecutor<'_>, retention_days: i64) -> sqlx::Result<u64> {
    let closed: Vec<&str> = [
        Status::Done,
        Status::Cancelled,
        Status::Expired,
        Status::Rejected,
    ]
    .into_iter()
    .filter(|s| s.is_closed())
    .map(Status::as_str)
    .collect();
    // Days are UTC days, cut with immutable functions: Citus refuses a stable one (the
    // session's time zone) applied to a column in an UPDATE.
    let done = sqlx::query(
        "WITH gone AS ( \
            UPDATE help_requests SET location = NULL, cell = NULL, address_detail = NULL, \
                contact_name = NULL, contact_phone = NULL, contact_email = NULL, description = NULL, \
                manage_token_hash = NULL, created_by = NULL, assignee = NULL, \
                assigned_at = NULL, on_behalf_of = false, \
                needed_by = date_trunc('day', needed_by AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', \
                created_at = date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', \
                closed_at = date_trunc('day', closed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', \
                purged_at = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', \
                updated_at = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' \
            WHERE status = ANY ($1) AND purged_at IS NULL \
              AND closed_at < now() - make_interval(days => $2::int) \
            RETURNING shard_cell, id) \
         INSERT INTO request_events (shard_cell, request_id, actor, action) \
         SELECT shard_cell, id, 'system', 'purged' FROM gone",
    )
    .bind(&closed)
    .bind(retention_days)
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}

/// Rewrites the table so the erased values do not linger in old row versions on disk. Must
/// run outside a transaction.
pub async fn vacuum(exec: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("VACUUM help_requests")
        .execute(exec)
        .await
        .map(|_| ())
}

/// Rewrites the request and audit tables (VACUUM FULL), leaving no erased bytes in free space.
pub async fn rewrite(pool: &sqlx::PgPool) -> sqlx::Result<()> {
    for table in ["help_requests", "request_events", "account_events"] {
        sqlx::query(&format!("VACUUM FULL {table}"))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Drops the account ids from request audit rows older than `days`. Returns how many.
pub async fn forget_request_event_accounts(
    exec: impl PgExecutor<'_>,
    days: i64,
) -> sqlx::Result<u64> {
    sqlx::query(
        "UPDATE request_events SET account_id = NULL \
         WHERE account_id IS NOT NULL AND created_at < now() - make_interval(days => $1::int)",
    )
    .bind(days)
    .execute(exec)
    .await
    .map(|r| r.rows_affected())
}

/// Drops the account ids from account audit rows older than `days`. Returns how many.
pub async fn forget_account_event_accounts(
    exec: impl PgExecutor<'_>,
    days: i64,
) -> sqlx::Result<u64> {
    sqlx::query(
        "UPDATE account_events SET account_id = NULL, actor_id = NULL \
         WHERE (account_id IS NOT NULL OR actor_id IS NOT NULL) \
           AND created_at < now() - make_interval(days => $1::int)",
    )
    .bind(days)
    .execute(exec)
    .await
    .map(|r| r.rows_affected())
}
