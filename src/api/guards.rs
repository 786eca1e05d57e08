//! Request guards shared by every resource: [`CurrentAccount`] reads the `antes_session` cookie
//! and looks the session up in the database, so a deleted session is revoked at once (and a
//! change made with it must come from our own origin); [`SameOrigin`] checks that origin for
//! the routes that start or end a session; [`ManageToken`] reads a request's manage token;
//! [`SingleQuery`] refuses a repeated single-valued query parameter. A guard's refusal is kept
//! for the catcher, so the client gets its own code and message.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use rocket::http::Method;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use sqlx::PgPool;

use super::request_log;
use crate::config::AppConfig;
use crate::db::accounts::{self as db_accounts, AccountRow};
use crate::domain::accounts::Role;
use crate::domain::requests::{AccountFacts, Actor};
use crate::error::{ApiError, ApiResult};
use crate::secrets;

pub const SESSION_COOKIE: &str = "antes_session";

/// The signed-in account, from the session cookie.
#[derive(Debug, Clone)]
pub struct CurrentAccount {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub verified: bool,
    pub created_at: DateTime<Utc>,
    /// The digest of the session this request came with.
    pub session: String,
}

impl CurrentAccount {
    pub fn facts(&self) -> AccountFacts {
        AccountFacts {
            id: self.id,
            role: self.role,
            verified: self.verified,
        }
    }

    pub fn require_coordinator(&self) -> ApiResult<()> {
        if self.role == Role::Coordinator {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::CoordinatorsOnly,
                "only coordinators may do this",
            ))
        }
    }
}

/// Who is asking, for the domain's decisions.
pub fn actor(account: Option<&CurrentAccount>, has_token: bool) -> Actor {
    Actor {
        account: account.map(CurrentAccount::facts),
        has_token,
    }
}

impl TryFrom<AccountRow> for CurrentAccount {
    type Error = ApiError;
    fn try_from(row: AccountRow) -> ApiResult<Self> {
        Ok(Self {
            role: row.role.parse()?,
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            phone: row.phone,
            verified: row.verified,
            created_at: row.created_at,
            session: String::new(),
        })
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentAccount {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        match signed_in(req).await {
            Ok(account) => Outcome::Success(account),
            Err(err) => {
                request_log::keep_for_catcher(req, &err);
                Outcome::Error((err.status(), err))
            }
        }
    }
}

async fn signed_in(req: &Request<'_>) -> ApiResult<CurrentAccount> {
    let token = req
        .cookies()
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .ok_or_else(|| ApiError::unauthorized("sign in first"))?;
    // The cookie rides along with any site's form or fetch; a change must come from ours.
    if req.method().supports_payload() || req.method() == Method::Delete {
        same_origin(req)?;
    }
    let pool = req
        .rocket()
        .state::<PgPool>()
        .ok_or_else(ApiError::internal)?;
    let idle_days = req
        .rocket()
        .state::<AppConfig>()
        .map_or(7, |c| c.session_idle_days);
    let token_hash = secrets::token_hash(&token);
    let row = db_accounts::by_session(pool, &token_hash, idle_days)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    let mut account = CurrentAccount::try_from(row)?;
    account.session = token_hash;
    Ok(account)
}

/// Refuses a request that a browser says comes from another site (`Sec-Fetch-Site`), or whose
/// `Origin` is not this service's (`public_origin`, or else the request's own `Host`).
/// Clients that send neither header are not browsers, and carry no one else's cookie.
pub fn same_origin(req: &Request<'_>) -> ApiResult<()> {
    let refuse = |why: String| Err(ApiError::new(ErrorCode::CrossOrigin, why));
    if let Some(site) = req.headers().get_one("Sec-Fetch-Site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            other => refuse(format!(
                "refused a {other} request; use this site's own page"
            )),
        };
    }
    let Some(origin) = req.headers().get_one("Origin") else {
        return Ok(());
    };
    let configured = req
        .rocket()
        .state::<AppConfig>()
        .map(|c| c.public_origin.trim().trim_end_matches('/'))
        .unwrap_or_default();
    let ok = if configured.is_empty() {
        let host = req.headers().get_one("Host").unwrap_or_default();
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| !host.is_empty() && authority == host)
    } else {
        origin == configured
    };
    if ok {
        Ok(())
    } else {
        refuse(format!(
            "refused a request from {origin}; use this site's own page"
        ))
    }
}

/// [`same_origin`] as a guard, for the routes that set or end a session.
pub struct SameOrigin;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SameOrigin {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        match same_origin(req) {
            Ok(()) => Outcome::Success(SameOrigin),
            Err(err) => {
                request_log::keep_for_catcher(req, &err);
                Outcome::Error((err.status(), err))
            }
        }
    }
}

/// The header that carries a request's manage token.
pub const MANAGE_TOKEN_HEADER: &str = "X-Manage-Token";

/// A request's manage token from the `X-Manage-Token` header. The link that holds it keeps it
/// in the URL fragment, which never reaches a server or proxy log; a token in the query string
/// would, so one is refused rather than used.
pub struct ManageToken {
    header: Option<String>,
    in_query: bool,
}

impl ManageToken {
    /// The token given (header first, then `body`), or 400 `token_in_url`.
    pub fn get(&self, body: Option<&str>) -> ApiResult<Option<String>> {
        if self.in_query {
            return Err(ApiError::new(
                ErrorCode::TokenInUrl,
                "send the manage token in the X-Manage-Token header or the body, never in the URL",
            ));
        }
        Ok(self
            .header
            .as_deref()
            .or(body)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ManageToken {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let in_query = req
            .uri()
            .query()
            .is_some_and(|q| q.segments().any(|(k, _)| k == "token"));
        Outcome::Success(ManageToken {
            header: req
                .headers()
                .get_one(MANAGE_TOKEN_HEADER)
                .map(str::to_string),
            in_query,
        })
    }
}

/// Query parameters that may repeat (`category=a&category=b`); any other one given twice is
/// refused, since Rocket would quietly use one of the values.
const LIST_PARAMETERS: [&str; 1] = ["category"];

/// Refuses (422 `invalid_parameter`) a query that repeats a single-valued parameter.
pub struct SingleQuery;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SingleQuery {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let mut seen: Vec<&str> = Vec::new();
        for (key, _) in req.uri().query().into_iter().flat_map(|q| q.segments()) {
            if seen.contains(&key) && !LIST_PARAMETERS.contains(&key) {
                let err = ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!("parameter `{key}` is given more than once"),
                );
                request_log::keep_for_catcher(req, &err);
                return Outcome::Error((err.status(), err));
            }
            seen.push(key);
        }
        Outcome::Success(SingleQuery)
    }
}
