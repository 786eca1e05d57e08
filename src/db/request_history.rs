//! The coordinator's reads of the past: a request's audit log, what one account did to
//! requests (its full views included), and closed requests until the retention purge.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub display_name: Option<String>,
    pub actor: String,
    pub action: String,
    pub created_at: DateTime<Utc>,
}

/// One request's audit log, oldest first, `limit` rows from `offset`.
pub async fn events(
    exec: impl PgExecutor<'_>,
    request_id: Uuid,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as(
        "SELECT e.id, e.account_id, a.display_name, e.actor, e.action, e.created_at \
         FROM request_events e LEFT JOIN accounts a ON a.id = e.account_id \
         WHERE e.request_id = $1 ORDER BY e.id OFFSET $2 LIMIT $3",
    )
    .bind(request_id)
    .bind(offset)
    .bind(limit)
    .fetch_all(exec)
    .await
}

/// An entry of the request log written by one account: what it did and what it saw.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRequestEventRow {
    pub id: i64,
    pub request_id: Uuid,
    pub category: String,
    pub action: String,
    pub created_at: DateTime<Utc>,
}

/// What one account did to requests, full views included, newest first.
pub async fn events_by_account(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<AccountRequestEventRow>> {
    sqlx::query_as(
        "SELECT e.id, e.request_id, r.category, e.action, e.created_at \
         FROM request_events e JOIN help_requests r ON r.shard_cell = e.shard_cell AND r.id = e.request_id \
         WHERE e.account_id = $1 ORDER BY e.id DESC OFFSET $2 LIMIT $3",
    )
    .bind(account_id)
    .bind(offset)
    .bind(limit)
    .fetch_all(exec)
    .await
}

/// A request in a final state, for the coordinator's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClosedRow {
    pub id: Uuid,
    pub category: String,
    pub urgency: String,
    pub status: String,
    pub cell: Option<i64>,
    pub on_behalf_of: bool,
    pub created_at: DateTime<Utc>,
    pub closed_at: DateTime<Utc>,
}

/// Closed requests not yet purged, newest closure first: in `statuses`, closed in
/// [`from`, `to`), `limit` rows from `offset`.
pub async fn closed(
    exec: impl PgExecutor<'_>,
    statuses: &[&str],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ClosedRow>> {
    sqlx::query_as(
        "SELECT id, category, urgency, status, cell, on_behalf_of, created_at, closed_at \
         FROM help_requests \
         WHERE closed_at IS NOT NULL AND purged_at IS NULL AND status = ANY($1) \
           AND ($2::timestamptz IS NULL OR closed_at >= $2) \
           AND ($3::timestamptz IS NULL OR closed_at < $3) \
         ORDER BY closed_at DESC, id DESC OFFSET $4 LIMIT $5",
    )
    .bind(statuses)
    .bind(from)
    .bind(to)
    .bind(offset)
    .bind(limit)
    .fetch_all(exec)
    .await
}
