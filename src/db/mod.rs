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

/// Migrations whose text was rewritten after some databases applied it, without changing what
/// they do there: the version and the SHA-384 of the first text. sqlx refuses a migration
/// whose recorded checksum differs from its file, so such a database gets the new checksum.
/// Migration 16 became one DO block so that Citus could apply it (README, "Running on Citus").
const REWRITTEN_MIGRATIONS: &[(i64, &str)] = &[(
    16,
    "9c0e2be349405194a843abb2ecd4218dfeec51555c2a408660e45d5ed1f67979\
     ba78bde9992bf7dc1125a372f964c174",
)];

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    let applied: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
            .fetch_one(pool)
            .await?;
    if applied.is_some() {
        for (version, first) in REWRITTEN_MIGRATIONS {
            let Some(now) = MIGRATOR.iter().find(|m| m.version == *version) else {
                continue;
            };
            sqlx::query(
                "UPDATE _sqlx_migrations SET checksum = $3 \
                 WHERE version = $1 AND checksum = decode($2, 'hex')",
            )
            .bind(version)
            .bind(first)
            .bind(&*now.checksum)
            .execute(pool)
            .await?;
        }
    }
    MIGRATOR.run(pool).await
}

/// One cheap round trip, for `/healthz`.
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}
