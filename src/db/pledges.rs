//! Pledges of supplies to kitchens' needs.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use super::kitchens::{NeedRow, NEED_COLUMNS};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PledgeRow {
    pub id: i64,
    pub need_id: i64,
    pub account_id: i64,
    pub display_name: String,
    pub quantity: f64,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

const PLEDGE_COLUMNS: &str =
    "pl.id, pl.need_id, pl.account_id, a.display_name, pl.quantity, pl.status, pl.created_at";

pub async fn insert_pledge(
    exec: impl PgExecutor<'_>,
    need_id: i64,
    account_id: i64,
    quantity: f64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO pledges (shard_cell, need_id, account_id, quantity) \
         SELECT shard_cell, id, $2, $3 FROM needs WHERE id = $1 RETURNING id",
    )
    .bind(need_id)
    .bind(account_id)
    .bind(quantity)
    .fetch_one(exec)
    .await
}

pub async fn pledge(exec: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<PledgeRow>> {
    let sql = format!("SELECT {PLEDGE_COLUMNS} FROM pledges pl JOIN accounts a ON a.id = pl.account_id WHERE pl.id = $1");
    sqlx::query_as(&sql).bind(id).fetch_optional(exec).await
}

/// Moves a pledge from one status to another; false when it was not in `from`.
pub async fn set_pledge_status(
    exec: impl PgExecutor<'_>,
    id: i64,
    from: &str,
    to: &str,
) -> sqlx::Result<bool> {
    sqlx::query("UPDATE pledges SET status = $3, updated_at = now() WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(from)
        .bind(to)
        .execute(exec)
        .await
        .map(|r| r.rows_affected() == 1)
}

pub async fn pledges_of_need(
    exec: impl PgExecutor<'_>,
    need_id: i64,
) -> sqlx::Result<Vec<PledgeRow>> {
    let sql = format!(
        "SELECT {PLEDGE_COLUMNS} FROM pledges pl JOIN accounts a ON a.id = pl.account_id \
         WHERE pl.need_id = $1 ORDER BY pl.created_at, pl.id"
    );
    sqlx::query_as(&sql).bind(need_id).fetch_all(exec).await
}

/// My pledges, newest first, each with its need (two queries, not one per pledge).
pub async fn my_pledges(pool: &PgPool, account_id: i64) -> sqlx::Result<Vec<(PledgeRow, NeedRow)>> {
    let sql = format!(
        "SELECT {PLEDGE_COLUMNS} FROM pledges pl JOIN accounts a ON a.id = pl.account_id \
         WHERE pl.account_id = $1 ORDER BY pl.created_at DESC, pl.id"
    );
    let pledges: Vec<PledgeRow> = sqlx::query_as(&sql)
        .bind(account_id)
        .fetch_all(pool)
        .await?;
    let ids: Vec<i64> = pledges.iter().map(|p| p.need_id).collect();
    let sql = format!("SELECT {NEED_COLUMNS} FROM needs n JOIN places p ON p.shard_cell = n.shard_cell AND p.id = n.place_id WHERE n.id = ANY($1)");
    let needs: Vec<NeedRow> = sqlx::query_as(&sql).bind(&ids).fetch_all(pool).await?;
    Ok(pledges
        .into_iter()
        .filter_map(|p| {
            let n = needs.iter().find(|n| n.id == p.need_id)?.clone();
            Some((p, n))
        })
        .collect())
}
