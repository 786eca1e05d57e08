//! The demo data for Santa Fe city: real OpenStreetMap pharmacies and invented, clearly labelled
//! demo shops and community kitchens. Seeding upserts by source, so running it twice changes nothing.

use anyhow::Context;
use serde::Deserialize;
use sqlx::PgPool;

use crate::db::places::NewPlace;
use crate::domain::categories;
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::geo::LatLon;
use crate::import;

/// © OpenStreetMap contributors, ODbL 1.0 (see fixtures/osm/README.md).
pub const OSM_PHARMACIES: &str = include_str!("../fixtures/osm/pharmacies_santa_fe.json");
const DEMO_PLACES: &str = include_str!("../fixtures/demo_places.json");

#[derive(Deserialize)]
struct DemoFile {
    places: Vec<DemoPlace>,
}

#[derive(Deserialize)]
struct DemoPlace {
    source: String,
    category: String,
    name: String,
    lat: f64,
    lon: f64,
    opening_hours: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    description: Option<String>,
    meals_per_day: Option<i32>,
}

/// The demo places, validated.
pub fn demo_places() -> anyhow::Result<Vec<NewPlace>> {
    let file: DemoFile = serde_json::from_str(DEMO_PLACES).context("fixtures/demo_places.json")?;
    file.places
        .into_iter()
        .map(|p| {
            let category = categories::find(&p.category)?;
            let point = LatLon::new(p.lat, p.lon)?;
            Ok(NewPlace {
                kind: category.kind.as_str(),
                name: p.name,
                category: category.id,
                point,
                cell: Cell::at(point, STORED_RES).to_db(),
                opening_hours: p.opening_hours,
                address: p.address,
                phone: p.phone,
                description: p.description,
                source: Some(p.source),
                meals_per_day: p.meals_per_day,
            })
        })
        .collect()
}

/// Loads every fixture; returns the import report of the OSM part plus the demo count.
pub async fn run(pool: &PgPool) -> anyhow::Result<(import::Report, usize)> {
    let mut parsed = import::parse(OSM_PHARMACIES)?;
    let demo = demo_places()?;
    let demo_count = demo.len();
    parsed.places.extend(demo);
    let report = import::store(pool, &parsed, &indicatif::ProgressBar::hidden()).await?;
    // The demo map's country view shows its counts at once, not after the first maintenance.
    crate::operations::cell_counts::rebuild(pool).await?;
    Ok((report, demo_count))
}
