//! Per-client rate limits on the endpoints anyone can hit repeatedly: posting a help request,
//! logging in and registering. Over the limit: 429 `rate_limited`. Requests without a known
//! client address (Rocket's local test client) are not limited.

use crate::error_code::ErrorCode;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::limits::FixedWindow;
use crate::error::ApiError;

/// The actions that are limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    PostRequest,
    Login,
    Register,
}

pub struct RateLimiter(Mutex<FixedWindow<(IpAddr, Action)>>);

impl RateLimiter {
    /// `per_minute` hits for each client and action; 0 turns limiting off.
    pub fn new(per_minute: u32) -> Self {
        Self(Mutex::new(FixedWindow::new(
            per_minute,
            Duration::from_secs(60),
        )))
    }

    pub fn check(&self, ip: Option<IpAddr>, action: Action) -> Result<(), ApiError> {
        let Some(ip) = ip else { return Ok(()) };
        let allowed = self
            .0
            .lock()
            .map(|mut w| w.hit((ip, action), Instant::now()))
            .unwrap_or(true);
        if allowed {
            Ok(())
        } else {
            Err(ApiError::retry_later(
                ErrorCode::RateLimited,
                "too many attempts from this address; wait a minute and try again",
                60,
            ))
        }
    }
}
