//! The shared rate-limit state: one theoretical arrival time per key.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Locks the keys' rows (in key order, so concurrent callers cannot deadlock) and returns
/// each key's stored TAT (in `keys` order; the epoch for a new key) and the database's clock,
/// which every instance shares. New keys get a row first, so that concurrent first hits
/// queue on its lock instead of each seeing no row.
pub async fn lock(
    conn: &mut PgConnection,
    keys: &[String],
) -> sqlx::Result<(Vec<Option<DateTime<Utc>>>, DateTime<Utc>)> {
    let mut sorted = keys.to_vec();
    sorted.sort();
    sqlx::query(
        "INSERT INTO rate_limits (key, tat) SELECT unnest($1::text[]), 'epoch'
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(&sorted)
    .execute(&mut *conn)
    .await?;
    let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT key, tat FROM rate_limits WHERE key = ANY($1) ORDER BY key FOR UPDATE",
    )
    .bind(keys)
    .fetch_all(&mut *conn)
    .await?;
    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *conn)
        .await?;
    let tats = keys
        .iter()
        .map(|k| rows.iter().find(|(key, _)| key == k).map(|(_, tat)| *tat))
        .collect();
    Ok((tats, now))
}

/// Stores the keys' new TATs.
pub async fn store(
    conn: &mut PgConnection,
    keys: &[String],
    tats: &[DateTime<Utc>],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO rate_limits (key, tat) SELECT * FROM unnest($1::text[], $2::timestamptz[])
         ON CONFLICT (key) DO UPDATE SET tat = excluded.tat",
    )
    .bind(keys)
    .bind(tats)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Forgets keys whose TAT has passed: they are back to a full burst anyway.
pub async fn forget_idle(exec: impl sqlx::PgExecutor<'_>) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM rate_limits WHERE tat < now()")
        .execute(exec)
        .await
        .map(|r| r.rows_affected())
}
