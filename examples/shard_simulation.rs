//! How well would Citus shards keyed by an H3 parent keep the app's geographic queries on one
//! shard? See SCALING.md.
//!
//! Citus would distribute `places`, `help_requests` and `volunteer_profiles` by a `shard_cell`
//! column: the parent, at resolution 3, 4 or 5, of each row's stored res-9 cell. For each of
//! those resolutions this draws the same national-scale data as `antes bench-data` (the same
//! generator, seed and rng streams: 1 places, 2 volunteers, 3 requests, 4 query points) and
//! counts, per query, the shard keys (distinct parents) it must read:
//!
//! - nearby (`/api/places/nearby`, 1500 m): the parents of every res-9 cell that the circle
//!   touches. The cells are found exactly, not sampled: every res-9 cell of a grid disk whose
//!   hexagon lies within 1500 m of the query point (point-to-polygon distance in a local plane,
//!   which at 2 km is off by millimetres). Also printed for reference: the same count over the
//!   cells of `cells::covering_ranges`, the coarser superset the H3-range strategy reads.
//! - tasks (`/api/me/tasks`): for the first volunteers, the parents of every compacted cell of
//!   `privacy::reach_cover(home_cell, radius)` (its children at the shard resolution when the
//!   compacted cell is coarser than that).
//! - matches (`/api/requests/<id>/matches`): the matching query has no shard key, so as written
//!   it reads every shard. Routed by the request's shard (plus neighbours), what matters is
//!   where the eligible volunteers live: for each open request, the volunteers for whom
//!   `privacy::within_reach(home_cell, radius, request_cell)` holds (skills, duty and
//!   verification ignored: every profile in reach counts). Reported over the requests that have
//!   at least one: the share whose eligible volunteers all live in the request's own shard, and
//!   the mean number of distinct shards holding them. A second table says how often routing
//!   to the request's shard and its six neighbours would find them all, and how many shards a
//!   complete routing reads: the shards of `privacy::reach_cover(request, largest radius)`
//!   (reach is symmetric, so those cells hold every volunteer who could reach the request).
//! - data: the shard keys holding any row (places, volunteers, requests), the share of rows in
//!   the largest, and how many of the largest hold half the rows (one key cannot be split
//!   across workers, so this is the hot spot).
//!
//! Matching is indexed: volunteers are grouped by their res-8 public cell (within_reach measures
//! between public points, so the largest radius in a cell decides for the cell, and a
//! volunteer's shard is the parent of that cell), and each request looks only at the cells of a
//! grid disk wide enough for the largest radius generated (10 km; computed from the data, with
//! the one-edge-per-ring floor that `reach_cover` uses). A few requests are checked against a
//! brute-force scan of every volunteer with `privacy::within_reach` itself.
//!
//! "Shards" here are distribution values (H3 parents). Citus hashes values into a fixed number
//! of physical shards, so two values may share one; a query over one value always reads one.
//!
//! Run (release; a few seconds with the defaults):
//!
//! ```text
//! cargo run --release --example shard_simulation -- [seed] [volunteers] [requests] [points] [places] [task_samples]
//! ```
//!
//! Defaults: seed 1, 200000 volunteers, 100000 requests, 2000 query points, 1000000 places
//! (`antes bench-data`'s default, used only to count the shards holding data), 20000 task lists.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use antes::bench_data::fixture_hours;
use antes::bench_data::generate::Generator;
use antes::domain::cells::{covering_ranges, Cell, PUBLIC_RES, STORED_RES};
use antes::domain::geo::LatLon;
use antes::domain::privacy;
use h3o::{CellIndex, Resolution};

const SHARD_RES: [Resolution; 3] = [Resolution::Three, Resolution::Four, Resolution::Five];
const NEARBY_RADIUS_M: f64 = 1_500.0;
/// Requests checked against a scan of every volunteer.
const BRUTE_FORCE_CHECKS: usize = 8;

struct Args {
    seed: u64,
    volunteers: u64,
    requests: u64,
    points: u64,
    places: u64,
    task_samples: u64,
}

fn args() -> anyhow::Result<Args> {
    let given: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.replace('_', "")
                .parse()
                .map_err(|_| anyhow::anyhow!("not a number: `{a}`"))
        })
        .collect::<anyhow::Result<_>>()?;
    let at = |i: usize, default: u64| given.get(i).copied().unwrap_or(default);
    Ok(Args {
        seed: at(0, 1),
        volunteers: at(1, 200_000),
        requests: at(2, 100_000),
        points: at(3, 2_000),
        places: at(4, 1_000_000),
        task_samples: at(5, 20_000),
    })
}

/// Per shard resolution: how many queries stayed on one shard, and the shards they read.
#[derive(Default, Clone, Copy)]
struct Tally {
    queries: u64,
    one_shard: u64,
    shards: u64,
}

impl Tally {
    fn add(&mut self, shards: usize, weight: u64) {
        self.queries += weight;
        self.shards += shards as u64 * weight;
        if shards == 1 {
            self.one_shard += weight;
        }
    }

    fn one_pct(&self) -> f64 {
        100.0 * self.one_shard as f64 / self.queries.max(1) as f64
    }

    fn mean(&self) -> f64 {
        self.shards as f64 / self.queries.max(1) as f64
    }
}

/// Adds the shard keys at `res` of everything below `cell`: its parent, or, when `cell` is
/// coarser than `res`, each of its children there.
fn add_shards(cell: CellIndex, res: Resolution, out: &mut HashSet<CellIndex>) {
    match cell.parent(res) {
        Some(parent) => {
            out.insert(parent);
        }
        None => out.extend(cell.children(res)),
    }
}

/// The cell whose res-9 descendants a stored range spans (`Cell::stored_range` inverted): the
/// finest common ancestor of its ends, since the ends differ in every digit below that cell.
fn range_cell((lo, hi): (i64, i64)) -> CellIndex {
    let lo = Cell::from_db(lo).expect("stored range ends are cells").0;
    let hi = Cell::from_db(hi).expect("stored range ends are cells").0;
    (0..=u8::from(STORED_RES))
        .rev()
        .map(|r| Resolution::try_from(r).expect("valid resolution"))
        .find_map(|r| {
            let (a, b) = (lo.parent(r), hi.parent(r));
            (a == b).then_some(a).flatten()
        })
        .expect("every range has a common ancestor")
}

fn range_shards(ranges: &[(i64, i64)], res: Resolution) -> HashSet<CellIndex> {
    let mut out = HashSet::new();
    for &r in ranges {
        add_shards(range_cell(r), res, &mut out);
    }
    out
}

/// Whether the cell's hexagon comes within `radius_m` of `center` (distance from the point to
/// the polygon, in a local equirectangular plane around the point).
fn touches(cell: CellIndex, center: LatLon, radius_m: f64) -> bool {
    const EARTH_M: f64 = 6_371_008.8;
    let cos_lat = center.lat.to_radians().cos();
    let xy: Vec<(f64, f64)> = cell
        .boundary()
        .iter()
        .map(|ll| {
            (
                (ll.lng() - center.lon).to_radians() * cos_lat * EARTH_M,
                (ll.lat() - center.lat).to_radians() * EARTH_M,
            )
        })
        .collect();
    let mut inside = false;
    let mut nearest = f64::INFINITY;
    for i in 0..xy.len() {
        let (a, b) = (xy[i], xy[(i + 1) % xy.len()]);
        // Crossing test for the origin (the query point).
        if (a.1 > 0.0) != (b.1 > 0.0) && a.0 + (0.0 - a.1) * (b.0 - a.0) / (b.1 - a.1) > 0.0 {
            inside = !inside;
        }
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let t = (-(a.0 * dx + a.1 * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
        nearest = nearest.min((a.0 + t * dx).hypot(a.1 + t * dy));
    }
    inside || nearest <= radius_m
}

/// Every res-9 cell that a circle of `radius_m` around `center` touches.
fn disc_cells(center: LatLon, radius_m: f64) -> Vec<CellIndex> {
    let origin = Cell::at(center, STORED_RES).0;
    let edge = STORED_RES.edge_length_m();
    let k = ((radius_m + edge) / edge).ceil() as u32 + 1;
    let disk: Vec<CellIndex> = origin.grid_disk(k);
    // The outer ring must stay clear of the circle, or the disk was too small.
    let ring: Vec<CellIndex> = origin.grid_ring_fast(k).flatten().collect();
    assert!(ring.iter().all(|c| !touches(*c, center, radius_m)));
    disk.into_iter()
        .filter(|c| touches(*c, center, radius_m))
        .collect()
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let started = Instant::now();
    let gen = Generator::new(a.seed, fixture_hours()?);
    println!(
        "seed {}, {} places, {} volunteers, {} requests, {} query points, {} task lists",
        a.seed,
        a.places,
        a.volunteers,
        a.requests,
        a.points,
        a.task_samples.min(a.volunteers)
    );

    // Rows per shard key, for every table with a cell.
    let mut rows: Vec<HashMap<CellIndex, u64>> = vec![HashMap::new(); SHARD_RES.len()];
    let mut count = |cell: i64| {
        let c = Cell::from_db(cell).expect("generated cells are cells").0;
        for (i, res) in SHARD_RES.iter().enumerate() {
            *rows[i].entry(c.parent(*res).expect("coarser")).or_default() += 1;
        }
    };
    let mut rng = gen.rng(1);
    for n in 0..a.places {
        count(gen.place(n, &mut rng).cell);
    }
    let volunteers: Vec<_> = {
        let mut rng = gen.rng(2);
        (1..=a.volunteers as i64)
            .map(|id| gen.volunteer(id, &mut rng))
            .collect()
    };
    for v in &volunteers {
        count(v.home_cell);
    }
    let assignable: Vec<i64> = volunteers
        .iter()
        .filter(|v| v.verified && !v.suspended)
        .map(|v| v.id)
        .collect();
    let mut rng = gen.rng(3);
    let mut open_requests: Vec<Cell> = Vec::new();
    for _ in 0..a.requests {
        let r = gen.request(&mut rng, &assignable);
        count(r.cell);
        if r.status == "open" {
            open_requests.push(Cell::from_db(r.cell)?);
        }
    }
    let total_rows = a.places + a.volunteers + a.requests;
    eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());

    // nearby
    let mut nearby = [Tally::default(); 3];
    let mut nearby_cover = [Tally::default(); 3];
    let mut rng = gen.rng(4);
    for _ in 0..a.points {
        let q = gen.query_point(&mut rng);
        let cells = disc_cells(q.point, NEARBY_RADIUS_M);
        let cover = covering_ranges(q.point, NEARBY_RADIUS_M);
        for (i, res) in SHARD_RES.iter().enumerate() {
            let shards: HashSet<CellIndex> = cells
                .iter()
                .map(|c| c.parent(*res).expect("coarser"))
                .collect();
            nearby[i].add(shards.len(), 1);
            nearby_cover[i].add(range_shards(&cover, *res).len(), 1);
        }
    }
    eprintln!("nearby done at {:.1} s", started.elapsed().as_secs_f64());

    // tasks
    let mut tasks = [Tally::default(); 3];
    for v in volunteers.iter().take(a.task_samples as usize) {
        let cover = privacy::reach_cover(Cell::from_db(v.home_cell)?, v.radius_m);
        for (i, res) in SHARD_RES.iter().enumerate() {
            tasks[i].add(range_shards(&cover, *res).len(), 1);
        }
    }
    eprintln!("tasks done at {:.1} s", started.elapsed().as_secs_f64());

    // matches: volunteers by public cell, with the largest radius there.
    let mut by_public: HashMap<CellIndex, (LatLon, f64)> = HashMap::new();
    let mut max_radius: f64 = 0.0;
    for v in &volunteers {
        let public = privacy::public_cell(Cell::from_db(v.home_cell)?);
        let entry = by_public
            .entry(public.0)
            .or_insert((public.center(), v.radius_m));
        entry.1 = entry.1.max(v.radius_m);
        max_radius = max_radius.max(v.radius_m);
    }
    let k = (max_radius / PUBLIC_RES.edge_length_m()).ceil() as u32 + 1;
    // Requests in one public cell have the same eligible volunteers: count each cell once.
    let mut requests_in: HashMap<CellIndex, u64> = HashMap::new();
    for r in &open_requests {
        *requests_in.entry(privacy::public_cell(*r).0).or_default() += 1;
    }
    let eligible_cells = |public: CellIndex| -> Vec<CellIndex> {
        let centre = Cell(public).center();
        public
            .grid_disk::<Vec<_>>(k)
            .into_iter()
            .filter(|c| {
                by_public
                    .get(c)
                    .is_some_and(|(home, radius)| centre.distance_m(home) <= *radius)
            })
            .collect()
    };
    for r in open_requests.iter().take(BRUTE_FORCE_CHECKS) {
        let mut scanned: Vec<CellIndex> = volunteers
            .iter()
            .map(|v| (Cell::from_db(v.home_cell).expect("cell"), v.radius_m))
            .filter(|(home, radius)| privacy::within_reach(*home, *radius, *r).is_some())
            .map(|(home, _)| privacy::public_cell(home).0)
            .collect();
        scanned.sort_unstable();
        scanned.dedup();
        let mut indexed = eligible_cells(privacy::public_cell(*r).0);
        indexed.sort_unstable();
        assert_eq!(scanned, indexed, "the index disagrees with a scan for {r}");
    }
    let mut matches = [Tally::default(); 3];
    // Routed to the request's shard and its six neighbours: requests with every eligible
    // volunteer there. Routed to the shards of `reach_cover(request, largest radius)` (reach
    // is symmetric, so it holds every public cell that could reach the request): shards read,
    // and requests with every eligible volunteer there.
    let mut in_neighbours = [0u64; 3];
    let mut routed = [Tally::default(); 3];
    let mut without = 0u64;
    for (public, weight) in &requests_in {
        let cells = eligible_cells(*public);
        if cells.is_empty() {
            without += weight;
            continue;
        }
        let cover = privacy::reach_cover(Cell(*public), max_radius);
        for (i, res) in SHARD_RES.iter().enumerate() {
            let own = public.parent(*res).expect("coarser");
            let shards: HashSet<CellIndex> = cells
                .iter()
                .map(|c| c.parent(*res).expect("coarser"))
                .collect();
            matches[i].queries += weight;
            matches[i].shards += shards.len() as u64 * weight;
            if shards.len() == 1 && shards.contains(&own) {
                matches[i].one_shard += weight;
            }
            let neighbours: HashSet<CellIndex> = own.grid_disk::<Vec<_>>(1).into_iter().collect();
            if shards.is_subset(&neighbours) {
                in_neighbours[i] += weight;
            }
            let route = range_shards(&cover, *res);
            routed[i].queries += weight;
            routed[i].shards += route.len() as u64 * weight;
            if shards.is_subset(&route) {
                routed[i].one_shard += weight;
            }
        }
    }
    eprintln!("matches done at {:.1} s", started.elapsed().as_secs_f64());

    println!(
        "{} open requests, {} of them ({:.1} %) with no volunteer in reach (left out of matches)\n",
        open_requests.len(),
        without,
        100.0 * without as f64 / open_requests.len().max(1) as f64
    );
    println!(
        "| res | shards in Argentina with data | nearby 1-shard % | nearby mean shards \
         | tasks 1-shard % | tasks mean shards | matches 1-shard % | matches mean shards |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (i, res) in SHARD_RES.iter().enumerate() {
        println!(
            "| {} | {} | {:.1} | {:.2} | {:.1} | {:.2} | {:.1} | {:.2} |",
            u8::from(*res),
            rows[i].len(),
            nearby[i].one_pct(),
            nearby[i].mean(),
            tasks[i].one_pct(),
            tasks[i].mean(),
            matches[i].one_pct(),
            matches[i].mean(),
        );
    }
    println!(
        "\nMatches routed (requests with a volunteer in reach; largest radius {max_radius} m):\n"
    );
    println!(
        "| res | all eligible in own + 6 neighbour shards % \
         | routed by reach_cover(request, {max_radius} m): mean shards | complete % |"
    );
    println!("|---|---|---|---|");
    for (i, res) in SHARD_RES.iter().enumerate() {
        println!(
            "| {} | {:.1} | {:.2} | {:.1} |",
            u8::from(*res),
            100.0 * in_neighbours[i] as f64 / matches[i].queries.max(1) as f64,
            routed[i].mean(),
            routed[i].one_pct(),
        );
    }
    println!(
        "\n| res | nearby by covering_ranges: 1-shard % | mean shards \
         | rows in the largest shard % | shards holding half the rows |"
    );
    println!("|---|---|---|---|---|");
    for (i, res) in SHARD_RES.iter().enumerate() {
        let mut sizes: Vec<u64> = rows[i].values().copied().collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let mut sum = 0;
        let half = sizes
            .iter()
            .take_while(|n| {
                let before = sum;
                sum += **n;
                before * 2 < total_rows
            })
            .count();
        println!(
            "| {} | {:.1} | {:.2} | {:.1} | {} |",
            u8::from(*res),
            nearby_cover[i].one_pct(),
            nearby_cover[i].mean(),
            100.0 * sizes.first().copied().unwrap_or(0) as f64 / total_rows.max(1) as f64,
            half,
        );
    }
    eprintln!("total {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
