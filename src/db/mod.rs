//! Every SQL string lives here. Functions take a pool or any executor, so callers choose the
//! transaction. Geometry never crosses into Rust: points go in as lon/lat and come out as numbers.

pub mod accounts;
pub mod bench;
pub mod bulk;
pub mod citus;
pub mod idempotency_keys;
pub mod import_staging;
pub mod kitchens;
pub mod notification_settings;
pub mod notifications;
pub mod passwords;
pub mod place_reports;
pub mod places;
pub mod pledges;
pub mod rate_limits;
pub mod request_history;
pub mod requests;
pub mod retention;
pub mod shard_moves;
pub mod tiles;
pub mod volunteers;

use std::time::Duration;

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects, failing fast so that a missing database gives one clear line.
///
/// Every statement is prepared once per connection and then run with a generic plan: the
/// queries are small and indexed, and PostgreSQL's habit of re-planning a statement for each
/// new set of values cost more than running it (0.45 ms of planning against 1 ms of work for
/// matching; see BENCHMARKS.md). Not on Citus: it plans a query that reads several shards
/// only with the values bound, and refuses a generic plan for it.
pub async fn connect(url: &str) -> Result<PgPool, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(3))
        .after_connect(|conn, _| {
            Box::pin(async move {
                if !citus::on_citus() {
                    sqlx::query("SET plan_cache_mode = force_generic_plan")
                        .execute(conn)
                        .await?;
                }
                Ok(())
            })
        })
        .connect_lazy_with(PgConnectOptions::from_str(url)?);
    // The first connection is made here, after the question, so it sees the answer.
    let mut conn = sqlx::PgConnection::connect_with(pool.connect_options().as_ref()).await?;
    citus::detect(&mut conn).await?;
    drop(conn);
    pool.acquire().await?;
    Ok(pool)
}

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// One cheap round trip, for `/healthz`.
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}
