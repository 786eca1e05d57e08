//! Spending one action against the shared rate limits of an address and an account.

use chrono::Duration;
use sqlx::PgConnection;

use crate::db;
use crate::domain::limits::{self, Rate};

/// Takes one action for each `(key, rate)`, all or none. `Err` holds how long to wait.
pub async fn spend(
    conn: &mut PgConnection,
    checks: &[(String, Rate)],
) -> sqlx::Result<Result<(), Duration>> {
    if checks.is_empty() {
        return Ok(Ok(()));
    }
    let keys: Vec<String> = checks.iter().map(|(key, _)| key.clone()).collect();
    let (tats, now) = db::rate_limits::lock(conn, &keys).await?;
    let facts: Vec<(Rate, Option<_>)> = checks
        .iter()
        .zip(tats)
        .map(|((_, rate), tat)| (*rate, tat))
        .collect();
    match limits::decide_all(&facts, now) {
        Ok(new_tats) => {
            db::rate_limits::store(conn, &keys, &new_tats).await?;
            Ok(Ok(()))
        }
        Err(wait) => Ok(Err(wait)),
    }
}
