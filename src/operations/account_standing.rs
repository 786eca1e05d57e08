//! A coordinator's decisions about an account: verifying it, taking verification back, and
//! suspending it or lifting the suspension. Each is audited.

use sqlx::PgConnection;

use crate::db;
use crate::db::accounts::AccountRow;
use crate::domain::accounts::{decide_standing, Standing};
use crate::domain::requests::AccountFacts;
use crate::error::{ApiError, ApiResult};

/// Applies `change` to account `id` for coordinator `by`. Taking verification back and
/// suspending both release the account's assignments, since only verified volunteers may hold
/// an address; suspending also ends every session, so the account is signed out at once.
pub async fn change_standing(
    conn: &mut PgConnection,
    by: &AccountFacts,
    id: i64,
    change: Standing,
) -> ApiResult<AccountRow> {
    db::accounts::by_id(&mut *conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no account with id {id}")))?;
    decide_standing(by.role, by.id, id, change)?;
    // Claims hold this lock while they check the account's standing (see `claim`).
    db::volunteers::lock_profile(&mut *conn, id).await?;
    let row = match change {
        Standing::Verify => db::accounts::set_verified(&mut *conn, id, true, by.id).await?,
        Standing::Unverify => db::accounts::set_verified(&mut *conn, id, false, by.id).await?,
        Standing::Suspend => db::accounts::set_suspended(&mut *conn, id, true, by.id).await?,
        Standing::Unsuspend => db::accounts::set_suspended(&mut *conn, id, false, by.id).await?,
    }
    .ok_or_else(|| ApiError::not_found(format!("no account with id {id}")))?;
    if matches!(change, Standing::Unverify | Standing::Suspend) {
        db::requests::release_all_of(&mut *conn, id, by.id).await?;
    }
    if change == Standing::Suspend {
        db::accounts::delete_sessions_of(&mut *conn, id).await?;
    }
    db::accounts::add_event(&mut *conn, id, Some(by.id), change.event()).await?;
    Ok(row)
}
