//! Who may manage a kitchen, and the lookups every kitchen resource starts from.

use sqlx::PgPool;

use super::guards::CurrentAccount;
use crate::db::kitchens as db_kitchens;
use crate::db::places::{self as db_places, PlaceRow};
use crate::domain::place_admin;
use crate::error::{ApiError, ApiResult};

/// Refuses unless this account may manage the place: a coordinator, or one of its organizers
/// once verified (403 `not_an_organizer`, `not_verified`).
pub async fn require_manager(
    pool: &PgPool,
    account: &CurrentAccount,
    place_id: i64,
) -> ApiResult<()> {
    let organizer = db_kitchens::is_organizer(pool, place_id, account.id).await?;
    place_admin::may_manage(account.role, account.verified, organizer)?;
    Ok(())
}

/// Whether this account may manage the place, for answers that only widen for managers.
pub async fn is_manager(pool: &PgPool, account: &CurrentAccount, place_id: i64) -> ApiResult<bool> {
    match require_manager(pool, account, place_id).await {
        Ok(()) => Ok(true),
        Err(e) if e.code.status() == 403 => Ok(false),
        Err(e) => Err(e),
    }
}

/// A kitchen by id, or 404.
pub async fn kitchen(pool: &PgPool, id: i64) -> ApiResult<PlaceRow> {
    db_places::by_id(pool, id)
        .await?
        .filter(|p| p.kind == "kitchen")
        .ok_or_else(|| ApiError::not_found(format!("no kitchen with id {id}")))
}
