//! `antes bench-data`: deterministic national-scale data for benchmarks, loaded through `COPY`
//! in one transaction, and the same places as an Overpass JSON file for the import benchmark.

pub mod cities;
pub mod generate;

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{SecondsFormat, Utc};
use indicatif::ProgressBar;
use sqlx::PgPool;

use crate::db::bench as db_bench;
use crate::db::bulk::{self, CopyIn, CopyRows, Table};
use crate::domain::cells::{self, Cell};
use crate::domain::shards::shard_cell;
use crate::domain::{matching, privacy};
use generate::{Generator, HoursPool};

/// The radius the benchmark searches within, in metres.
pub const BENCH_RADIUS_M: f64 = 1_500.0;

/// Rows per `COPY` chunk.
const CHUNK: u64 = 20_000;

#[derive(Debug, Clone)]
pub struct Options {
    pub places: u64,
    pub volunteers: u64,
    pub requests: u64,
    pub seed: u64,
    /// Points to search around.
    pub points: u64,
    /// Volunteers whose task lists, and requests whose matches, the benchmark asks for.
    pub samples: i64,
}

/// Rows written per table and how long each took.
#[derive(Debug, Default)]
pub struct Report {
    pub tables: Vec<(&'static str, u64, Duration)>,
    pub indexes: Duration,
    pub total: Duration,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, rows, took) in &self.tables {
            writeln!(
                f,
                "{table:>18}: {rows:>9} rows in {:>6.1} s = {:>7.0} rows/s",
                took.as_secs_f64(),
                *rows as f64 / took.as_secs_f64().max(1e-9)
            )?;
        }
        let rows: u64 = self.tables.iter().map(|t| t.1).sum();
        writeln!(
            f,
            "{:>18}: {:>6.1} s",
            "indexes",
            self.indexes.as_secs_f64()
        )?;
        writeln!(
            f,
            "{:>18}: {rows:>9} rows in {:>6.1} s = {:>7.0} rows/s (with indexes, samples and ANALYZE)",
            "total",
            self.total.as_secs_f64(),
            rows as f64 / self.total.as_secs_f64().max(1e-9)
        )
    }
}

/// Opening hours as the real OSM fixture has them.
pub fn fixture_hours() -> anyhow::Result<HoursPool> {
    let parsed = crate::import::parse(crate::seed::OSM_PHARMACIES)?;
    Ok(HoursPool::from_values(
        parsed.places.iter().map(|p| p.opening_hours.as_deref()),
    ))
}

/// Loads the data into an empty, migrated database. Everything lands or nothing does.
pub async fn load(pool: &PgPool, opts: &Options, bar: &ProgressBar) -> anyhow::Result<Report> {
    let (places, accounts, requests) = bulk::occupied(pool).await?;
    if places + accounts + requests > 0 {
        bail!(
            "bench-data needs an empty database, and this one has {places} places, {accounts} \
             accounts and {requests} help requests; create a scratch one (createdb antes_bench, \
             then DATABASE_URL=.../antes_bench antes migrate)"
        );
    }
    let gen = Generator::new(opts.seed, fixture_hours()?);
    let started = Instant::now();
    let mut report = Report::default();
    bar.set_length(opts.places + 2 * opts.volunteers + opts.requests);
    bar.set_message("copying");
    let mut tx = pool.begin().await?;
    // The tables are empty: build their indexes once, after the rows are in and places are in
    // cell order, as a first import writes them.
    bulk::roomy_transaction(&mut tx).await?;
    let mut indexes = Vec::new();
    for table in [
        "places",
        "volunteer_profiles",
        "help_requests",
        "request_events",
    ] {
        indexes.extend(bulk::drop_indexes(&mut tx, table, &["places_cell_btree"]).await?);
    }

    let t = Instant::now();
    let mut rng = gen.rng(1);
    let mut copy = CopyIn::start(&mut tx, Table::Places).await?;
    let mut rows = CopyRows::new();
    for n in 0..opts.places {
        let p = gen.place(n, &mut rng);
        rows.text(p.kind)
            .text(&p.name)
            .text(p.category)
            .point(p.point.lon, p.point.lat)
            .plain(p.cell)
            .opt_text(p.opening_hours)
            .plain(format_args!("bench/{n}"))
            .opt_text(p.open_week)
            .plain(shard_cell(p.cell))
            .end_row();
        flush(&mut copy, &mut rows, bar, false).await?;
    }
    flush(&mut copy, &mut rows, bar, true).await?;
    report
        .tables
        .push(("places", copy.finish().await?, t.elapsed()));

    // Volunteers are accounts with a password nobody knows.
    let t = Instant::now();
    let hash = crate::secrets::hash_password(&crate::secrets::new_token())?;
    let now = Utc::now();
    let stamp = |ago_s: i64| {
        (now - chrono::Duration::seconds(ago_s)).to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let volunteers: Vec<_> = {
        let mut rng = gen.rng(2);
        (1..=opts.volunteers as i64)
            .map(|id| gen.volunteer(id, &mut rng))
            .collect()
    };
    let mut copy = CopyIn::start(&mut tx, Table::Accounts).await?;
    for v in &volunteers {
        rows.plain(v.id)
            .plain(format_args!("bench-{}@example.invalid", v.id))
            .text(&hash)
            .plain(format_args!("Voluntario {}", v.id))
            .text("volunteer")
            .plain(v.verified)
            .opt_plain(v.suspended.then(|| stamp(86_400)))
            .end_row();
        flush(&mut copy, &mut rows, bar, false).await?;
    }
    flush(&mut copy, &mut rows, bar, true).await?;
    report
        .tables
        .push(("accounts", copy.finish().await?, t.elapsed()));

    let t = Instant::now();
    let mut copy = CopyIn::start(&mut tx, Table::VolunteerProfiles).await?;
    for v in &volunteers {
        let (public_home, reach_class) =
            matching::placement(Cell::from_db(v.home_cell)?, v.radius_m);
        rows.plain(v.id)
            .words(&v.skills)
            .point(v.home.lon, v.home.lat)
            .plain(v.home_cell)
            .plain(v.radius_m)
            .plain(v.on_duty)
            .plain(v.max_open)
            .point(public_home.lon, public_home.lat)
            .plain(reach_class)
            .end_row();
        flush(&mut copy, &mut rows, bar, false).await?;
    }
    flush(&mut copy, &mut rows, bar, true).await?;
    report
        .tables
        .push(("volunteer_profiles", copy.finish().await?, t.elapsed()));
    bulk::sync_account_ids(&mut *tx).await?;

    let t = Instant::now();
    let assignable: Vec<i64> = volunteers
        .iter()
        .filter(|v| v.verified && !v.suspended)
        .map(|v| v.id)
        .collect();
    drop(volunteers);
    let mut rng = gen.rng(3);
    let mut claims = Vec::new();
    let mut copy = CopyIn::start(&mut tx, Table::HelpRequests).await?;
    for n in 0..opts.requests {
        let r = gen.request(&mut rng, &assignable);
        let assigned_ago = r.age_s / 2;
        if let Some(a) = r.assignee {
            claims.push((r.id, shard_cell(r.area_cell), a, assigned_ago));
        }
        rows.plain(r.id)
            .text(r.category)
            .point(r.point.lon, r.point.lat)
            .plain(r.cell)
            .plain(r.area_cell)
            .plain(format_args!("Vecina {n}"))
            .text("+54 11 4000-0000")
            .opt_plain(r.needed_in_s.map(|s| stamp(-s)))
            .text(r.urgency)
            .text(r.status)
            .plain(format_args!("{:064x}", n))
            .opt_plain(r.assignee)
            .opt_plain(r.assignee.map(|_| stamp(assigned_ago)))
            .opt_plain((r.status == "done").then(|| stamp(r.age_s / 3)))
            .plain(stamp(r.age_s))
            .plain(shard_cell(r.area_cell))
            .end_row();
        flush(&mut copy, &mut rows, bar, false).await?;
    }
    flush(&mut copy, &mut rows, bar, true).await?;
    report
        .tables
        .push(("help_requests", copy.finish().await?, t.elapsed()));

    let t = Instant::now();
    let mut copy = CopyIn::start(&mut tx, Table::RequestEvents).await?;
    for (request, shard, account, ago) in &claims {
        rows.plain(request)
            .plain(shard)
            .plain(account)
            .text("account")
            .text("claimed")
            .plain(stamp(*ago))
            .end_row();
    }
    flush(&mut copy, &mut rows, bar, true).await?;
    report
        .tables
        .push(("request_events", copy.finish().await?, t.elapsed()));

    let t = Instant::now();
    bar.set_message("ordering places by cell");
    bulk::cluster_places(&mut *tx).await?;
    bar.set_message("building indexes");
    bulk::create_indexes(&mut tx, &indexes).await?;
    report.indexes = t.elapsed();
    write_samples(&mut tx, &gen, opts).await?;
    bulk::analyze(&mut *tx).await?;
    tx.commit().await?;
    bar.finish_and_clear();
    report.total = started.elapsed();
    Ok(report)
}

/// Sends the rows so far when a chunk is full, or always at the end.
async fn flush(
    copy: &mut CopyIn<'_>,
    rows: &mut CopyRows,
    bar: &ProgressBar,
    last: bool,
) -> sqlx::Result<()> {
    if rows.rows() >= CHUNK || (last && !rows.is_empty()) {
        bar.inc(rows.rows());
        copy.send(rows.take()).await?;
    }
    Ok(())
}

/// The benchmark's query points, and task and match samples with the parameters the app
/// computes for them (the domain's covers and public points).
async fn write_samples(
    tx: &mut sqlx::PgConnection,
    gen: &Generator,
    opts: &Options,
) -> anyhow::Result<()> {
    db_bench::recreate_tables(&mut *tx).await?;
    let mut rng = gen.rng(4);
    for id in 1..=opts.points {
        let q = gen.query_point(&mut rng);
        let cover = cells::covering_ranges(q.point, BENCH_RADIUS_M);
        db_bench::insert_point(
            &mut *tx,
            id as i32,
            q.point.lat,
            q.point.lon,
            q.category,
            &cover,
        )
        .await?;
    }
    for (i, s) in db_bench::task_samples(&mut *tx, opts.samples)
        .await?
        .into_iter()
        .enumerate()
    {
        let home = Cell::from_db(s.home_cell)?;
        let cover = privacy::reach_cover(home, s.radius_m);
        db_bench::insert_tasks(&mut *tx, s.account_id, i as i32 + 1, &cover, &s.skills).await?;
    }
    let mut ids = Vec::new();
    let (mut lat, mut lon, mut category) = (Vec::new(), Vec::new(), Vec::new());
    for (id, cell, cat) in db_bench::match_samples(&mut *tx, opts.samples).await? {
        let p = privacy::public_point(Cell::from_db(cell)?);
        ids.push(id);
        lat.push(p.lat);
        lon.push(p.lon);
        category.push(cat);
    }
    db_bench::insert_matches(&mut *tx, &ids, &lat, &lon, &category).await?;
    Ok(())
}

/// Writes `places` places as an Overpass API JSON file of tagged nodes (the same places
/// that `load` stores), for `antes import osm`. Returns the elements written.
pub fn write_overpass(
    path: &std::path::Path,
    places: u64,
    seed: u64,
    bar: &ProgressBar,
) -> anyhow::Result<u64> {
    let gen = Generator::new(seed, fixture_hours()?);
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    bar.set_length(places);
    let mut rng = gen.rng(1);
    out.write_all(b"{\"version\":0.6,\"generator\":\"antes bench-data\",\"elements\":[\n")?;
    for n in 0..places {
        let p = gen.place(n, &mut rng);
        let mut tags = serde_json::Map::new();
        for (k, v) in p.tags.iter().take(1) {
            if *k == "social_facility" {
                tags.insert("amenity".into(), "social_facility".into());
            }
            tags.insert((*k).into(), (*v).into());
        }
        tags.insert("name".into(), p.name.into());
        if let Some(h) = p.opening_hours {
            tags.insert("opening_hours".into(), h.into());
        }
        let element = serde_json::json!({
            "type": "node", "id": n + 1, "lat": p.point.lat, "lon": p.point.lon, "tags": tags,
        });
        if n > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut out, &element)?;
        if n % 10_000 == 0 {
            bar.set_position(n);
        }
    }
    out.write_all(b"\n]}\n")?;
    out.flush()?;
    bar.finish_and_clear();
    Ok(places)
}
