//! Pledging part of a kitchen's supplies need.

use crate::error_code::ErrorCode;
use sqlx::PgConnection;

use crate::db;
use crate::db::pledges::PledgeRow;
use crate::domain::kitchens::{decide_pledge, remaining, PledgeRefusal};
use crate::error::{ApiError, ApiResult};

/// Pledges `quantity` of need `need_id` for `account_id`. The need's row is locked, so parallel
/// pledges see each other and never promise more than is missing.
pub async fn pledge(
    conn: &mut PgConnection,
    account_id: i64,
    need_id: i64,
    quantity: f64,
) -> ApiResult<PledgeRow> {
    let need = db::kitchens::lock_need(conn, need_id)
        .await?
        .filter(|n| n.place_status == "active")
        .ok_or_else(|| ApiError::not_found(format!("no need with id {need_id}")))?;
    let Some(total) = need.quantity else {
        return Err(ApiError::new(
            ErrorCode::NotSupplies,
            "this need is a shift; sign up instead",
        ));
    };
    decide_pledge(&need.status, quantity, remaining(total, need.pledged))?;
    let id = db::pledges::insert_pledge(&mut *conn, need_id, account_id, quantity).await?;
    db::pledges::pledge(&mut *conn, id)
        .await?
        .ok_or_else(ApiError::internal)
}

impl From<PledgeRefusal> for ApiError {
    fn from(r: PledgeRefusal) -> Self {
        match r {
            PledgeRefusal::NotOpen => {
                ApiError::new(ErrorCode::NeedClosed, "this need is no longer open")
            }
            PledgeRefusal::BadQuantity(q) => ApiError::new(
                ErrorCode::InvalidQuantity,
                format!("`quantity` must be greater than 0, got {q}"),
            ),
            PledgeRefusal::TooMuch(left) => ApiError::new(
                ErrorCode::OverPledged,
                format!("only {left} is still missing; pledge at most that"),
            ),
        }
    }
}
