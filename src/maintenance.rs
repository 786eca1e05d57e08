//! Expiry, the retention purge and the audit retention: run on a timer inside `antes serve`
//! and on demand by `antes maintain`.

use std::fmt;

use sqlx::PgPool;

use crate::config::AppConfig;
use crate::db;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    pub expired: u64,
    pub purged: u64,
    /// Kitchen needs whose shift ended or whose `needed_by` passed.
    pub needs_expired: u64,
    /// Audit rows whose account ids were erased after `audit_retention_days`.
    pub audit_forgotten: u64,
    /// Live reports whose reporter digest was erased.
    pub reporters_forgotten: u64,
    /// Live reports deleted after the history window.
    pub reports_deleted: u64,
    /// Idempotency keys (and their sealed answers) past their 24 hours.
    pub idempotency_keys_forgotten: u64,
    /// Rows of place counts per H3 cell rebuilt for the map (0 when no place changed).
    pub place_cells: u64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "expired: {} requests", self.expired)?;
        writeln!(
            f,
            "purged: {} requests (personal details erased)",
            self.purged
        )?;
        writeln!(f, "expired: {} kitchen needs", self.needs_expired)?;
        writeln!(
            f,
            "forgotten: {} account ids in audit rows",
            self.audit_forgotten
        )?;
        writeln!(
            f,
            "forgotten: {} reporters of live reports; deleted: {} reports",
            self.reporters_forgotten, self.reports_deleted
        )?;
        writeln!(
            f,
            "forgotten: {} idempotency keys",
            self.idempotency_keys_forgotten
        )?;
        writeln!(f, "rebuilt: {} place counts per map cell", self.place_cells)
    }
}

/// Expires first, so a request past its deadline starts its retention clock now.
pub async fn run(pool: &PgPool, config: &AppConfig) -> sqlx::Result<Report> {
    let mail = config
        .notify
        .channels()
        .contains(&crate::domain::notifications::Channel::Email);
    let expired = db::requests::expire(pool, config.request_max_age_hours, mail).await?;
    let purged = db::retention::purge(pool, config.retention_days).await?;
    if purged > 0 {
        // The erased values would otherwise linger in dead row versions until autovacuum.
        db::retention::vacuum(pool).await?;
    }
    let audit_forgotten =
        db::retention::forget_request_event_accounts(pool, config.audit_retention_days).await?
            + db::retention::forget_account_event_accounts(pool, config.audit_retention_days)
                .await?;
    // Past homes are kept only while the daily limit or the claim window may read them.
    let horizon = chrono::Utc::now() - chrono::Duration::hours(24) - config.home_policy().settle;
    db::volunteers::forget_old_homes(pool, horizon).await?;
    // Expired sessions no longer sign anyone in; deleting them keeps the table small.
    db::accounts::delete_expired_sessions(pool, config.session_idle_days).await?;
    // A rate-limit key whose arrival time has passed is back to a full burst: drop it.
    db::rate_limits::forget_idle(pool).await?;
    // Who was told about what goes with the requests it was about.
    db::notifications::forget_older_than(pool, config.retention_days).await?;
    let needs_expired = db::kitchens::expire_needs(pool, chrono::Utc::now()).await?;
    let (reporters_forgotten, reports_deleted) = forget_reports(pool, config).await?;
    let idempotency_keys_forgotten = db::idempotency_keys::forget(
        pool,
        crate::domain::idempotency::expired_before(chrono::Utc::now()),
    )
    .await?;
    // The map's counts below zoom 13 follow the places, a maintenance interval late at most.
    let place_cells = crate::operations::cell_counts::rebuild_if_stale(pool).await?;
    Ok(Report {
        expired,
        purged,
        needs_expired,
        audit_forgotten,
        reporters_forgotten,
        reports_deleted,
        idempotency_keys_forgotten,
        place_cells,
    })
}

/// Who made a live report is kept a week (or while the report counts, if longer) for
/// replacing reports and hiding reporters; the reports themselves are kept for the history.
async fn forget_reports(pool: &PgPool, config: &AppConfig) -> sqlx::Result<(u64, u64)> {
    use crate::domain::report_history::HISTORY_WEEKS;
    let now = chrono::Utc::now();
    let erase_before = config
        .report_policy()
        .counted_since(now)
        .min(now - chrono::Duration::days(7));
    let delete_before = now - chrono::Duration::weeks(HISTORY_WEEKS);
    db::place_reports::forget(pool, erase_before, delete_before.min(erase_before)).await
}

/// Rewrites the tables that held erased personal data. A plain VACUUM (which every purge runs)
/// removes the old row versions, but their bytes can stay in the pages' free space until
/// overwritten; a rewrite leaves none. It locks the tables while it runs.
pub async fn rewrite(pool: &PgPool) -> sqlx::Result<()> {
    db::retention::rewrite(pool).await
}

/// Runs [`run`] every `maintenance_interval_secs` until the process ends; nothing when it is 0.
pub fn spawn_timer(pool: PgPool, config: AppConfig) {
    let Some(every) = config.maintenance_interval() else {
        return;
    };
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            match run(&pool, &config).await {
                Ok(r) if r != Report::default() => {
                    tracing::info!(
                        expired = r.expired,
                        purged = r.purged,
                        needs_expired = r.needs_expired,
                        audit_forgotten = r.audit_forgotten,
                        reporters_forgotten = r.reporters_forgotten,
                        reports_deleted = r.reports_deleted,
                        place_cells = r.place_cells,
                        "maintenance"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "maintenance failed; will retry"),
            }
        }
    });
}
