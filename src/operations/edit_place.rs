//! Editing a place: an organizer's change to what people trust it by sends it back to review.

use sqlx::PgConnection;

use crate::db;
use crate::db::places::PlacePatch;
use crate::domain::accounts::Role;
use crate::domain::place_admin::{identity_changed, status_after_edit, Identity};
use crate::error::{ApiError, ApiResult};

/// Applies `patch` to place `id` for an editor of `role`, and returns the place's status after.
pub async fn edit_place(
    conn: &mut PgConnection,
    role: Role,
    id: i64,
    patch: &PlacePatch,
) -> ApiResult<String> {
    let existing = db::places::by_id(&mut *conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    let current = Identity {
        name: &existing.name,
        phone: existing.phone.as_deref(),
        location: (existing.lat, existing.lon),
    };
    let edit = Identity {
        name: patch.name.as_deref().unwrap_or(current.name),
        phone: patch.phone.as_deref().or(current.phone),
        location: patch
            .point
            .map_or(current.location, |(p, _)| (p.lat, p.lon)),
    };
    let sets = [
        patch.name.is_some(),
        patch.phone.is_some(),
        patch.point.is_some(),
    ];
    let status = status_after_edit(
        &existing.status,
        role == Role::Coordinator,
        identity_changed(current, edit, sets),
    );
    db::places::update(&mut *conn, id, patch).await?;
    if status != existing.status {
        db::places::set_status(&mut *conn, id, status).await?;
    }
    Ok(status.to_string())
}
