//! Rate limits on the actions anyone can repeat: per client address and per account, with the
//! state in PostgreSQL (see `operations::rate_limit`), so they hold across instances. Over a
//! limit: 429 `rate_limited` with `Retry-After`. A request without a known client address
//! (Rocket's local test client, unless it sets one) is limited by account only.

use std::net::IpAddr;

use chrono::Duration;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::config::{ActionLimit, RateLimits};
use crate::domain::limits::Rate;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::operations;

/// The limited actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Login,
    Register,
    Password,
    PostRequest,
    Claim,
    Profile,
    Pledge,
    Signup,
    Geocode,
    Report,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Register => "register",
            Action::Password => "password",
            Action::PostRequest => "post_request",
            Action::Claim => "claim",
            Action::Profile => "profile",
            Action::Pledge => "pledge",
            Action::Signup => "signup",
            Action::Geocode => "geocode",
            Action::Report => "report",
        }
    }

    fn limit(self, limits: &RateLimits) -> ActionLimit {
        match self {
            Action::Login => limits.login,
            Action::Register => limits.register,
            Action::Password => limits.password,
            Action::PostRequest => limits.post_request,
            Action::Claim => limits.claim,
            Action::Profile => limits.profile,
            Action::Pledge => limits.pledge,
            Action::Signup => limits.signup,
            Action::Geocode => limits.geocode,
            Action::Report => limits.report,
        }
    }
}

/// Who is acting: the client address, and the account (or, for log-in, the email tried).
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub ip: Option<IpAddr>,
    pub account: Option<String>,
}

impl Actor {
    pub fn new(ip: Option<IpAddr>, account: Option<i64>) -> Self {
        Self {
            ip,
            account: account.map(|id| id.to_string()),
        }
    }
}

pub struct RateLimiter {
    limits: RateLimits,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self { limits }
    }

    /// Spends one `action` for the actor's address and account, or answers 429.
    pub async fn check(&self, pool: &PgPool, action: Action, who: &Actor) -> ApiResult<()> {
        let limit = action.limit(&self.limits);
        let rate = |burst| Rate {
            burst,
            period: Duration::seconds(limit.period_secs.max(1) as i64),
        };
        let mut checks = Vec::new();
        if let (Some(ip), true) = (who.ip, limit.per_address > 0) {
            checks.push((
                key(action, "address", &address_group(ip)),
                rate(limit.per_address),
            ));
        }
        if let (Some(account), true) = (&who.account, limit.per_account > 0) {
            checks.push((key(action, "account", account), rate(limit.per_account)));
        }
        if checks.is_empty() {
            return Ok(());
        }
        let mut tx = pool.begin().await?;
        let verdict = operations::rate_limit::spend(&mut tx, &checks).await?;
        tx.commit().await?;
        verdict.map_err(|wait| {
            let secs = (wait.num_milliseconds().max(0) as u64).div_ceil(1000);
            ApiError::retry_later(
                ErrorCode::RateLimited,
                format!("too many attempts; try again in {secs} s"),
                secs,
            )
        })
    }
}

/// The rate limiter for one request: its address, the shared state and the pool.
pub struct Limits<'r> {
    limiter: &'r RateLimiter,
    pool: &'r PgPool,
    ip: Option<IpAddr>,
}

impl Limits<'_> {
    /// The client address, when known.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// Spends one `action` for this address and, if signed in, `account`.
    pub async fn spend(&self, action: Action, account: Option<i64>) -> ApiResult<()> {
        let who = Actor::new(self.ip, account);
        self.limiter.check(self.pool, action, &who).await
    }

    /// Spends one `action` for this address and a named target (the email of a log-in).
    pub async fn spend_on(&self, action: Action, target: &str) -> ApiResult<()> {
        let who = Actor {
            ip: self.ip,
            account: Some(target.to_lowercase()),
        };
        self.limiter.check(self.pool, action, &who).await
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Limits<'r> {
    type Error = ApiError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ApiError> {
        let rocket = req.rocket();
        match (rocket.state::<RateLimiter>(), rocket.state::<PgPool>()) {
            (Some(limiter), Some(pool)) => Outcome::Success(Limits {
                limiter,
                pool,
                ip: req.client_ip(),
            }),
            _ => Outcome::Error((
                rocket::http::Status::InternalServerError,
                ApiError::internal(),
            )),
        }
    }
}

/// One IPv4 address, or one IPv6 /64 (what one home or phone usually holds).
pub fn address_group(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The stored key: a digest, so the table holds no address or email.
fn key(action: Action, side: &str, who: &str) -> String {
    let digest = Sha256::digest(format!("{}|{side}|{who}", action.name()).as_bytes());
    hex::encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_slash_64_counts_as_one_address() {
        let a: IpAddr = "2800:810:4a1:1::1".parse().unwrap();
        let b: IpAddr = "2800:810:4a1:1:ffff::2".parse().unwrap();
        let c: IpAddr = "2800:810:4a1:2::1".parse().unwrap();
        assert_eq!(address_group(a), address_group(b));
        assert_ne!(address_group(a), address_group(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(address_group(mapped), "10.0.0.1");
    }
}
