//! Moving a place, with everything that hangs off it, into another shard cell: what an edit
//! of its location does when the new point lies under another resolution-5 H3 parent.

use sqlx::PgConnection;

use super::citus;

/// The tables under a place, parents first, each with the column that names its parent and
/// that parent's table. Every row is copied whole, with the new shard cell.
const CHILDREN: &[(&str, &str, &str)] = &[
    ("place_organizers", "place_id", "places"),
    ("needs", "place_id", "places"),
    ("place_reports", "place_id", "places"),
    ("pledges", "need_id", "needs"),
    ("shift_signups", "need_id", "needs"),
];

/// Gives place `id` the shard cell of `cell`, if that is not its own. On one PostgreSQL an
/// UPDATE does it, and ON UPDATE CASCADE takes the rows under it along. Citus cannot change a
/// distribution column, nor plan a statement that might: there every row is copied under the
/// new shard cell, with the same ids, and the old place is deleted, which deletes the old
/// rows under it. One transaction (the caller's) either way.
pub async fn move_place(conn: &mut PgConnection, id: i64, cell: i64) -> sqlx::Result<()> {
    let from: Option<i64> = sqlx::query_scalar(
        "SELECT shard_cell FROM places WHERE id = $1 AND shard_cell <> antes_shard_cell($2)",
    )
    .bind(id)
    .bind(cell)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(from) = from else {
        return Ok(());
    };
    if !citus::on_citus() {
        sqlx::query("UPDATE places SET shard_cell = antes_shard_cell($2) WHERE id = $1")
            .bind(id)
            .bind(cell)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    copy_rows(
        conn,
        "places",
        &format!("shard_cell = $1 AND id = {id}"),
        from,
        cell,
    )
    .await?;
    for (table, parent_column, parent) in CHILDREN {
        let under = if *parent == "places" {
            format!("shard_cell = $1 AND {parent_column} = {id}")
        } else {
            format!(
                "shard_cell = $1 AND {parent_column} IN \
                 (SELECT id FROM needs WHERE shard_cell = $1 AND place_id = {id})"
            )
        };
        copy_rows(conn, table, &under, from, cell).await?;
    }
    sqlx::query("DELETE FROM places WHERE shard_cell = $1 AND id = $2")
        .bind(from)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Copies the rows of `table` matching `filter` (with `$1` the old shard cell) under the shard
/// cell of `cell`, whole: through JSON, so that every column is kept without naming it.
async fn copy_rows(
    conn: &mut PgConnection,
    table: &str,
    filter: &str,
    from: i64,
    cell: i64,
) -> sqlx::Result<()> {
    sqlx::query(&format!(
        "INSERT INTO {table} \
         SELECT (jsonb_populate_record(NULL::{table}, \
                 to_jsonb(t) || jsonb_build_object('shard_cell', antes_shard_cell($2)))).* \
         FROM {table} t WHERE {filter}"
    ))
    .bind(from)
    .bind(cell)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}
