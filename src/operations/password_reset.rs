//! Password changes that end sessions: a signed-in user's own change, and the issue and use
//! of a coordinator's one-time reset link. Each is audited.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::db;
use crate::domain::passwords::reset_usable;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Sets a new password hash for `account_id` and ends every session but `keep_session` (the
/// digest of the one that asked).
pub async fn change_password(
    conn: &mut PgConnection,
    account_id: i64,
    new_hash: &str,
    keep_session: &str,
) -> ApiResult<()> {
    db::accounts::set_password(&mut *conn, account_id, new_hash).await?;
    db::accounts::delete_other_sessions(&mut *conn, account_id, keep_session).await?;
    db::accounts::add_event(&mut *conn, account_id, Some(account_id), "password_changed").await?;
    Ok(())
}

/// Stores a reset link (its digest) for account `id`, issued by coordinator `by`, voiding the
/// account's earlier unused links, and audits it.
pub async fn issue_link(
    conn: &mut PgConnection,
    id: i64,
    by: i64,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> ApiResult<()> {
    db::accounts::by_id(&mut *conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no account with id {id}")))?;
    db::passwords::insert_reset(&mut *conn, token_hash, id, by, expires_at).await?;
    db::accounts::add_event(&mut *conn, id, Some(by), "password_reset_issued").await?;
    Ok(())
}

/// Uses the reset link with digest `token_hash` to set `new_hash`: at most once, within its
/// lifetime, and every session of the account ends. Returns the account id.
pub async fn use_reset_link(
    conn: &mut PgConnection,
    token_hash: &str,
    new_hash: &str,
    now: DateTime<Utc>,
) -> ApiResult<i64> {
    let link = db::passwords::lock_reset(&mut *conn, token_hash)
        .await?
        .ok_or_else(unknown_link)?;
    reset_usable(link.expires_at, link.used_at, now)?;
    db::accounts::set_password(&mut *conn, link.account_id, new_hash).await?;
    db::passwords::mark_used(&mut *conn, token_hash).await?;
    db::accounts::delete_sessions_of(&mut *conn, link.account_id).await?;
    db::accounts::add_event(&mut *conn, link.account_id, None, "password_reset_used").await?;
    Ok(link.account_id)
}

/// An unknown link answers like a used one, so links cannot be told apart by probing.
pub fn unknown_link() -> ApiError {
    ApiError::new(
        ErrorCode::ResetLinkInvalid,
        "this reset link was already used or has expired; ask a coordinator for a new one",
    )
}
