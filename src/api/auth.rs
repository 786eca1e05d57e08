//! Accounts and sessions: register, log in and out, and who am I. The session guard lives in
//! [`super::guards`]; what coordinators do to accounts, in [`super::accounts`].

use crate::error_code::ErrorCode;

use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::body::{body, JsonBody};
use super::guards::{CurrentAccount, SameOrigin, SESSION_COOKIE};
use super::limits::{Action as Limited, Limits};
use super::profiles::ProfileView;
use crate::config::AppConfig;
use crate::db::accounts::{self as db_accounts, NewAccount};
use crate::db::volunteers as db_volunteers;
use crate::domain::accounts::{self, Role};
use crate::domain::passwords;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::secrets;

#[derive(Deserialize, ToSchema)]
pub struct RegisterBody {
    #[schema(example = "ana@example.org")]
    pub email: String,
    /// At least 8 characters.
    pub password: String,
    pub display_name: String,
    pub phone: Option<String>,
    /// `volunteer` (the default) or `organizer`.
    pub role: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// An account as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub verified: bool,
    /// The volunteer profile, with the owner's own home; absent until set.
    pub volunteer: Option<ProfileView>,
}

async fn me_of(pool: &PgPool, a: CurrentAccount) -> ApiResult<Me> {
    let volunteer = db_volunteers::profile(pool, a.id)
        .await?
        .map(ProfileView::from);
    Ok(Me {
        id: a.id,
        email: a.email,
        display_name: a.display_name,
        phone: a.phone,
        role: a.role,
        verified: a.verified,
        volunteer,
    })
}

async fn start_session(
    pool: &PgPool,
    config: &AppConfig,
    jar: &CookieJar<'_>,
    account_id: i64,
) -> ApiResult<()> {
    let token = secrets::new_token();
    db_accounts::create_session(
        pool,
        &secrets::token_hash(&token),
        account_id,
        config.session_days,
    )
    .await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.cookie_secure)
        .max_age(rocket::time::Duration::days(config.session_days));
    jar.add(cookie);
    Ok(())
}

/// Creates an unverified account and signs it in. A coordinator verifies it later.
#[utoipa::path(post, path = "/api/auth/register", tag = "accounts", request_body = RegisterBody,
    responses((status = 201, body = Me), (status = 409, body = ErrorBody, description = "email_taken"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody, description = "rate_limited")))]
#[post("/api/auth/register", data = "<input>")]
pub async fn register(
    _site: SameOrigin,
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    limits: Limits<'_>,
    jar: &CookieJar<'_>,
    input: JsonBody<'_, RegisterBody>,
) -> ApiResult<(Status, Json<Me>)> {
    limits.spend(Limited::Register, None).await?;
    let input = body(input)?;
    let email = accounts::email(&input.email)?;
    let display_name = accounts::text("display_name", &input.display_name, 80)?;
    passwords::check_new(&input.password, &[&email, &display_name])?;
    let password = input.password;
    let phone = match input.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(accounts::phone(p)?),
    };
    let role = match input.role.as_deref() {
        None => Role::Volunteer,
        Some(r) => Role::parse_self_service(r)?,
    };
    let hash = secrets::hash_password_blocking(password).await?;
    let id = db_accounts::insert(
        &**pool,
        &NewAccount {
            email: &email,
            password_hash: &hash,
            display_name: &display_name,
            phone: phone.as_deref(),
            role: role.as_str(),
            verified: false,
        },
    )
    .await?;
    start_session(pool, config, jar, id).await?;
    let row = db_accounts::by_id(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok((Status::Created, Json(me_of(pool, row.try_into()?).await?)))
}

/// Signs in and sets the session cookie (HttpOnly, SameSite=Lax).
#[utoipa::path(post, path = "/api/auth/login", tag = "accounts", request_body = LoginBody,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody, description = "invalid_credentials"),
        (status = 403, body = ErrorBody, description = "account_suspended"),
        (status = 429, body = ErrorBody, description = "rate_limited")))]
#[post("/api/auth/login", data = "<input>")]
pub async fn login(
    _site: SameOrigin,
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    limits: Limits<'_>,
    jar: &CookieJar<'_>,
    input: JsonBody<'_, LoginBody>,
) -> ApiResult<Json<Me>> {
    let input = body(input)?;
    limits.spend_on(Limited::Login, input.email.trim()).await?;
    // An email that cannot be stored cannot be registered either (PostgreSQL refuses NUL).
    let found = match accounts::email(&input.email) {
        Ok(email) => db_accounts::credentials(&**pool, &email).await?,
        Err(_) => None,
    };
    // Check a password either way, so a missing account takes as long as a wrong password.
    let (id, hash) = found.unwrap_or_else(|| (0, dummy_hash().to_string()));
    let ok = secrets::verify_password_blocking(input.password, hash).await;
    if !ok || id == 0 {
        return Err(ApiError::new(
            ErrorCode::InvalidCredentials,
            "wrong email or password",
        ));
    }
    let row = db_accounts::by_id(&**pool, id)
        .await?
        .ok_or_else(ApiError::internal)?;
    // Told only to whoever knows the password, so it reveals nothing to a guesser.
    if row.suspended {
        return Err(ApiError::new(
            ErrorCode::AccountSuspended,
            "this account is suspended; contact the coordinators",
        ));
    }
    start_session(pool, config, jar, id).await?;
    Ok(Json(me_of(pool, row.try_into()?).await?))
}

/// A real hash of a random password, checked when the email is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password(&secrets::new_token()).unwrap_or_default())
}

/// Ends the session: deletes it on the server and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "accounts", responses((status = 204)))]
#[post("/api/auth/logout")]
pub async fn logout(
    _site: SameOrigin,
    pool: &State<PgPool>,
    jar: &CookieJar<'_>,
) -> ApiResult<Status> {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        db_accounts::delete_session(&**pool, &secrets::token_hash(&token)).await?;
    }
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok(Status::NoContent)
}

/// The signed-in account, with its volunteer profile.
#[utoipa::path(get, path = "/api/me", tag = "accounts", security(("session" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
#[get("/api/me")]
pub async fn me(pool: &State<PgPool>, account: CurrentAccount) -> ApiResult<Json<Me>> {
    Ok(Json(me_of(pool, account).await?))
}
