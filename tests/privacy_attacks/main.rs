//! The privacy audit's attacks (issue 8), replayed through the public API as an attacker would:
//! move, probe, repeat, and compare what can be observed. Each test shows that the attacker
//! learns nothing finer than the public cell (a res-8 H3 cell, about 0.74 km²): the usual proof
//! is that two victims at opposite ends of one cell give the attacker byte-for-byte the same
//! observations, so no estimate can tell them apart. The comments say what the old code leaked.
//! One module per finding.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod claims;
mod homes;
mod kitchens;
mod manage_link;
mod matches;
mod public_counts;
mod retention;
mod task_lists;

/// What every attack module uses.
mod prelude {
    pub use crate::common::app::{Reply, Session, TestApp};
    pub use crate::common::{far_apart_in, haversine, offset, res8, test_config};
    pub use antes::config::AppConfig;
    pub use antes::domain::cells::Cell;
    pub use antes::domain::privacy::TASKS_LIMIT;
    pub use h3o::Resolution;
    pub use rocket::http::Method::{Get, Post, Put};
    pub use serde_json::{json, Value};
    pub use sqlx::PgPool;

    pub const SANTA_FE: (f64, f64) = (-31.6333, -60.7);
}
