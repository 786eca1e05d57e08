//! Each account's notification channels and quiet hours, its Web Push subscriptions, and the
//! kitchens it follows.

use sqlx::PgExecutor;

/// An account's choices, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SettingsRow {
    pub language: String,
    pub by_push: bool,
    pub by_email: bool,
    pub by_webhook: bool,
    pub webhook_to: Option<String>,
    pub quiet_from: Option<i16>,
    pub quiet_to: Option<i16>,
}

pub struct NewSettings<'a> {
    pub language: &'a str,
    pub by_push: bool,
    pub by_email: bool,
    pub by_webhook: bool,
    pub webhook_to: Option<&'a str>,
    pub quiet: Option<(i16, i16)>,
}

const SETTINGS_COLUMNS: &str = "s.language, s.by_push, s.by_email, s.by_webhook, s.webhook_to, \
    s.quiet_from, s.quiet_to";

pub async fn settings(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<SettingsRow>> {
    sqlx::query_as(&format!(
        "SELECT {SETTINGS_COLUMNS} FROM notification_settings s WHERE s.account_id = $1"
    ))
    .bind(account_id)
    .fetch_optional(exec)
    .await
}

/// How many browsers of the account are subscribed to Web Push.
pub async fn push_devices(exec: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM push_subscriptions WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(exec)
        .await
}

/// Writes an account's choices; `unsubscribe_token` is used only for a first row. Times come
/// from `EXCLUDED` (the column's default), not now(): on Citus, where the table joins its
/// metadata through its key to accounts, DO UPDATE may call immutable functions only.
pub async fn upsert(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    s: &NewSettings<'_>,
    unsubscribe_token: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_settings AS t (account_id, language, by_push, by_email, \
            by_webhook, webhook_to, quiet_from, quiet_to, unsubscribe_token) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (account_id) DO UPDATE SET language = EXCLUDED.language, \
            by_push = EXCLUDED.by_push, by_email = EXCLUDED.by_email, \
            by_webhook = EXCLUDED.by_webhook, webhook_to = EXCLUDED.webhook_to, \
            quiet_from = EXCLUDED.quiet_from, quiet_to = EXCLUDED.quiet_to, \
            updated_at = EXCLUDED.updated_at",
    )
    .bind(account_id)
    .bind(s.language)
    .bind(s.by_push)
    .bind(s.by_email)
    .bind(s.by_webhook)
    .bind(s.webhook_to)
    .bind(s.quiet.map(|q| q.0))
    .bind(s.quiet.map(|q| q.1))
    .bind(unsubscribe_token)
    .execute(exec)
    .await
    .map(|_| ())
}

/// Turns mail off for the holder of an unsubscribe link. Whether the link was known.
pub async fn unsubscribe(exec: impl PgExecutor<'_>, token: &str) -> sqlx::Result<bool> {
    sqlx::query(
        "UPDATE notification_settings SET by_email = false, updated_at = now() \
         WHERE unsubscribe_token = $1",
    )
    .bind(token)
    .execute(exec)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// Stores a browser's push subscription for an account; a browser that subscribes again, or
/// for another account, replaces its row.
pub async fn add_push_subscription(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (endpoint) DO UPDATE SET account_id = EXCLUDED.account_id, \
            p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, created_at = EXCLUDED.created_at",
    )
    .bind(account_id)
    .bind(endpoint)
    .bind(p256dh)
    .bind(auth)
    .execute(exec)
    .await
    .map(|_| ())
}

/// Whether a subscription of this account was removed.
pub async fn remove_push_subscription(
    exec: impl PgExecutor<'_>,
    account_id: i64,
    endpoint: &str,
) -> sqlx::Result<bool> {
    sqlx::query("DELETE FROM push_subscriptions WHERE account_id = $1 AND endpoint = $2")
        .bind(account_id)
        .bind(endpoint)
        .execute(exec)
        .await
        .map(|r| r.rows_affected() == 1)
}

/// Forgets a subscription the push service says is gone.
pub async fn forget_push_endpoint(exec: impl PgExecutor<'_>, endpoint: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
        .bind(endpoint)
        .execute(exec)
        .await
        .map(|_| ())
}

/// Endpoint, p256dh and auth of each of an account's browsers.
pub async fn push_subscriptions(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Vec<(String, String, String)>> {
    sqlx::query_as(
        "SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = $1 ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(exec)
    .await
}

/// Whether the account now follows the kitchen (false: it already did).
pub async fn follow(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query(
        "INSERT INTO kitchen_followers (place_id, account_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(place_id)
    .bind(account_id)
    .execute(exec)
    .await
    .map(|r| r.rows_affected() == 1)
}

pub async fn unfollow(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    account_id: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM kitchen_followers WHERE place_id = $1 AND account_id = $2")
        .bind(place_id)
        .bind(account_id)
        .execute(exec)
        .await
        .map(|_| ())
}

pub async fn follows(
    exec: impl PgExecutor<'_>,
    place_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM kitchen_followers WHERE place_id = $1 AND account_id = $2)",
    )
    .bind(place_id)
    .bind(account_id)
    .fetch_one(exec)
    .await
}

/// Accounts following a kitchen, not suspended.
pub async fn followers(exec: impl PgExecutor<'_>, place_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT f.account_id FROM kitchen_followers f JOIN accounts a ON a.id = f.account_id \
         WHERE f.place_id = $1 AND a.suspended_at IS NULL ORDER BY f.account_id",
    )
    .bind(place_id)
    .fetch_all(exec)
    .await
}
