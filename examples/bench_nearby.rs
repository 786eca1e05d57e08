//! Compares nearby-search strategies on a large synthetic table: the H3 candidate ranges that
//! `/api/places/nearby` uses, `ST_DWithin` on the GiST index, and GiST KNN (`<->`).
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5433/antes_bench \
//!   cargo run --release --example bench_nearby -- 200000 300
//! ```
//! The first argument is how many synthetic places to make (kept between runs, under the
//! source prefix `bench/`), the second how many queries per strategy. Use a scratch database.

use std::time::{Duration, Instant};

use antes::domain::cells::{covering_ranges, Cell, STORED_RES};
use antes::domain::geo::LatLon;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::PgPool;

const BOX: (f64, f64, f64, f64) = (-34.4, -62.9, -28.0, -58.9); // Santa Fe province

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: i64 = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200_000);
    let queries: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(300);
    let url = std::env::var("DATABASE_URL")?;
    let pool = antes::db::connect(&url).await?;
    antes::db::migrate(&pool).await?;
    fill(&pool, n).await?;
    sqlx::query("ANALYZE places").execute(&pool).await?;

    let mut rng = StdRng::seed_from_u64(7);
    let points: Vec<(LatLon, f64)> = (0..queries)
        .map(|i| {
            let p = LatLon::new(rng.gen_range(BOX.0..BOX.2), rng.gen_range(BOX.1..BOX.3)).unwrap();
            (p, [500.0, 1_500.0, 5_000.0, 20_000.0][i % 4])
        })
        .collect();
    println!("{n} places, {queries} queries per strategy, limit 20, radii 500/1500/5000/20000 m");
    for strategy in ["h3_ranges", "dwithin_gist", "knn_gist"] {
        let mut times = Vec::with_capacity(queries);
        let mut found = 0usize;
        for (p, r) in &points {
            let t = Instant::now();
            found += run(&pool, strategy, *p, *r).await?.len();
            times.push(t.elapsed());
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        let pct = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        println!(
            "{strategy:>13}: mean {:>7.2} ms  p50 {:>7.2} ms  p95 {:>7.2} ms  ({found} rows)",
            ms(mean),
            ms(pct(0.5)),
            ms(pct(0.95))
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn fill(pool: &PgPool, n: i64) -> anyhow::Result<()> {
    let have: i64 = sqlx::query_scalar("SELECT count(*) FROM places WHERE source LIKE 'bench/%'")
        .fetch_one(pool)
        .await?;
    if have >= n {
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(42);
    let mut tx = pool.begin().await?;
    for chunk_start in (have..n).step_by(5_000) {
        let end = (chunk_start + 5_000).min(n);
        let (mut lats, mut lons, mut cells, mut sources) = (vec![], vec![], vec![], vec![]);
        for i in chunk_start..end {
            let p = LatLon::new(rng.gen_range(BOX.0..BOX.2), rng.gen_range(BOX.1..BOX.3))?;
            lats.push(p.lat);
            lons.push(p.lon);
            cells.push(Cell::at(p, STORED_RES).to_db());
            sources.push(format!("bench/{i}"));
        }
        sqlx::query(
            "INSERT INTO places (kind, name, category, location, cell, source) \
             SELECT 'shop', 'bench', 'pharmacy', ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, cell, source \
             FROM unnest($1::float8[], $2::float8[], $3::bigint[], $4::text[]) AS t(lat, lon, cell, source) \
             ON CONFLICT (source) DO NOTHING",
        )
        .bind(&lats)
        .bind(&lons)
        .bind(&cells)
        .bind(&sources)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn run(pool: &PgPool, strategy: &str, p: LatLon, r: f64) -> anyhow::Result<Vec<i64>> {
    Ok(match strategy {
        "h3_ranges" => {
            let ranges = covering_ranges(p, r);
            let filter = antes::db::places::PlaceFilter::default();
            antes::db::places::nearby(pool, p, r, &ranges, &filter, None, 20)
                .await?
                .into_iter()
                .map(|row| row.place.id)
                .collect()
        }
        "dwithin_gist" => {
            sqlx::query_scalar(
                "WITH o AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS g) \
                 SELECT p.id FROM places p, o WHERE ST_DWithin(p.location, o.g, $3, false) \
                 ORDER BY ST_Distance(p.location, o.g, false), p.id LIMIT 20",
            )
            .bind(p.lon)
            .bind(p.lat)
            .bind(r)
            .fetch_all(pool)
            .await?
        }
        _ => {
            sqlx::query_scalar(
                "WITH o AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS g) \
                 SELECT id FROM (SELECT p.id, p.location <-> o.g AS d FROM places p, o \
                                 ORDER BY p.location <-> o.g LIMIT 20) k WHERE d <= $3",
            )
            .bind(p.lon)
            .bind(p.lat)
            .bind(r)
            .fetch_all(pool)
            .await?
        }
    })
}
