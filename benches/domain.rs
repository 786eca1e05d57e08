//! Micro-benchmarks of the domain's hot paths, on the data `antes bench-data` generates: the H3
//! covers behind nearby search, task lists and public counts; opening-hours evaluation; and
//! the ranking of match candidates. `cargo bench --bench domain` (BENCHMARKS.md has results).

use std::hint::black_box;

use antes::bench_data::generate::Generator;
use antes::domain::cells::{self, Cell, STORED_RES};
use antes::domain::claims::Volunteer;
use antes::domain::geo::{BBox, LatLon};
use antes::domain::matching::{self, Candidate};
use antes::domain::{accounts::Role, hours, privacy, public_counts};
use chrono::TimeZone;
use criterion::{criterion_group, criterion_main, Criterion};

fn generator() -> Generator {
    Generator::new(
        1,
        antes::bench_data::fixture_hours().expect("fixture hours"),
    )
}

fn covers(c: &mut Criterion) {
    let centre = LatLon::new(-34.6037, -58.3816).unwrap();
    let home = Cell::at(centre, STORED_RES);
    c.bench_function("covering_ranges 1500 m", |b| {
        b.iter(|| cells::covering_ranges(black_box(centre), 1_500.0))
    });
    for radius in [1_000.0, 5_000.0, 10_000.0] {
        c.bench_function(&format!("reach_cover {radius} m"), |b| {
            b.iter(|| privacy::reach_cover(black_box(home), radius))
        });
    }
    let view = BBox {
        min_lon: -58.4066,
        min_lat: -34.6237,
        max_lon: -58.3566,
        max_lat: -34.5837,
    };
    c.bench_function("count_cover city view", |b| {
        b.iter(|| public_counts::count_cover(black_box(view), cells::PUBLIC_RES))
    });
}

fn opening_hours(c: &mut Criterion) {
    let tz = chrono_tz::America::Argentina::Buenos_Aires;
    let at = chrono::Utc.with_ymd_and_hms(2026, 12, 2, 14, 0, 0).unwrap();
    for raw in [
        "Mo-Fr 08:30-12:30,16:00-20:00; Sa 09:00-13:00",
        "24/7",
        "Mo-Sa 08:00-21:00; Su,PH off",
    ] {
        c.bench_function(&format!("open_at `{raw}`"), |b| {
            b.iter(|| hours::open_at(black_box(Some(raw)), at, tz))
        });
    }
    c.bench_function("weekly_open (at import)", |b| {
        b.iter(|| hours::weekly_open(black_box("Mo-Fr 08:30-12:30,16:00-20:00; Sa 09:00-13:00")))
    });
}

fn ranking(c: &mut Criterion) {
    let gen = generator();
    let mut rng = gen.rng(2);
    let request = Cell::at(LatLon::new(-34.6037, -58.3816).unwrap(), STORED_RES);
    // Volunteers near the request, as a dense neighbourhood of Buenos Aires gives them.
    let candidates: Vec<Candidate> = (1..)
        .map(|id| gen.volunteer(id, &mut rng))
        .filter(|v| {
            privacy::public_point(Cell::from_db(v.home_cell).unwrap())
                .distance_m(&privacy::public_point(request))
                < 10_000.0
        })
        .take(1_000)
        .map(|v| Candidate {
            account_id: v.id,
            display_name: format!("Voluntario {}", v.id),
            volunteer: Volunteer {
                role: Role::Volunteer,
                verified: v.verified,
                suspended: v.suspended,
                on_duty: true,
                skills: v.skills.iter().map(|s| s.to_string()).collect(),
                radius_m: v.radius_m,
                open_assignments: 0,
                max_open: v.max_open,
            },
            home: Some(Cell::from_db(v.home_cell).unwrap()),
            recent_assignments: v.id % 3,
        })
        .collect();
    c.bench_function("matches: rank 1,000 candidates", |b| {
        b.iter(|| matching::matches("groceries", request, black_box(candidates.clone()), 20))
    });
}

criterion_group!(benches, covers, opening_hours, ranking);
criterion_main!(benches);
