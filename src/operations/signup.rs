//! Taking a slot on a kitchen's shift.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::db;
use crate::db::kitchens::NeedRow;
use crate::domain::kitchens::{decide_signup, SignupRefusal};
use crate::error::{ApiError, ApiResult};

/// Signs `account_id` up for shift `need_id`. The account's row is locked before the shift's,
/// as every sign-up does, so concurrent sign-ups never overbook a shift and one person cannot
/// take two overlapping shifts at once. Returns the shift as it now stands.
pub async fn sign_up(
    conn: &mut PgConnection,
    account_id: i64,
    need_id: i64,
    now: DateTime<Utc>,
) -> ApiResult<NeedRow> {
    db::kitchens::lock_account(conn, account_id).await?;
    let need = db::kitchens::lock_need(conn, need_id)
        .await?
        .filter(|n| n.place_status == "active")
        .ok_or_else(|| ApiError::not_found(format!("no need with id {need_id}")))?;
    let (Some(starts), Some(ends), Some(slots)) = (need.starts_at, need.ends_at, need.slots) else {
        return Err(ApiError::new(
            ErrorCode::NotAShift,
            "this need is supplies; pledge instead",
        ));
    };
    let already = db::kitchens::is_signed_up(&mut *conn, need_id, account_id).await?;
    let mine = db::kitchens::my_shift_times(&mut *conn, account_id, need_id).await?;
    decide_signup(
        now,
        &need.status,
        need.taken,
        slots,
        already,
        (starts, ends),
        &mine,
    )?;
    db::kitchens::insert_signup(&mut *conn, need_id, account_id).await?;
    db::kitchens::need(&mut *conn, need_id)
        .await?
        .ok_or_else(ApiError::internal)
}

impl From<SignupRefusal> for ApiError {
    fn from(r: SignupRefusal) -> Self {
        match r {
            SignupRefusal::NotOpen => {
                ApiError::new(ErrorCode::NeedClosed, "this shift is no longer open")
            }
            SignupRefusal::Started => {
                ApiError::new(ErrorCode::ShiftStarted, "this shift has already started")
            }
            SignupRefusal::AlreadySignedUp => ApiError::new(
                ErrorCode::AlreadySignedUp,
                "you already have a slot on this shift",
            ),
            SignupRefusal::Full => {
                ApiError::new(ErrorCode::ShiftFull, "every slot of this shift is taken")
            }
            SignupRefusal::Overlap => ApiError::new(
                ErrorCode::ShiftOverlap,
                "you already have a shift at that time",
            ),
        }
    }
}
