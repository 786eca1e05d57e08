//! One-time password reset links (only their token digests).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

/// A reset link as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResetRow {
    pub account_id: i64,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// Stores a new link for `account_id`, issued by `by`, and voids the account's unused ones.
pub async fn insert_reset(
    exec: impl PgExecutor<'_>,
    token_hash: &str,
    account_id: i64,
    by: i64,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH voided AS (UPDATE password_resets SET used_at = now() \
                         WHERE account_id = $2 AND used_at IS NULL) \
         INSERT INTO password_resets (token_hash, account_id, created_by, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(by)
    .bind(expires_at)
    .execute(exec)
    .await
    .map(|_| ())
}

/// The link with this digest, locked until the transaction ends.
pub async fn lock_reset(
    exec: impl PgExecutor<'_>,
    token_hash: &str,
) -> sqlx::Result<Option<ResetRow>> {
    sqlx::query_as(
        "SELECT account_id, expires_at, used_at FROM password_resets \
         WHERE token_hash = $1 FOR UPDATE",
    )
    .bind(token_hash)
    .fetch_optional(exec)
    .await
}

/// The link with this digest, unlocked (to read whose it is before the slow hashing).
pub async fn reset(exec: impl PgExecutor<'_>, token_hash: &str) -> sqlx::Result<Option<ResetRow>> {
    sqlx::query_as(
        "SELECT account_id, expires_at, used_at FROM password_resets WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(exec)
    .await
}

pub async fn mark_used(exec: impl PgExecutor<'_>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE password_resets SET used_at = now() WHERE token_hash = $1")
        .bind(token_hash)
        .execute(exec)
        .await
        .map(|_| ())
}
