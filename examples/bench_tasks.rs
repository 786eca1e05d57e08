//! Times the work behind `/api/me/tasks`: the cell-range prefilter in SQL and the selection,
//! order and cut-off by public cells in the domain, on many synthetic open requests.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5433/antes_bench \
//!   cargo run --release --example bench_tasks -- 20000 200
//! ```
//! The first argument is how many open requests to make around Santa Fe city (kept between
//! runs, marked by their description), the second how many task lists to build per radius.
//! Use a scratch database.

use std::time::{Duration, Instant};

use antes::db::requests::{self as db_requests, NewRequest};
use antes::domain::cells::{Cell, STORED_RES};
use antes::domain::geo::LatLon;
use antes::domain::privacy::{self, OpenRequest};
use antes::domain::public_counts::ROLLUP_RES;
use antes::domain::requests::{Status, CATEGORIES};
use rand::{rngs::StdRng, Rng, SeedableRng};

const BOX: (f64, f64, f64, f64) = (-31.80, -60.85, -31.45, -60.55); // Santa Fe and around

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: i64 = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let lists: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let pool = antes::db::connect(&std::env::var("DATABASE_URL")?).await?;
    antes::db::migrate(&pool).await?;
    let have: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM help_requests WHERE description = 'bench' AND status = 'open'",
    )
    .fetch_one(&pool)
    .await?;
    let mut rng = StdRng::seed_from_u64(11);
    let mut tx = pool.begin().await?;
    for _ in have..n {
        let p = LatLon::new(rng.gen_range(BOX.0..BOX.2), rng.gen_range(BOX.1..BOX.3))?;
        let cell = Cell::at(p, STORED_RES);
        db_requests::insert(
            &mut *tx,
            &NewRequest {
                category: CATEGORIES[rng.gen_range(0..CATEGORIES.len())],
                description: Some("bench"),
                location: p,
                cell: cell.to_db(),
                area_cell: cell.parent(ROLLUP_RES).unwrap_or(cell).to_db(),
                address_detail: None,
                contact_name: "bench",
                contact_phone: "+54 342 400-0000",
                on_behalf_of: false,
                needed_by: None,
                urgency: ["low", "normal", "high"][rng.gen_range(0..3)],
                status: Status::Open,
                manage_token_hash: "bench",
                created_by: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE help_requests").execute(&pool).await?;

    let skills: Vec<String> = CATEGORIES.iter().map(|c| c.to_string()).collect();
    println!("{n} open requests, {lists} task lists per radius, every skill");
    for radius in [1_000.0, 5_000.0, 20_000.0, 50_000.0] {
        let mut times = Vec::with_capacity(lists);
        let mut shown = 0usize;
        for _ in 0..lists {
            let home = Cell::at(
                LatLon::new(rng.gen_range(BOX.0..BOX.2), rng.gen_range(BOX.1..BOX.3))?,
                STORED_RES,
            );
            let t = Instant::now();
            let rows =
                db_requests::open_in_cells(&pool, &privacy::reach_cover(home, radius), &skills)
                    .await?;
            let open = rows
                .into_iter()
                .map(|r| {
                    Ok(OpenRequest {
                        id: r.id,
                        urgency: r.urgency.parse()?,
                        category: r.category,
                        needed_by: r.needed_by,
                        stored: Cell::from_db(r.cell)?,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            shown += privacy::task_list(home, radius, &skills, open).len();
            times.push(t.elapsed());
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        let pct = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        println!(
            "radius {:>6} m: mean {:>7.2} ms  p50 {:>7.2} ms  p95 {:>7.2} ms  ({} tasks a list on average)",
            radius,
            ms(mean),
            ms(pct(0.5)),
            ms(pct(0.95)),
            shown / lists
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
