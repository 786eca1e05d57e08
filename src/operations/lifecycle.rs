//! The lifecycle actions other than claim: approve, reject, cancel, release and complete.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db;
use crate::domain::claims::{self, DailyLimits};
use crate::domain::requests::{authorize, transition, Action, Actor, Status};
use crate::error::{ApiError, ApiResult};

/// Moves request `id` by `action` for `who`: authorize, check the state machine (and for a
/// volunteer's own release, the daily limit), then change the state only if nothing changed
/// since it was read, and log it. Returns the new status.
pub async fn act(
    conn: &mut PgConnection,
    id: Uuid,
    action: Action,
    who: &Actor,
    releases: DailyLimits,
    now: DateTime<Utc>,
) -> ApiResult<Status> {
    debug_assert!(
        action != Action::Claim,
        "claims go through operations::claim"
    );
    let row = db::requests::lifecycle(&mut *conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no request with id {id}")))?;
    authorize(action, who, row.assignee)?;
    let from: Status = row.status.parse()?;
    let to = transition(from, action)?;
    let mut alert = None;
    if action == Action::Release {
        let account = who.account.map(|a| a.id);
        let by_assignee = account.is_some() && account == row.assignee;
        let recent = match account {
            Some(a) if by_assignee => {
                // Serialises one volunteer's releases, so parallel ones count each other.
                db::volunteers::lock_profile(&mut *conn, a).await?;
                db::requests::actions_since(
                    &mut *conn,
                    a,
                    Action::Release,
                    now - chrono::Duration::hours(24),
                )
                .await?
            }
            _ => Vec::new(),
        };
        if claims::decide_release(releases, by_assignee, &recent, now)?.alert {
            alert = account;
        }
    }
    if !db::requests::change_status(&mut *conn, id, from, row.assignee, to).await? {
        return Err(ApiError::new(
            ErrorCode::StateChanged,
            "the request changed meanwhile; reload it",
        ));
    }
    let (account_id, kind) = match who.account {
        Some(a) if !(action == Action::Cancel && who.has_token) => (Some(a.id), "account"),
        _ => (None, "requester"),
    };
    db::requests::add_event(&mut *conn, id, account_id, kind, action.event()).await?;
    if let Some(volunteer) = alert {
        db::accounts::add_event(&mut *conn, volunteer, None, "alert_release_burst").await?;
    }
    Ok(to)
}
