//! Rebuilding the counts of places per H3 cell that the map's tiles below zoom 13 read.

use sqlx::PgPool;

use crate::db;
use crate::domain::tiles::{parent_masks, MAX_CELL_RES};

/// Rebuilds every resolution's counts in one transaction; returns the rows written.
pub async fn rebuild(pool: &PgPool) -> sqlx::Result<u64> {
    let parents: Vec<(u8, i64, i64)> = (0..=MAX_CELL_RES)
        .map(|res| {
            let (keep, set) = parent_masks(res);
            (res, keep, set)
        })
        .collect();
    let mut tx = pool.begin().await?;
    let rows = db::tiles::rebuild_cell_counts(&mut tx, &parents).await?;
    tx.commit().await?;
    Ok(rows)
}

/// Rebuilds the counts when places changed since the last rebuild; returns the rows written.
pub async fn rebuild_if_stale(pool: &PgPool) -> sqlx::Result<u64> {
    if db::tiles::cell_counts_stale(pool).await? {
        rebuild(pool).await
    } else {
        Ok(0)
    }
}
