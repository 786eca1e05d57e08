//! Bulk loading through `COPY ... FROM STDIN` in PostgreSQL's text format: an encoder for
//! rows, and the statements for each table that is loaded in bulk.

use std::fmt::Write as _;

use sqlx::{PgConnection, PgExecutor};

/// Rows in `COPY` text format: tab-separated, `\N` for NULL, backslash escapes.
#[derive(Default)]
pub struct CopyRows {
    buf: String,
    fresh_row: bool,
    rows: u64,
}

impl CopyRows {
    pub fn new() -> Self {
        CopyRows {
            buf: String::with_capacity(1 << 20),
            fresh_row: true,
            rows: 0,
        }
    }

    fn sep(&mut self) {
        if !self.fresh_row {
            self.buf.push('\t');
        }
        self.fresh_row = false;
    }

    /// A value whose text form needs no escaping (numbers, booleans, ids, timestamps).
    pub fn plain(&mut self, v: impl std::fmt::Display) -> &mut Self {
        self.sep();
        write!(self.buf, "{v}").expect("writing to a String");
        self
    }

    pub fn text(&mut self, v: &str) -> &mut Self {
        self.sep();
        for c in v.chars() {
            match c {
                '\\' => self.buf.push_str("\\\\"),
                '\t' => self.buf.push_str("\\t"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                c => self.buf.push(c),
            }
        }
        self
    }

    pub fn opt_text(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub fn opt_plain(&mut self, v: Option<impl std::fmt::Display>) -> &mut Self {
        match v {
            Some(v) => self.plain(v),
            None => self.null(),
        }
    }

    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.push_str("\\N");
        self
    }

    /// A WGS 84 point for a `geography` column.
    pub fn point(&mut self, lon: f64, lat: f64) -> &mut Self {
        self.plain(format_args!("SRID=4326;POINT({lon} {lat})"))
    }

    /// A `text[]` of simple words (no quoting needed).
    pub fn words(&mut self, words: &[&str]) -> &mut Self {
        self.plain(format_args!("{{{}}}", words.join(",")))
    }

    pub fn end_row(&mut self) {
        self.buf.push('\n');
        self.fresh_row = true;
        self.rows += 1;
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Takes the rows so far, leaving the encoder empty.
    pub fn take(&mut self) -> String {
        self.rows = 0;
        std::mem::take(&mut self.buf)
    }
}

/// A `COPY` in progress on one connection: send chunks, then finish.
pub struct CopyIn<'c> {
    inner: sqlx::postgres::PgCopyIn<&'c mut PgConnection>,
}

impl<'c> CopyIn<'c> {
    pub async fn start(conn: &'c mut PgConnection, table: Table) -> sqlx::Result<CopyIn<'c>> {
        Ok(CopyIn {
            inner: conn.copy_in_raw(table.statement()).await?,
        })
    }

    pub async fn send(&mut self, chunk: String) -> sqlx::Result<()> {
        self.inner.send(chunk.into_bytes()).await.map(|_| ())
    }

    pub async fn finish(self) -> sqlx::Result<u64> {
        self.inner.finish().await
    }

    /// Ends the `COPY` with an error, so the connection stays usable and nothing is written.
    pub async fn abort(self, reason: &str) -> sqlx::Result<()> {
        self.inner.abort(reason).await
    }
}

/// The tables loaded in bulk, each with the columns its rows give in order.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    /// kind, name, category, location, cell, opening_hours, source, open_week, shard_cell
    Places,
    /// id, email, password_hash, display_name, role, verified, suspended_at
    Accounts,
    /// account_id, skills, home, home_cell, radius_m, on_duty, max_open, public_home,
    /// reach_class
    VolunteerProfiles,
    /// id, category, location, cell, area_cell, contact_name, contact_phone, needed_by,
    /// urgency, status, manage_token_hash, assignee, assigned_at, closed_at, created_at,
    /// shard_cell
    HelpRequests,
    /// request_id, shard_cell, account_id, actor, action, created_at
    RequestEvents,
    /// `import_staging`: seq, source, kind, name, category, location, cell, opening_hours,
    /// address, phone, description, meals_per_day, open_week
    ImportStaging,
}

impl Table {
    fn statement(self) -> &'static str {
        match self {
            Table::Places => {
                "COPY places (kind, name, category, location, cell, opening_hours, source, \
                 open_week, shard_cell) FROM STDIN"
            }
            Table::Accounts => {
                "COPY accounts (id, email, password_hash, display_name, role, verified, \
                 suspended_at) FROM STDIN"
            }
            Table::VolunteerProfiles => {
                "COPY volunteer_profiles (account_id, skills, home, home_cell, radius_m, on_duty, \
                 max_open, public_home, reach_class) FROM STDIN"
            }
            Table::HelpRequests => {
                "COPY help_requests (id, category, location, cell, area_cell, contact_name, \
                 contact_phone, needed_by, urgency, status, manage_token_hash, assignee, \
                 assigned_at, closed_at, created_at, shard_cell) FROM STDIN"
            }
            Table::RequestEvents => {
                "COPY request_events (request_id, shard_cell, account_id, actor, action, created_at) \
                 FROM STDIN"
            }
            Table::ImportStaging => {
                "COPY import_staging (seq, source, kind, name, category, location, cell, \
                 opening_hours, address, phone, description, meals_per_day, open_week) \
                 FROM STDIN"
            }
        }
    }
}

/// Gives the rest of this transaction memory for sorts and index builds, so that bulk work
/// does not spill to disk.
pub async fn roomy_transaction(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query("SET LOCAL work_mem = '256MB'")
        .execute(&mut *conn)
        .await?;
    if super::citus::detect(&mut *conn).await? {
        // Citus refuses to write a reference table (accounts) in a transaction that already
        // ran DDL (the dropped indexes) over several shards in parallel...
        // Nor may it run a command over several shards after writing the coordinator's own
        // copy of a reference table locally.
        for setting in [
            "SET LOCAL citus.multi_shard_modify_mode = 'sequential'",
            "SET LOCAL citus.enable_local_execution = off",
        ] {
            sqlx::query(setting).execute(&mut *conn).await?;
        }
    }
    sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Drops the indexes of `table` that back no constraint, returning their definitions for
/// [`create_indexes`]: loading first and indexing after is several times faster than
/// maintaining a GiST index row by row.
/// `keep` names indexes to leave in place.
pub async fn drop_indexes(
    conn: &mut PgConnection,
    table: &str,
    keep: &[&str],
) -> sqlx::Result<Vec<String>> {
    let defs: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) \
         FROM pg_index i \
         WHERE i.indrelid = $1::regclass AND NOT (i.indexrelid::regclass::text = ANY ($2)) \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
    )
    .bind(table)
    .bind(keep)
    .fetch_all(&mut *conn)
    .await?;
    for (name, _) in &defs {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(defs.into_iter().map(|(_, def)| def).collect())
}

pub async fn create_indexes(conn: &mut PgConnection, defs: &[String]) -> sqlx::Result<()> {
    for def in defs {
        sqlx::query(def).execute(&mut *conn).await?;
    }
    Ok(())
}

/// How many rows the tables that bench data fills already hold.
pub async fn occupied(exec: impl PgExecutor<'_>) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM places), (SELECT count(*) FROM accounts), \
                (SELECT count(*) FROM help_requests)",
    )
    .fetch_one(exec)
    .await
}

/// Moves the account id sequence past ids given explicitly.
pub async fn sync_account_ids(exec: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('accounts', 'id'), \
                       GREATEST((SELECT max(id) FROM accounts), 1))",
    )
    .execute(exec)
    .await
    .map(|_| ())
}

/// Rewrites `places` in cell order, so that neighbours share pages (as a first import leaves
/// them).
pub async fn cluster_places(exec: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("CLUSTER places USING places_cell_btree")
        .execute(exec)
        .await
        .map(|_| ())
}

pub async fn analyze(exec: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query("ANALYZE places, accounts, volunteer_profiles, help_requests, request_events")
        .execute(exec)
        .await
        .map(|_| ())
}
