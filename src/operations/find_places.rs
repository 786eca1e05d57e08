//! Finding places with their live state: the reports that still count are read only for places
//! that have some, and combined by `domain::live_reports`; nearby search then filters on what
//! the combined state says ("open now", "no queue").

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

use crate::db;
use crate::db::place_reports::ReportRow;
use crate::db::places::{NearbyRow, PlaceFilter, PlaceRow};
use crate::domain::geo::LatLon;
use crate::domain::hours;
use crate::domain::live_reports::{self, LiveState, OpenSource, Policy, Queue, Report, Tier};
use crate::domain::nearest::{self, Prefix};

/// Whether a place is open at `at`, and from what: a fresh, confident live report wins over
/// the hours (judged in SQL for weekly hours, by the crate for the rest).
pub fn open_now(
    row: &PlaceRow,
    live: Option<&LiveState>,
    at: DateTime<Utc>,
    tz: Tz,
) -> (Option<bool>, Option<OpenSource>) {
    let by_hours = row
        .open_by_week
        .or_else(|| hours::open_at(row.opening_hours.as_deref(), at, tz));
    live_reports::open_now(live, by_hours)
}

/// The live state of each of these places that has reports still counting at `now`.
pub async fn live_states<'a>(
    pool: &PgPool,
    policy: &Policy,
    rows: impl IntoIterator<Item = &'a PlaceRow>,
    now: DateTime<Utc>,
) -> sqlx::Result<HashMap<i64, LiveState>> {
    let since = policy.counted_since(now);
    let ids: Vec<i64> = rows
        .into_iter()
        .filter(|r| r.last_report_at.is_some_and(|t| t >= since))
        .map(|r| r.id)
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut by_place: BTreeMap<i64, Vec<Report>> = BTreeMap::new();
    for row in db::place_reports::counted(pool, &ids, since).await? {
        by_place
            .entry(row.place_id)
            .or_default()
            .push(as_report(row));
    }
    Ok(by_place
        .into_iter()
        .filter_map(|(id, reports)| live_reports::combine(policy, &reports, now).map(|l| (id, l)))
        .collect())
}

/// A stored report as the combining sees it; a report whose reporter was erased counts as its
/// own reporter.
pub fn as_report(row: ReportRow) -> Report {
    Report {
        reporter: row.reporter.unwrap_or_else(|| format!("report/{}", row.id)),
        tier: Tier::from_db(&row.tier),
        at: row.reported_at,
        open: row.open,
        queue: row.queue.as_deref().and_then(Queue::from_db),
        stock: row.stock.0,
        doubtful: row.doubtful,
    }
}

/// A nearby search as asked.
#[derive(Debug, Clone)]
pub struct NearbySearch {
    pub origin: LatLon,
    pub radius_m: f64,
    pub filter: PlaceFilter,
    pub at: DateTime<Utc>,
    pub only_open: bool,
    /// Only places where neighbours agree, confidently, that there is no queue.
    pub no_queue: bool,
    pub limit: i64,
}

/// A place found nearby, with its live state if it has one.
pub struct Found {
    pub row: NearbyRow,
    pub live: Option<LiveState>,
}

/// The nearest `limit` places that pass the search's filters. Places are read by two walks:
/// by their hours (unless only a live state can qualify them) and, when a live report can
/// decide, by their recent reports. Both are read nearest first and merged exactly; when too
/// few pass the filters, both read on with four times the rows, until the circle is exhausted.
pub async fn nearby(
    pool: &PgPool,
    policy: &Policy,
    tz: Tz,
    s: &NearbySearch,
) -> sqlx::Result<Vec<Found>> {
    let minute = hours::minute_of_week(s.at, tz);
    let since = policy.counted_since(s.at);
    // With `open_now`, read twice the limit at first, for the hours the crate turns down.
    let mut scan = if s.only_open { 2 * s.limit } else { s.limit };
    loop {
        let mut lists = Vec::new();
        if !s.no_queue {
            let rows = db::places::nearby(
                pool,
                s.origin,
                s.radius_m,
                &s.filter,
                minute,
                s.only_open,
                scan,
            )
            .await?;
            lists.push(prefix(rows, scan));
        }
        if s.no_queue || s.only_open {
            let rows = db::places::reported_nearby(
                pool, s.origin, s.radius_m, &s.filter, minute, since, scan,
            )
            .await?;
            lists.push(prefix(rows, scan));
        }
        let (rows, complete) = nearest::merge(lists, |r: &NearbyRow| (r.distance_m, r.place.id));
        let mut live = live_states(pool, policy, rows.iter().map(|r| &r.place), s.at).await?;
        let found: Vec<Found> = rows
            .into_iter()
            .map(|row| Found {
                live: live.remove(&row.place.id),
                row,
            })
            .filter(|f| !s.no_queue || f.live.as_ref().is_some_and(LiveState::no_queue))
            .filter(|f| {
                !s.only_open || open_now(&f.row.place, f.live.as_ref(), s.at, tz).0 == Some(true)
            })
            .take(s.limit as usize)
            .collect();
        if found.len() as i64 == s.limit || complete {
            return Ok(found);
        }
        scan *= 4;
    }
}

fn prefix(rows: Vec<NearbyRow>, scan: i64) -> Prefix<NearbyRow> {
    Prefix {
        complete: (rows.len() as i64) < scan,
        items: rows,
    }
}

/// "Open now" and the live state of the tile's places that SQL cannot judge (hours that are
/// not weekly, recent reports), as the tile query takes them.
pub async fn judge_for_tile(
    pool: &PgPool,
    policy: &Policy,
    tz: Tz,
    rows: &[PlaceRow],
    now: DateTime<Utc>,
) -> sqlx::Result<db::tiles::Judged> {
    let mut live = live_states(pool, policy, rows, now).await?;
    let mut judged = db::tiles::Judged::default();
    for row in rows {
        let state = live.remove(&row.id);
        let (open, source) = open_now(row, state.as_ref(), now, tz);
        judged.ids.push(row.id);
        judged.open_now.push(open);
        judged.source.push(source.map(OpenSource::as_str));
        judged.live_queue.push(
            state
                .as_ref()
                .and_then(|s| s.queue.as_ref())
                .and_then(|q| q.value)
                .map(Queue::as_str),
        );
        judged.live_age_min.push(
            state
                .as_ref()
                .map(|s| (now - s.reported_at).num_minutes().max(1) as i32),
        );
    }
    Ok(judged)
}
