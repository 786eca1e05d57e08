//! Idempotency keys: claiming one inside the write's transaction, reading one used before,
//! storing the answer, and forgetting expired ones.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use crate::domain::idempotency::{Sealed, Used};

/// Claims `lookup` for this write, unless a row created at or after `expired_before` holds it.
/// A row still being written by another transaction makes this wait for that one to end, so
/// two sends of one key never both proceed. True when claimed.
pub async fn claim(
    conn: &mut PgConnection,
    lookup: &[u8],
    fingerprint: &[u8],
    expired_before: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let claimed: Option<i32> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (lookup, fingerprint) VALUES ($1, $2)
         ON CONFLICT (lookup) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, status = NULL, nonce = NULL, answer = NULL,
                created_at = now()
          WHERE idempotency_keys.created_at < $3
         RETURNING 1",
    )
    .bind(lookup)
    .bind(fingerprint)
    .bind(expired_before)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(claimed.is_some())
}

#[derive(sqlx::FromRow)]
struct UsedRow {
    fingerprint: Vec<u8>,
    status: Option<i16>,
    nonce: Option<Vec<u8>>,
    answer: Option<Vec<u8>>,
}

pub async fn used(conn: &mut PgConnection, lookup: &[u8]) -> sqlx::Result<Option<Used>> {
    let row: Option<UsedRow> = sqlx::query_as(
        "SELECT fingerprint, status, nonce, answer FROM idempotency_keys WHERE lookup = $1",
    )
    .bind(lookup)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| Used {
        fingerprint: r.fingerprint,
        status: r.status.map(|s| s as u16),
        answer: r
            .nonce
            .zip(r.answer)
            .map(|(nonce, body)| Sealed { nonce, body }),
    }))
}

pub async fn answer(
    conn: &mut PgConnection,
    lookup: &[u8],
    status: u16,
    sealed: &Sealed,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $2, nonce = $3, answer = $4 WHERE lookup = $1",
    )
    .bind(lookup)
    .bind(status as i16)
    .bind(&sealed.nonce)
    .bind(&sealed.body)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes the keys created before `expired_before`; returns how many.
pub async fn forget(exec: impl PgExecutor<'_>, expired_before: DateTime<Utc>) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(expired_before)
            .execute(exec)
            .await?
            .rows_affected(),
    )
}
