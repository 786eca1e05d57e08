//! Every SQL string lives here. Functions take a pool or any executor, so callers choose the
//! transaction. Geometry never crosses into Rust: points go in as lon/lat and come out as numbers.

pub mod accounts;
pub mod bench;
pub mod bulk;
pub mod kitchens;
pub mod passwords;
pub mod places;
pub mod rate_limits;
pub mod requests;
pub mod retention;
pub mod volunteers;

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects, failing fast so that a missing database gives one clear line.
pub async fn connect(url: &str) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(3))
        .connect(url)
        .await
}

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// One cheap round trip, for `/healthz`.
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}
