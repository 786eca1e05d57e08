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
    pub suspended: bool,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "a.id, a.email, a.display_name, a.phone, a.role, a.verified, \
    a.suspended_at IS NOT NULL AS suspended, a.created_at";

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

/// Grants or takes back verification; `by` is the coordinator. Returns the account.
pub async fn set_verified(
    exec: impl PgExecutor<'_>,
    id: i64,
    verified: bool,
    by: i64,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "UPDATE accounts a SET verified = $2, \
                verified_at = CASE WHEN $2 THEN COALESCE(a.verified_at, $4) END, \
                verified_by = CASE WHEN $2 THEN COALESCE(a.verified_by, $3) END \
         WHERE a.id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(verified)
    .bind(by)
    // The time is bound, not now(): Citus refuses non-immutable functions in CASE.
    .bind(Utc::now())
    .fetch_optional(exec)
    .await
}

/// Suspends an account or lifts the suspension; `by` is the coordinator. Returns the account.
pub async fn set_suspended(
    exec: impl PgExecutor<'_>,
    id: i64,
    suspended: bool,
    by: i64,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "UPDATE accounts a SET suspended_at = CASE WHEN $2 THEN COALESCE(a.suspended_at, $4) END, \
                suspended_by = CASE WHEN $2 THEN $3 END \
         WHERE a.id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(suspended)
    .bind(by)
    .bind(Utc::now())
    .fetch_optional(exec)
    .await
}

/// Ends every session of an account. Returns how many.
pub async fn delete_sessions_of(exec: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(exec)
        .await
        .map(|r| r.rows_affected())
}

/// Writes an account audit event: `actor_id` did `action` to `account_id` (NULL actor: the system).
pub async fn add_event(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    actor_id: Option<i64>,
    action: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO account_events (account_id, actor_id, action) VALUES ($1, $2, $3)")
        .bind(account_id)
        .bind(actor_id)
        .bind(action)
        .execute(exec)
        .await
        .map(|_| ())
}

/// An account audit event, with the names of the account and the actor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountEventRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub display_name: Option<String>,
    pub actor_id: Option<i64>,
    pub action: String,
    pub created_at: DateTime<Utc>,
}

const EVENTS: &str =
    "SELECT e.id, e.account_id, a.display_name, e.actor_id, e.action, e.created_at \
    FROM account_events e LEFT JOIN accounts a ON a.id = e.account_id";

/// One account's audit log, newest first.
pub async fn events_of(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<AccountEventRow>> {
    sqlx::query_as(&format!(
        "{EVENTS} WHERE e.account_id = $1 ORDER BY e.id DESC OFFSET $2 LIMIT $3"
    ))
    .bind(account_id)
    .bind(offset)
    .bind(limit)
    .fetch_all(exec)
    .await
}

/// Alerts for coordinators (events named `alert_*`) since `since`, newest first.
pub async fn alerts_since(
    exec: impl PgExecutor<'_>,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<AccountEventRow>> {
    sqlx::query_as(&format!(
        "{EVENTS} WHERE e.action LIKE 'alert\\_%' AND e.created_at > $1 ORDER BY e.id DESC LIMIT $2"
    ))
    .bind(since)
    .bind(limit)
    .fetch_all(exec)
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

/// The account behind a live session: not past `expires_at`, used within `idle_days`, and
/// not suspended. The same statement records the use, at most once a minute, so reads do not
/// each write.
pub async fn by_session(
    exec: impl PgExecutor<'_>,
    token_hash: &str,
    idle_days: i64,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "WITH live AS ( \
             SELECT token_hash, account_id, last_seen_at FROM sessions \
             WHERE token_hash = $1 AND expires_at > now() \
               AND last_seen_at > now() - make_interval(days => $2::int)), \
         touched AS ( \
             UPDATE sessions SET last_seen_at = now() \
             WHERE token_hash IN (SELECT token_hash FROM live \
                                  WHERE last_seen_at < now() - interval '1 minute')) \
         SELECT {COLUMNS} FROM live s JOIN accounts a ON a.id = s.account_id \
         WHERE a.suspended_at IS NULL"
    ))
    .bind(token_hash)
    .bind(idle_days)
    .fetch_optional(exec)
    .await
}

/// Ends every session of an account but one (the one that asked, after a password change).
pub async fn delete_other_sessions(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    keep_token_hash: &str,
) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
        .bind(account_id)
        .bind(keep_token_hash)
        .execute(exec)
        .await
        .map(|r| r.rows_affected())
}

/// Replaces an account's password hash.
pub async fn set_password(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
        .bind(account_id)
        .bind(password_hash)
        .execute(exec)
        .await
        .map(|_| ())
}

/// The password hash of an account.
pub async fn password_hash(exec: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(exec)
        .await
}

pub async fn delete_session(exec: impl PgExecutor<'_>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(exec)
        .await
        .map(|_| ())
}

/// Deletes sessions past their end or idle longer than `idle_days`. Returns how many.
pub async fn delete_expired_sessions(
    exec: impl PgExecutor<'_>,
    idle_days: i64,
) -> sqlx::Result<u64> {
    sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= now() \
         OR last_seen_at < now() - make_interval(days => $1::int)",
    )
    .bind(idle_days)
    .execute(exec)
    .await
    .map(|r| r.rows_affected())
}
