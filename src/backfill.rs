//! Derived columns that migrations add but SQL cannot compute, because they need the
//! opening-hours parser or H3: filled by `antes migrate` for rows stored before them.

use sqlx::PgPool;

use crate::db;
use crate::domain::cells::Cell;
use crate::domain::{hours, matching};

/// Computes the weekly open minutes of places stored before they existed (migration 0006).
pub async fn open_weeks(pool: &PgPool) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let batch = db::places::hours_without_week(pool, after, 5_000).await?;
        let Some((last, _)) = batch.last() else {
            return Ok(done);
        };
        after = *last;
        let (ids, weeks): (Vec<i64>, Vec<String>) = batch
            .iter()
            .filter_map(|(id, raw)| hours::weekly_open_multirange(Some(raw)).map(|w| (*id, w)))
            .unzip();
        done += db::places::set_open_weeks(pool, &ids, &weeks).await?;
    }
}

/// Places volunteer profiles stored before migration 0007 for matching (public home point and
/// radius class). Profiles with no home cell stay unplaced: they cannot be matched until their
/// owner saves them.
pub async fn volunteer_placements(pool: &PgPool) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let batch = db::volunteers::unplaced(pool, after, 5_000).await?;
        let Some((last, _, _)) = batch.last() else {
            return Ok(done);
        };
        after = *last;
        for (id, cell, radius) in batch {
            if let Some(Ok(cell)) = cell.map(Cell::from_db) {
                db::volunteers::place(pool, id, matching::placement(cell, radius).into()).await?;
                done += 1;
            }
        }
    }
}
