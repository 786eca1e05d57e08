//! Accounts and their server-side sessions.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: String,
    pub verified: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "a.id, a.email, a.display_name, a.phone, a.role, a.verified, a.created_at";

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub phone: Option<&'a str>,
    pub role: &'a str,
    pub verified: bool,
}

pub async fn insert(exec: impl PgExecutor<'_>, a: &NewAccount<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO accounts (email, password_hash, display_name, phone, role, verified, verified_at) \
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN now() END) RETURNING id",
    )
    .bind(a.email)
    .bind(a.password_hash)
    .bind(a.display_name)
    .bind(a.phone)
    .bind(a.role)
    .bind(a.verified)
    .fetch_one(exec)
    .await
}

/// Whether an insert failed because the email is already registered.
pub fn is_email_taken(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.constraint())
        .is_some_and(|c| c == "accounts_email_key")
}

/// The id and password hash for an email, to check a login.
pub async fn credentials(
    exec: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT id, password_hash FROM accounts WHERE lower(email) = lower($1)")
        .bind(email)
        .fetch_optional(exec)
        .await
}

pub async fn by_id(exec: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts a WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(exec)
        .await
}

/// All accounts, or only those waiting for verification, oldest first.
pub async fn list(
    exec: impl PgExecutor<'_>,
    unverified_only: bool,
    limit: i64,
) -> sqlx::Result<Vec<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts a WHERE NOT ($1 AND a.verified) ORDER BY a.created_at, a.id LIMIT $2"
    ))
    .bind(unverified_only)
    .bind(limit)
    .fetch_all(exec)
    .await
}

pub async fn verify(
    exec: impl PgExecutor<'_>,
    id: i64,
    by: i64,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "UPDATE accounts a SET verified = true, verified_at = COALESCE(a.verified_at, now()), \
                verified_by = COALESCE(a.verified_by, $2) \
         WHERE a.id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(by)
    .fetch_optional(exec)
    .await
}

pub async fn create_session(
    exec: impl PgExecutor<'_>,
    token_hash: &str,
    account_id: i64,
    ttl_days: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, expires_at) \
         VALUES ($1, $2, now() + make_interval(days => $3::int))",
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(ttl_days)
    .execute(exec)
    .await
    .map(|_| ())
}

/// The account behind a live session.
pub async fn by_session(
    exec: impl PgExecutor<'_>,
    token_hash: &str,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE s.token_hash = $1 AND s.expires_at > now()"
    ))
    .bind(token_hash)
    .fetch_optional(exec)
    .await
}

pub async fn delete_session(exec: impl PgExecutor<'_>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(exec)
        .await
        .map(|_| ())
}

/// Deletes expired sessions. Returns how many.
pub async fn delete_expired_sessions(exec: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(exec)
        .await
        .map(|r| r.rows_affected())
}
