//! Live reports on places: anyone reports (open, queue, stock), coordinators review a place's
//! recent reports and hide a reporter, and anyone reads a place's reports by hour of the week.
//! No answer names a reporter or says whether a report replaced an earlier one.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::sync::OnceCell;
use utoipa::ToSchema;

use super::body::{body, JsonBody};
use super::guards::CurrentAccount;
use super::limits::{address_group, Action as Limited, Limits};
use crate::config::AppConfig;
use crate::db;
use crate::domain::live_reports::{self, LiveState, OpenSource, Queue, Stock, Tier};
use crate::domain::report_history::{self, HourOfWeek};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::operations::find_places;
use crate::operations::report_place::{self, Reporter, Said};

/// The deployment's key for reporter digests, read from the database once.
#[derive(Default)]
pub struct ReportKey(OnceCell<String>);

impl ReportKey {
    async fn get(&self, pool: &PgPool) -> sqlx::Result<&str> {
        self.0
            .get_or_try_init(|| db::place_reports::key(pool))
            .await
            .map(String::as_str)
    }
}

/// A report: at least one of the three.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportBody {
    /// Open (true) or closed (false) right now.
    pub open: Option<bool>,
    pub queue: Option<Queue>,
    /// Items from `/api/config`'s `report_items`, each `yes`, `little` or `none`.
    #[schema(value_type = Option<Object>)]
    pub stock: Option<BTreeMap<String, Stock>>,
}

/// A place's live state after a report, as anyone sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceLive {
    pub place_id: i64,
    pub live: Option<LiveState>,
    pub open_now: Option<bool>,
    pub open_now_source: Option<OpenSource>,
}

/// Report what a place is like right now. Anyone may; a signed-in neighbour's report weighs
/// more. A new report by the same neighbour within 30 minutes replaces the last one.
#[utoipa::path(post, path = "/api/places/{id}/reports", tag = "places", request_body = ReportBody,
    params(("id" = i64, Path)),
    responses((status = 201, body = PlaceLive), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`empty_report`, `unknown_stock_item`"),
        (status = 429, body = ErrorBody)))]
#[post("/api/places/<id>/reports", data = "<input>")]
#[allow(clippy::too_many_arguments)]
pub async fn report(
    pool: &State<PgPool>,
    tz: &State<Tz>,
    config: &State<AppConfig>,
    key: &State<ReportKey>,
    limits: Limits<'_>,
    account: Option<CurrentAccount>,
    id: i64,
    input: JsonBody<'_, ReportBody>,
) -> ApiResult<(Status, Json<PlaceLive>)> {
    let input = body(input)?;
    let stock = input.stock.unwrap_or_default();
    let items: Vec<&str> = config.report_items.iter().map(|i| i.id.as_str()).collect();
    live_reports::check_report(input.open, input.queue, &stock, &items)?;
    limits
        .spend(Limited::Report, account.as_ref().map(|a| a.id))
        .await?;
    let who = match (&account, limits.ip()) {
        (Some(a), _) => format!("account/{}", a.id),
        (None, Some(ip)) => format!("address/{}", address_group(ip)),
        // Rocket's local client has no address: all such reporters are one.
        (None, None) => "address/unknown".to_string(),
    };
    let tier = live_reports::tier_of(account.as_ref().map(CurrentAccount::facts).as_ref());
    let reporter = Reporter::new(key.get(pool).await?, &who, tier);
    let said = Said {
        open: input.open,
        queue: input.queue,
        stock: &stock,
    };
    let now = Utc::now();
    let mut tx = pool.begin().await?;
    report_place::report(&mut tx, **tz, id, &reporter, &said, now).await?;
    tx.commit().await?;
    let place = db::places::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    let policy = config.report_policy();
    let live = find_places::live_states(pool, &policy, [&place], now)
        .await?
        .remove(&id);
    let (open_now, open_now_source) = find_places::open_now(&place, live.as_ref(), now, **tz);
    Ok((
        Status::Created,
        Json(PlaceLive {
            place_id: id,
            live,
            open_now,
            open_now_source,
        }),
    ))
}

/// A report as coordinators review it: what it said and how it weighs, never who made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedReport {
    pub id: i64,
    pub reported_at: DateTime<Utc>,
    pub tier: Tier,
    pub open: Option<bool>,
    pub queue: Option<Queue>,
    #[schema(value_type = Object)]
    pub stock: BTreeMap<String, Stock>,
    pub doubtful: bool,
    /// A coordinator hid its reporter: it does not count.
    pub hidden: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewedReports {
    pub reports: Vec<ReviewedReport>,
}

/// Days of reports coordinators review.
const REVIEW_DAYS: i64 = 7;

/// A place's reports of the last 7 days, newest first (coordinators).
#[utoipa::path(get, path = "/api/places/{id}/reports", tag = "places", security(("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewedReports), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/api/places/<id>/reports")]
pub async fn review(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<ReviewedReports>> {
    account.require_coordinator()?;
    db::places::by_id(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    let since = Utc::now() - Duration::days(REVIEW_DAYS);
    let rows = db::place_reports::recent(&**pool, id, since, 200).await?;
    Ok(Json(ReviewedReports {
        reports: rows
            .into_iter()
            .map(|(r, hidden)| ReviewedReport {
                id: r.id,
                reported_at: r.reported_at,
                tier: Tier::from_db(&r.tier),
                open: r.open,
                queue: r.queue.as_deref().and_then(Queue::from_db),
                stock: r.stock.0,
                doubtful: r.doubtful,
                hidden,
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HiddenReporter {
    /// The reporter's stored reports, on any place, that no longer count.
    pub reports_hidden: i64,
}

/// Hide the reporter of report `id` (coordinators): none of their reports, past or future,
/// count or show. The reporter is not told.
#[utoipa::path(post, path = "/api/place-reports/{id}/hide-reporter", tag = "places",
    security(("session" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = HiddenReporter), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/api/place-reports/<id>/hide-reporter")]
pub async fn hide_reporter(
    pool: &State<PgPool>,
    account: CurrentAccount,
    id: i64,
) -> ApiResult<Json<HiddenReporter>> {
    account.require_coordinator()?;
    let reporter = db::place_reports::reporter_of(&**pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no report with id {id}")))?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "report {id} is too old: who made it is no longer kept"
            ))
        })?;
    let mut tx = pool.begin().await?;
    let reports_hidden = db::place_reports::hide_reporter(&mut tx, &reporter, account.id).await?;
    tx.commit().await?;
    Ok(Json(HiddenReporter { reports_hidden }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportHistory {
    pub weeks: i64,
    /// Whether enough reports exist to say what is usual; until then `hours` is empty.
    pub enough_data: bool,
    /// Hours of the week with reports (Monday 00:00–01:00 local is 0).
    pub hours: Vec<HourOfWeek>,
    /// Hours of the week in which long queues are usual.
    pub usual_long_queue: Vec<i32>,
}

/// A place's reports over the last 8 weeks by hour of the week, for "usually long queues on
/// Monday mornings".
#[utoipa::path(get, path = "/api/places/{id}/report-history", tag = "places",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReportHistory), (status = 404, body = ErrorBody)))]
#[get("/api/places/<id>/report-history")]
pub async fn history(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    id: i64,
) -> ApiResult<Json<ReportHistory>> {
    db::places::by_id(&**pool, id)
        .await?
        .filter(|p| p.status == "active")
        .ok_or_else(|| ApiError::not_found(format!("no place with id {id}")))?;
    let since = Utc::now() - Duration::weeks(report_history::HISTORY_WEEKS);
    let hours = db::place_reports::by_hour_of_week(&**pool, id, since, &config.timezone).await?;
    let enough_data = report_history::enough_history(&hours);
    Ok(Json(ReportHistory {
        weeks: report_history::HISTORY_WEEKS,
        enough_data,
        usual_long_queue: report_history::usual_long_queues(&hours),
        hours: if enough_data { hours } else { Vec::new() },
    }))
}
