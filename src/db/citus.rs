//! Whether the database is a Citus coordinator (SCALING.md section 2, migration 0015). A few
//! queries then take another form: they name the shard cells they need, so that Citus routes
//! them to those shards, and avoid what Citus cannot plan (a lateral subquery with OFFSET
//! over a table function, a generic plan for a query over several shards).

use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::PgExecutor;

static ON_CITUS: AtomicBool = AtomicBool::new(false);

/// Asks the database, and remembers the answer for [`on_citus`]. Called when a pool is made
/// and when the app ignites; one process talks to one database.
pub async fn detect(exec: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    let citus: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            .fetch_one(exec)
            .await?;
    ON_CITUS.store(citus, Ordering::Relaxed);
    Ok(citus)
}

pub fn on_citus() -> bool {
    ON_CITUS.load(Ordering::Relaxed)
}
