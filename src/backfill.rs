//! Derived columns that migrations add but SQL cannot compute, because they need the
//! opening-hours parser or H3: filled by `antes migrate` for rows stored before them.

use sqlx::PgPool;

use crate::db;
use crate::domain::cells::Cell;
use crate::domain::{hours, privacy};

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

/// Computes the reach box of volunteer profiles stored before it existed (migration 0007).
/// Profiles with no home cell keep none: they cannot be matched until their owner saves them.
pub async fn reach_boxes(pool: &PgPool) -> anyhow::Result<u64> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let batch = db::volunteers::without_reach(pool, after, 5_000).await?;
        let Some((last, _, _)) = batch.last() else {
            return Ok(done);
        };
        after = *last;
        for (id, cell, radius) in batch {
            if let Some(Ok(cell)) = cell.map(Cell::from_db) {
                db::volunteers::set_reach(pool, id, privacy::reach_box(cell, radius)).await?;
                done += 1;
            }
        }
    }
}
