//! Taking an open help request.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db;
use crate::domain::cells::Cell;
use crate::domain::claims::{self, ClaimFacts, DailyLimits, Volunteer};
use crate::domain::homes::{self, HomePolicy};
use crate::domain::requests::{transition, AccountFacts, Action, Status};
use crate::error::{ApiError, ApiResult};

/// Claims request `id` for `account`. The profile row is locked first, so parallel claims by
/// one volunteer count each other's assignments; the assignment is conditional on `open`, so of
/// parallel claims on one request exactly one wins and the rest get 409 `already_assigned`.
pub async fn claim(
    conn: &mut PgConnection,
    account: &AccountFacts,
    id: Uuid,
    homes_policy: HomePolicy,
    limits: DailyLimits,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let profile = db::volunteers::lock_profile(conn, account.id).await?;
    // Read the account's standing again under the profile lock, which suspension and
    // unverification take too: a claim racing a suspension either sees it, or is released by it.
    let standing = db::accounts::by_id(&mut *conn, account.id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the session has ended; sign in again"))?;
    let request = db::requests::lifecycle(&mut *conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no request with id {id}")))?;
    // Who the account is comes before what its profile says, so an organizer is told that
    // claims are for volunteers, not to make a profile that would not help.
    claims::may_take_tasks(
        standing.role.parse()?,
        standing.verified,
        standing.suspended,
    )?;
    let Some(profile) = profile else {
        return Err(ApiError::new(
            ErrorCode::NoVolunteerProfile,
            "set up your volunteer profile (skills, home, radius) first",
        ));
    };
    let open_assignments = db::requests::count_assigned_to(&mut *conn, account.id).await?;
    let settled = db::volunteers::home_at(
        &mut *conn,
        account.id,
        homes::settled_before(homes_policy, now),
    )
    .await?;
    let facts = ClaimFacts {
        volunteer: Volunteer {
            role: standing.role.parse()?,
            verified: standing.verified,
            suspended: standing.suspended,
            on_duty: profile.on_duty,
            skills: profile.skills,
            radius_m: profile.radius_m,
            open_assignments,
            max_open: profile.max_open,
        },
        settled_home: settled.map(Cell::from_db).transpose()?,
        status: request.status.parse()?,
        category: request.category,
        cell: request.cell.map(Cell::from_db).transpose()?,
    };
    claims::decide_claim(&facts)?;
    let recent = db::requests::actions_since(
        &mut *conn,
        account.id,
        Action::Claim,
        now - Duration::hours(24),
    )
    .await?;
    let rate = claims::decide_claim_rate(limits, &recent, now)?;
    if !db::requests::assign(&mut *conn, id, account.id).await? {
        // Another claim committed between our read and our update.
        transition(Status::Assigned, Action::Claim)?;
    }
    db::requests::add_event(
        &mut *conn,
        id,
        Some(account.id),
        "account",
        Action::Claim.event(),
    )
    .await?;
    if rate.alert {
        db::accounts::add_event(&mut *conn, account.id, None, "alert_claim_burst").await?;
    }
    Ok(())
}
