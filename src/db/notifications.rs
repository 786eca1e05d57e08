//! The notification outbox and the schedule of rounds. Rows are claimed with
//! `FOR UPDATE SKIP LOCKED`, so any number of instances share the work and none sends twice.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// How to reach one prospect: their choices and whether a browser of theirs is subscribed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReachRow {
    pub account_id: i64,
    pub by_push: bool,
    pub by_email: bool,
    pub by_webhook: bool,
    pub push_devices: i64,
    pub quiet_from: Option<i16>,
    pub quiet_to: Option<i16>,
    /// Notifications of requests and shifts in the window asked about.
    pub recent_notifications: i64,
}

/// The reach of the given accounts (those with settings), with their notifications since `since`.
pub async fn reach(
    exec: impl PgExecutor<'_>,
    account_ids: &[i64],
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<ReachRow>> {
    sqlx::query_as(
        "SELECT s.account_id, s.by_push, s.by_email, s.by_webhook, \
            (SELECT count(*) FROM push_subscriptions p WHERE p.account_id = s.account_id) \
                AS push_devices, s.quiet_from, s.quiet_to, \
            (SELECT count(*) FROM notifications n WHERE n.account_id = s.account_id \
                AND n.kind IN ('request', 'shift') AND n.created_at > $2) AS recent_notifications \
         FROM notification_settings s WHERE s.account_id = ANY ($1)",
    )
    .bind(account_ids)
    .bind(since)
    .fetch_all(exec)
    .await
}

/// Accounts already told about a request (`request_id`) or a shift (`need_id`).
pub async fn told(
    exec: impl PgExecutor<'_>,
    request_id: Option<Uuid>,
    need_id: Option<i64>,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT DISTINCT account_id FROM notifications \
         WHERE account_id IS NOT NULL AND kind IN ('request', 'shift') \
           AND (request_id = $1 OR need_id = $2)",
    )
    .bind(request_id)
    .bind(need_id)
    .fetch_all(exec)
    .await
}

/// One message to queue.
pub struct NewNotification<'a> {
    pub dedupe_key: &'a str,
    pub account_id: Option<i64>,
    pub channel: &'a str,
    pub kind: &'a str,
    pub request_id: Option<Uuid>,
    pub need_id: Option<i64>,
    pub round: Option<i16>,
    pub facts: serde_json::Value,
    pub not_before: DateTime<Utc>,
}

/// Queues a message; one with the same key is left as it is. Whether it was new.
pub async fn insert(exec: impl PgExecutor<'_>, n: &NewNotification<'_>) -> sqlx::Result<bool> {
    sqlx::query(
        "INSERT INTO notifications (dedupe_key, account_id, channel, kind, request_id, need_id, \
            round, facts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(n.dedupe_key)
    .bind(n.account_id)
    .bind(n.channel)
    .bind(n.kind)
    .bind(n.request_id)
    .bind(n.need_id)
    .bind(n.round)
    .bind(&n.facts)
    .bind(n.not_before)
    .execute(exec)
    .await
    .map(|r| r.rows_affected() == 1)
}

/// A queued message, as the sender reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub dedupe_key: String,
    pub account_id: Option<i64>,
    pub channel: String,
    pub kind: String,
    pub request_id: Option<Uuid>,
    pub facts: serde_json::Value,
    pub attempts: i32,
}

/// Locks up to `limit` messages due at `now`, skipping those another sender holds.
pub async fn lock_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<OutboxRow>> {
    sqlx::query_as(
        "SELECT id, dedupe_key, account_id, channel, kind, request_id, facts, attempts \
         FROM notifications WHERE status = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Where and how an account is reached when a message goes out.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecipientRow {
    pub email: String,
    pub language: String,
    pub by_push: bool,
    pub by_email: bool,
    pub by_webhook: bool,
    pub webhook_to: Option<String>,
    pub quiet_from: Option<i16>,
    pub quiet_to: Option<i16>,
    pub unsubscribe_token: String,
    pub suspended: bool,
}

pub async fn recipient(
    exec: impl PgExecutor<'_>,
    account_id: i64,
) -> sqlx::Result<Option<RecipientRow>> {
    sqlx::query_as(
        "SELECT a.email, s.language, s.by_push, s.by_email, s.by_webhook, s.webhook_to, \
            s.quiet_from, s.quiet_to, s.unsubscribe_token, a.suspended_at IS NOT NULL AS suspended \
         FROM accounts a JOIN notification_settings s ON s.account_id = a.id WHERE a.id = $1",
    )
    .bind(account_id)
    .fetch_optional(exec)
    .await
}

/// The requester's email and language, while the request keeps them (the purge erases them).
pub async fn requester(
    exec: impl PgExecutor<'_>,
    request_id: Uuid,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "SELECT contact_email, contact_language FROM help_requests \
         WHERE id = $1 AND contact_email IS NOT NULL",
    )
    .bind(request_id)
    .fetch_optional(exec)
    .await
}

pub async fn mark_sent(exec: impl PgExecutor<'_>, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = $2, \
            last_error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(exec)
    .await
    .map(|_| ())
}

/// A failed try: again at `retry_at`, or never (`None`), with the reason.
pub async fn mark_failed(
    exec: impl PgExecutor<'_>,
    id: i64,
    retry_at: Option<DateTime<Utc>>,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notifications SET attempts = attempts + 1, last_error = left($3, 500), \
            status = CASE WHEN $2::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, \
            next_attempt_at = COALESCE($2, next_attempt_at) WHERE id = $1",
    )
    .bind(id)
    .bind(retry_at)
    .bind(reason)
    .execute(exec)
    .await
    .map(|_| ())
}

/// Holds a message until `until` (the end of quiet hours), without counting a try.
pub async fn defer(exec: impl PgExecutor<'_>, id: i64, until: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("UPDATE notifications SET next_attempt_at = $2 WHERE id = $1")
        .bind(id)
        .bind(until)
        .execute(exec)
        .await
        .map(|_| ())
}

/// One line of a request's notification log, for coordinators.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LogRow {
    pub account_id: Option<i64>,
    pub display_name: Option<String>,
    pub channel: String,
    pub kind: String,
    pub round: Option<i16>,
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub async fn of_request(exec: impl PgExecutor<'_>, request_id: Uuid) -> sqlx::Result<Vec<LogRow>> {
    sqlx::query_as(
        "SELECT n.account_id, a.display_name, n.channel, n.kind, n.round, n.status, n.attempts, \
            n.created_at, n.sent_at, n.last_error \
         FROM notifications n LEFT JOIN accounts a ON a.id = n.account_id \
         WHERE n.request_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(request_id)
    .fetch_all(exec)
    .await
}

/// Accounts that took the request at some time (it may since be released, done or expired).
pub async fn claimers(exec: impl PgExecutor<'_>, request_id: Uuid) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT DISTINCT account_id FROM request_events \
         WHERE request_id = $1 AND action = 'claimed' AND account_id IS NOT NULL",
    )
    .bind(request_id)
    .fetch_all(exec)
    .await
}

/// Verified coordinators in good standing.
pub async fn coordinators(exec: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM accounts WHERE role = 'coordinator' AND verified \
           AND suspended_at IS NULL ORDER BY id",
    )
    .fetch_all(exec)
    .await
}

/// Drops messages that are done with and older than `days` (the retention period).
pub async fn forget_older_than(exec: impl PgExecutor<'_>, days: i64) -> sqlx::Result<u64> {
    sqlx::query(
        "DELETE FROM notifications WHERE status <> 'pending' \
           AND created_at < now() - make_interval(days => $1::int)",
    )
    .bind(days)
    .execute(exec)
    .await
    .map(|r| r.rows_affected())
}

/// A round waiting for its time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundRow {
    pub subject_kind: String,
    pub subject: String,
    pub round: i16,
}

/// Sets the next round of a subject (one per subject).
pub async fn schedule_round(
    exec: impl PgExecutor<'_>,
    subject_kind: &str,
    subject: &str,
    round: i16,
    due_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notification_rounds (subject_kind, subject, round, due_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (subject_kind, subject) \
         DO UPDATE SET round = EXCLUDED.round, due_at = EXCLUDED.due_at",
    )
    .bind(subject_kind)
    .bind(subject)
    .bind(round)
    .bind(due_at)
    .execute(exec)
    .await
    .map(|_| ())
}

pub async fn drop_round(
    exec: impl PgExecutor<'_>,
    subject_kind: &str,
    subject: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM notification_rounds WHERE subject_kind = $1 AND subject = $2")
        .bind(subject_kind)
        .bind(subject)
        .execute(exec)
        .await
        .map(|_| ())
}

/// Locks up to `limit` rounds due at `now`, skipping those another instance holds.
pub async fn lock_due_rounds(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<RoundRow>> {
    sqlx::query_as(
        "SELECT subject_kind, subject, round FROM notification_rounds WHERE due_at <= $1 \
         ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await
}
