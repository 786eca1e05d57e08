//! A neighbour's live report on a place. The reporter is known only by a keyed digest of their
//! account or client address; a new report within 30 minutes replaces their last one.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::db;
use crate::db::place_reports::NewReport;
use crate::domain::hours;
use crate::domain::live_reports::{self, Queue, Stock, Tier};
use crate::error::{ApiError, ApiResult};

/// Who reports, as stored: a digest that tells their reports apart and names nobody.
pub struct Reporter {
    pub digest: String,
    pub tier: Tier,
}

impl Reporter {
    /// `who` is `account/ID` for a signed-in reporter, `address/GROUP` otherwise; `key` is
    /// the deployment's secret, so the digest cannot be reversed by trying every id.
    pub fn new(key: &str, who: &str, tier: Tier) -> Reporter {
        let digest = Sha256::digest(format!("{key}|{who}").as_bytes());
        Reporter {
            digest: hex::encode(&digest[..16]),
            tier,
        }
    }
}

/// What the neighbour says.
pub struct Said<'a> {
    pub open: Option<bool>,
    pub queue: Option<Queue>,
    pub stock: &'a BTreeMap<String, Stock>,
}

/// Stores the report on active place `place_id`, made at `now`.
pub async fn report(
    conn: &mut PgConnection,
    tz: Tz,
    place_id: i64,
    reporter: &Reporter,
    said: &Said<'_>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let place = db::places::by_id(&mut *conn, place_id)
        .await?
        .filter(|p| p.status == "active")
        .ok_or_else(|| ApiError::not_found(format!("no place with id {place_id}")))?;
    let by_hours = hours::open_at(place.opening_hours.as_deref(), now, tz);
    let new = NewReport {
        place_id,
        reporter: &reporter.digest,
        tier: reporter.tier.as_str(),
        at: now,
        open: said.open,
        queue: said.queue.map(Queue::as_str),
        stock: said.stock,
        doubtful: live_reports::is_doubtful(said.open, by_hours),
    };
    db::place_reports::lock_reporter(conn, place_id, &reporter.digest).await?;
    match db::place_reports::latest_by_reporter(conn, place_id, &reporter.digest).await? {
        Some((id, last)) if live_reports::replaces(last, now) => {
            db::place_reports::replace(conn, id, &new).await?
        }
        _ => {
            db::place_reports::insert(conn, &new).await?;
        }
    }
    db::place_reports::mark_reported(conn, place_id, now).await?;
    Ok(())
}
