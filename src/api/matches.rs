//! The coordinator's ranked candidate volunteers for a request.

use rocket::serde::json::Json;
use rocket::{get, State};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use super::guards::{CurrentAccount, SingleQuery};
use super::params::RequestId;
use super::request_views::load;
use crate::db::volunteers as db_volunteers;
use crate::domain::cells::Cell;
use crate::domain::geo;
use crate::domain::matching::{self, PerClass, Walked, REACH_CLASSES_M};
use crate::domain::privacy;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// A candidate volunteer: no home, and no distance finer than a band.
#[derive(Serialize, ToSchema)]
pub struct MatchView {
    pub account_id: i64,
    pub display_name: String,
    /// `<1 km`, `1-3 km`, `3-10 km` or `>10 km`, between the centres of the volunteer's res-8
    /// home cell and the request's res-8 cell.
    #[schema(example = "1-3 km")]
    pub distance_band: &'static str,
    /// Claims in the last 7 days.
    pub recent_assignments: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MatchList {
    pub matches: Vec<MatchView>,
}

/// Volunteers who could take the request (the claim rule, from their current home), nearest
/// first between public cell centres, then the less loaded (coordinators only).
#[utoipa::path(get, path = "/api/requests/{id}/matches", tag = "volunteers", security(("session" = [])),
    params(("id" = Uuid, Path), ("limit" = Option<i64>, Query, description = "1 to 100, default 20")),
    responses((status = 200, body = MatchList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/requests/<id>/matches?<limit>")]
pub async fn matches(
    _single: SingleQuery,
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: RequestId,
    limit: Option<&str>,
) -> ApiResult<Json<MatchList>> {
    account.require_coordinator()?;
    let limit = geo::limit(super::params::opt("limit", limit)?, 20, 100)?;
    let request = load(pool, id.0).await?;
    let stored = Cell::from_db(request.cell.ok_or_else(ApiError::internal)?)?;
    let point = privacy::public_point(stored);
    // Read a few more per class than are shown, for those the rule turns down; more from a
    // class when the domain says an unread candidate there could still rank. A class read
    // again is read whole; the others keep what they gave (asking 0 skips their walk).
    let mut per_class: PerClass = [limit as usize + 4; REACH_CLASSES_M.len()];
    let mut ask = per_class;
    let mut by_class: Vec<Vec<Walked>> = (0..REACH_CLASSES_M.len()).map(|_| Vec::new()).collect();
    let mut conn = pool.acquire().await?;
    let matches = loop {
        let rows =
            db_volunteers::candidates_near(&mut conn, point, &request.category, &ask).await?;
        for (class, asked) in ask.iter().enumerate() {
            if *asked > 0 {
                by_class[class].clear();
            }
        }
        for r in rows {
            let class = usize::try_from(r.reach_class)
                .ok()
                .filter(|c| *c < REACH_CLASSES_M.len())
                .ok_or_else(ApiError::internal)?;
            by_class[class].push(Walked {
                candidate: r.candidate.into_candidate()?,
                class: r.reach_class,
                planar_deg: r.planar_deg,
            });
        }
        match matching::matches_from_classes(
            &request.category,
            stored,
            by_class.iter().flatten().cloned().collect(),
            &per_class,
            limit as usize,
        ) {
            Ok(found) => break found,
            Err(more) => {
                ask = [0; REACH_CLASSES_M.len()];
                for class in more {
                    per_class[class] *= 4;
                    ask[class] = per_class[class];
                }
            }
        }
    };
    let matches = matches
        .into_iter()
        .map(|m| MatchView {
            account_id: m.account_id,
            display_name: m.display_name,
            distance_band: m.distance_band,
            recent_assignments: m.recent_assignments,
        })
        .collect();
    Ok(Json(MatchList { matches }))
}
