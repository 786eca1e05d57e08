//! Hardening (issue 9): requests are what they claim to be, abuse limits hold across server
//! instances, and the server survives faults. One module per capability.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod faults;
mod logs;
mod rate_limits;
mod requests;

/// What every module uses.
mod prelude {
    pub use crate::common::app::{Reply, TestApp};
    pub use crate::common::test_config;
    pub use antes::config::{ActionLimit, AppConfig, RateLimits};
    pub use rocket::http::{ContentType, Cookie, Header, Method};
    pub use serde_json::{json, Value};
    pub use sqlx::PgPool;

    pub const SANTA_FE: (f64, f64) = (-31.6333, -60.7);

    /// A help request body anyone may post.
    pub fn help_request(name: &str) -> Value {
        json!({
            "category": "groceries",
            "urgency": "normal",
            "location": {"lat": SANTA_FE.0, "lon": SANTA_FE.1},
            "description": "Leche y pan",
            "contact": {"name": name, "phone": "+54 342 400-0000"},
        })
    }
}
