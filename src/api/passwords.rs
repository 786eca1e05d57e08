//! Passwords: changing one's own, a coordinator's one-time reset link, and using that link.
//! Every change ends the account's other sessions; every step is in the account's audit log.

use chrono::{DateTime, Utc};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::body::{body, JsonBody};
use super::guards::{CurrentAccount, SameOrigin};
use super::limits::{Action as Limited, Limits};
use crate::db;
use crate::domain::{accounts, passwords};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::operations::password_reset::{
    change_password, issue_link, unknown_link, use_reset_link,
};
use crate::secrets;

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    #[schema(max_length = 256)]
    pub current_password: String,
    /// 8 to 256 characters, not a common password, and hard to guess (zxcvbn score 3 or more).
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// Changes the signed-in account's password and ends its other sessions.
#[utoipa::path(post, path = "/api/me/password", tag = "accounts", security(("session" = [])), request_body = PasswordChange,
    responses((status = 204, description = "changed"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "wrong_password"),
        (status = 422, body = ErrorBody, description = "invalid_password, weak_password"),
        (status = 429, body = ErrorBody, description = "rate_limited")))]
#[post("/api/me/password", data = "<input>")]
pub async fn change_own(
    pool: &State<PgPool>,
    limits: Limits<'_>,
    account: CurrentAccount,
    input: JsonBody<'_, PasswordChange>,
) -> ApiResult<Status> {
    limits.spend(Limited::Password, Some(account.id)).await?;
    let input = body(input)?;
    let hash = db::accounts::password_hash(&**pool, account.id).await?;
    if !secrets::verify_password_blocking(input.current_password, hash).await {
        return Err(ApiError::new(
            ErrorCode::WrongPassword,
            "the current password is not right",
        ));
    }
    passwords::check_new(
        &input.new_password,
        &[&account.email, &account.display_name],
    )?;
    let new_hash = secrets::hash_password_blocking(input.new_password).await?;
    let mut tx = pool.begin().await?;
    change_password(&mut tx, account.id, &new_hash, &account.session).await?;
    tx.commit().await?;
    Ok(Status::NoContent)
}

#[derive(Serialize, ToSchema)]
pub struct ResetLink {
    /// The link to give the account's owner in person or by phone. The token is in the
    /// fragment, which browsers never send to a server.
    #[schema(example = "/?reset#token=3f9a…")]
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

/// Issues a one-time password reset link for an account, valid for 24 hours (coordinators
/// only). Earlier unused links of the account stop working.
#[utoipa::path(post, path = "/api/accounts/{id}/password-reset", tag = "accounts", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = ResetLink), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "coordinators_only"), (status = 404, body = ErrorBody)))]
#[post("/api/accounts/<id>/password-reset")]
pub async fn issue_reset_link(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<(Status, Json<ResetLink>)> {
    account.require_coordinator()?;
    let token = secrets::new_token();
    let expires_at = Utc::now() + passwords::reset_link_lifetime();
    let mut tx = pool.begin().await?;
    issue_link(
        &mut tx,
        id,
        account.id,
        &secrets::token_hash(&token),
        expires_at,
    )
    .await?;
    tx.commit().await?;
    let link = format!("/?reset#token={token}");
    Ok((Status::Created, Json(ResetLink { link, expires_at })))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    /// The token from the reset link.
    #[schema(max_length = 128)]
    pub token: String,
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// Sets a new password with a reset link. The link works once; every session of the account
/// ends, and its owner signs in with the new password.
#[utoipa::path(post, path = "/api/auth/password-reset", tag = "accounts", request_body = PasswordReset,
    responses((status = 204, description = "changed"),
        (status = 403, body = ErrorBody, description = "cross_origin"),
        (status = 404, body = ErrorBody, description = "reset_link_invalid: used, expired or unknown"),
        (status = 422, body = ErrorBody, description = "invalid_password, weak_password"),
        (status = 429, body = ErrorBody, description = "rate_limited")))]
#[post("/api/auth/password-reset", data = "<input>")]
pub async fn use_reset(
    _site: SameOrigin,
    pool: &State<PgPool>,
    limits: Limits<'_>,
    input: JsonBody<'_, PasswordReset>,
) -> ApiResult<Status> {
    limits.spend(Limited::Password, None).await?;
    let input = body(input)?;
    accounts::password(&input.new_password)?;
    let token_hash = secrets::token_hash(input.token.trim());
    // Whose link it is, before the slow hashing; the transaction checks it again under lock.
    let link = db::passwords::reset(&**pool, &token_hash)
        .await?
        .ok_or_else(unknown_link)?;
    passwords::reset_usable(link.expires_at, link.used_at, Utc::now())?;
    let owner = db::accounts::by_id(&**pool, link.account_id)
        .await?
        .ok_or_else(unknown_link)?;
    passwords::check_new(&input.new_password, &[&owner.email, &owner.display_name])?;
    let new_hash = secrets::hash_password_blocking(input.new_password).await?;
    let mut tx = pool.begin().await?;
    use_reset_link(&mut tx, &token_hash, &new_hash, Utc::now()).await?;
    tx.commit().await?;
    Ok(Status::NoContent)
}
