//! Setting one's volunteer profile: skills, radius, duty, and a home whose moves are limited
//! and audited.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;

use crate::db;
use crate::db::volunteers::Profile;
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::homes::{self, HomeChange, HomePolicy};
use crate::domain::matching;
use crate::error::ApiResult;

/// Saves `profile` (its `home_cell` is derived here). A home in a new cell is recorded, counted
/// against the daily limit (429 `home_change_limit` beyond it) and written to the audit log.
pub async fn set_profile(
    conn: &mut PgConnection,
    account_id: i64,
    mut profile: Profile<'_>,
    policy: HomePolicy,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let current = db::volunteers::lock_profile(conn, account_id)
        .await?
        .and_then(|p| p.home_cell);
    let new = Cell::at(profile.home, STORED_RES);
    let recent =
        db::volunteers::home_changes_since(&mut *conn, account_id, now - Duration::hours(24))
            .await?;
    let current = current.map(Cell::from_db).transpose()?;
    let change = homes::decide_home_change(policy, current, new, &recent, now)?;
    profile.home_cell = new.to_db();
    let placed = matching::placement(new, profile.radius_m).into();
    db::volunteers::upsert(&mut *conn, account_id, &profile, placed).await?;
    if change == HomeChange::Moved {
        db::volunteers::record_home_change(&mut *conn, account_id, new.to_db()).await?;
        db::accounts::add_event(&mut *conn, account_id, Some(account_id), "home_changed").await?;
    }
    Ok(())
}
