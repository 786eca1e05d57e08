//! Vector tiles of our own layers: places one by one from zoom 13 with "open now" and the live
//! state, counted per H3 cell below with nothing left out, the public counts of help
//! requests exactly as the API gives them, kitchens with open needs; 304s and clear errors.

mod common;

use antes::domain::cells::{Cell, STORED_RES};
use antes::domain::geo::LatLon;
use antes::domain::tiles::Tile;
use common::app::TestApp;
use common::mvt::{self, Layer};
use rocket::http::{Header, Method};
use serde_json::{json, Value};
use sqlx::PgPool;

const SANTA_FE: (f64, f64) = (-31.6333, -60.7);

/// The XYZ tile holding `p` at zoom `z`.
fn tile_of(p: (f64, f64), z: u8) -> Tile {
    let n = f64::from(1u32 << z);
    let x = ((p.1 + 180.0) / 360.0 * n).floor() as u32;
    let lat = p.0.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor()
        as u32;
    Tile { z, x, y }
}

fn url(layer: &str, t: Tile) -> String {
    format!("/tiles/{layer}/{}/{}/{}.mvt", t.z, t.x, t.y)
}

/// Status, headers we look at, and the raw body.
async fn fetch(app: &TestApp, uri: &str, etag: Option<&str>) -> (u16, Option<String>, Vec<u8>) {
    let mut req = app.client.get(uri.to_string());
    if let Some(tag) = etag {
        req = req.header(Header::new("If-None-Match", tag.to_string()));
    }
    let res = req.dispatch().await;
    let status = res.status().code;
    let tag = res.headers().get_one("ETag").map(str::to_string);
    (status, tag, res.into_bytes().await.unwrap_or_default())
}

async fn layer(app: &TestApp, name: &str, t: Tile) -> Option<Layer> {
    let (status, _, body) = fetch(app, &url(name, t), None).await;
    assert_eq!(status, 200, "{}", url(name, t));
    mvt::decode(&body).into_iter().next()
}

#[sqlx::test]
async fn from_zoom_13_places_come_one_by_one_with_open_now_and_what_neighbours_report(
    pool: PgPool,
) {
    let app = TestApp::new(pool.clone()).await;
    let always = common::shop(&pool, "Farmacia 24 h", SANTA_FE, "pharmacy", Some("24/7")).await;
    // Hours with a public holiday rule are not the same every week: the app judges them.
    let judged = common::shop(
        &pool,
        "Almacén",
        (SANTA_FE.0 + 0.0005, SANTA_FE.1),
        "grocery",
        Some("Mo-Su 00:00-24:00; PH off"),
    )
    .await;
    let reported = common::shop(
        &pool,
        "Kiosco",
        (SANTA_FE.0, SANTA_FE.1 + 0.0005),
        "kiosk",
        None,
    )
    .await;
    let hidden = common::shop(
        &pool,
        "Pendiente",
        (SANTA_FE.0 - 0.0005, SANTA_FE.1),
        "kiosk",
        None,
    )
    .await;
    app.sql(&format!(
        "UPDATE places SET status = 'pending_review' WHERE id = {hidden}"
    ))
    .await;
    let ana = app.volunteer(false).await;
    let r = app
        .call(
            Some(&ana),
            Method::Post,
            &format!("/api/places/{reported}/reports"),
            Some(&json!({"queue": "long", "open": true})),
        )
        .await;
    assert_eq!(r.status, 201);

    let t = tile_of(SANTA_FE, 15);
    let places = layer(&app, "places", t).await.expect("a places layer");
    assert_eq!(places.name, "places");
    let by_id = |id: i64| {
        places
            .features
            .iter()
            .find(|f| f.id == Some(id as u64))
            .unwrap_or_else(|| panic!("place {id} in {places:?}"))
    };
    assert_eq!(places.features.len(), 3, "the pending place is not drawn");
    let a = by_id(always);
    assert_eq!(a.kind, 1);
    assert_eq!(a.props["category"], "pharmacy");
    assert_eq!(a.props["open_now"], true);
    assert_eq!(a.props["open_now_source"], "hours");
    let j = by_id(judged);
    assert!(j.props.contains_key("open_now"), "{j:?}");
    let k = by_id(reported);
    assert_eq!(k.props["live_queue"], "long");
    assert_eq!(k.props["open_now"], true);
    assert_eq!(k.props["open_now_source"], "report");
    assert!(k.props["live_age_min"].as_i64().unwrap() >= 1);
    // Santa Fe is in the middle of this tile, not at its corner.
    let (x, y) = a.first;
    assert!((0..4096).contains(&x) && (0..4096).contains(&y), "{x},{y}");
}

#[sqlx::test]
async fn below_zoom_13_places_are_counted_per_cell_and_none_is_left_out(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    // 3,000 places scattered over 20 km around Santa Fe, one in three a pharmacy.
    app.sql(
        "INSERT INTO places (kind, name, category, location, cell, shard_cell) \
         SELECT 'shop', 'Lugar ' || g, CASE WHEN g % 3 = 0 THEN 'pharmacy' ELSE 'kiosk' END, \
                ST_SetSRID(ST_MakePoint(-60.7 + (random() - 0.5) * 0.2, \
                                        -31.63 + (random() - 0.5) * 0.2), 4326)::geography, 0, 0 \
         FROM generate_series(1, 3000) g",
    )
    .await;
    // Cells as the app stores them.
    let rows: Vec<(i64, f64, f64)> =
        sqlx::query_as("SELECT id, ST_Y(location::geometry), ST_X(location::geometry) FROM places")
            .fetch_all(&pool)
            .await
            .unwrap();
    for (id, lat, lon) in rows {
        let cell = Cell::at(LatLon { lat, lon }, STORED_RES).to_db();
        sqlx::query("UPDATE places SET cell = $2 WHERE id = $1")
            .bind(id)
            .bind(cell)
            .execute(&pool)
            .await
            .unwrap();
    }
    // Counts per cell are rebuilt by the maintenance run; until then the country view is
    // empty, not wrong.
    let t8 = tile_of((-31.63, -60.7), 8);
    let (_, _, before) = fetch(&app, &url("places", t8), None).await;
    assert!(mvt::decode(&before).is_empty());
    let done = antes::maintenance::run(&pool, &common::test_config())
        .await
        .unwrap();
    assert!(done.place_cells > 0);
    // Each cell is drawn once, in the tile that holds the mean point of its places: the
    // tiles over the whole area count every place exactly once.
    let (nw, se) = ((-31.52, -60.81), (-31.74, -60.59));
    for z in [8, 10, 12] {
        let (a, b) = (tile_of(nw, z), tile_of(se, z));
        let (mut counted, mut pharmacies, mut cells) = (0i64, 0i64, Vec::new());
        for x in a.x..=b.x {
            for y in a.y..=b.y {
                let (_, _, body) = fetch(&app, &url("places", Tile { z, x, y }), None).await;
                assert!(body.len() < 50 * 1024, "zoom {z}: {} bytes", body.len());
                for f in mvt::decode(&body).into_iter().flat_map(|l| l.features) {
                    assert!(f.id.is_none());
                    counted += f.props["count"].as_i64().unwrap();
                    pharmacies += f
                        .props
                        .get("c_pharmacy")
                        .and_then(Value::as_i64)
                        .unwrap_or(0);
                    cells.push(f.props["cell"].as_str().unwrap().to_string());
                }
            }
        }
        assert_eq!(counted, 3000, "zoom {z}: every place is counted once");
        assert_eq!(pharmacies, 1000, "zoom {z}");
        let distinct: std::collections::BTreeSet<&String> = cells.iter().collect();
        assert_eq!(
            distinct.len(),
            cells.len(),
            "zoom {z}: no cell is drawn twice"
        );
        assert!(cells.len() < 3000, "zoom {z}: {} cells", cells.len());
    }
    // A new place is counted after the next run, and a run with no change rebuilds nothing.
    let again = antes::maintenance::run(&pool, &common::test_config())
        .await
        .unwrap();
    assert_eq!(again.place_cells, 0);
    common::shop(&pool, "Nueva", (-31.63, -60.7), "pharmacy", None).await;
    let count_at_8 = |body: Vec<u8>| -> i64 {
        mvt::decode(&body)
            .iter()
            .flat_map(|l| &l.features)
            .map(|f| f.props["count"].as_i64().unwrap())
            .sum()
    };
    let before = count_at_8(fetch(&app, &url("places", t8), None).await.2);
    let done = antes::maintenance::run(&pool, &common::test_config())
        .await
        .unwrap();
    assert!(done.place_cells > 0);
    let after = count_at_8(fetch(&app, &url("places", t8), None).await.2);
    assert_eq!(after, before + 1);
}

#[sqlx::test]
async fn request_cell_tiles_show_exactly_the_public_counts_of_the_api(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let coordinator = app.coordinator().await;
    for i in 0..4 {
        app.ask(
            Some(&coordinator),
            (SANTA_FE.0 + 0.0003 * f64::from(i), SANTA_FE.1),
            "groceries",
            &format!("a{i}"),
        )
        .await;
    }
    // A lone request elsewhere stays hidden: fewer than three in its cells.
    app.ask(Some(&coordinator), (-31.60, -60.68), "medicine", "solo")
        .await;
    for z in [10, 13] {
        let t = tile_of(SANTA_FE, z);
        let b = t.bbox();
        let res = antes::domain::tiles::cell_res(z);
        let api = app
            .get(
                None,
                &format!(
                    "/api/requests/cells?bbox={},{},{},{}&res={res}",
                    b.min_lon, b.min_lat, b.max_lon, b.max_lat
                ),
            )
            .await;
        let mut expected: Vec<(String, i64)> = api.body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["properties"]["cell"].as_str().unwrap().to_string(),
                    f["properties"]["count"].as_i64().unwrap(),
                )
            })
            .collect();
        let tile = layer(&app, "request-cells", t).await;
        let mut got: Vec<(String, i64)> = tile
            .iter()
            .flat_map(|l| &l.features)
            .map(|f| {
                (
                    f.props["cell"].as_str().unwrap().to_string(),
                    f.props["count"].as_i64().unwrap(),
                )
            })
            .collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "zoom {z}");
        assert!(!got.is_empty(), "zoom {z}: the four nearby requests show");
        assert!(got.iter().all(|(_, n)| *n >= 3));
    }
}

#[sqlx::test]
async fn kitchens_with_open_needs_are_in_the_needs_tiles(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let organizer = app.organizer(true).await;
    let kitchen = json!({"kind": "kitchen", "name": "Comedor Los Pibes", "category": "soup_kitchen",
        "location": {"lat": SANTA_FE.0, "lon": SANTA_FE.1}});
    let r = app
        .call(
            Some(&organizer),
            Method::Post,
            "/api/places",
            Some(&kitchen),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let t = tile_of(SANTA_FE, 14);
    assert!(
        layer(&app, "needs", t).await.is_none(),
        "no need yet, no feature"
    );
    let need = json!({"kind": "supplies", "item": "Harina", "quantity": 10, "unit": "kg"});
    let r = app
        .call(
            Some(&organizer),
            Method::Post,
            &format!("/api/places/{id}/needs"),
            Some(&need),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let needs = layer(&app, "needs", t).await.expect("a needs layer");
    assert_eq!(needs.features.len(), 1);
    let f = &needs.features[0];
    assert_eq!(f.id, Some(id as u64));
    assert_eq!(
        (f.props["supplies"].clone(), f.props["shifts"].clone()),
        (json!(1), json!(0))
    );
}

#[sqlx::test]
async fn an_unchanged_tile_answers_304_and_a_bad_address_a_clear_error(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    common::shop(&pool, "Farmacia Sol", SANTA_FE, "pharmacy", None).await;
    let uri = url("places", tile_of(SANTA_FE, 14));
    let res = app.client.get(uri.clone()).dispatch().await;
    assert_eq!(
        res.headers().get_one("Content-Type"),
        Some("application/vnd.mapbox-vector-tile")
    );
    assert!(res
        .headers()
        .get_one("Cache-Control")
        .unwrap()
        .contains("max-age=60"));
    let (status, tag, body) = fetch(&app, &uri, None).await;
    assert_eq!(status, 200);
    assert!(!body.is_empty());
    let (again, _, empty) = fetch(&app, &uri, tag.as_deref()).await;
    assert_eq!((again, empty.len()), (304, 0));
    // A new place changes the tile, and so its tag.
    common::shop(
        &pool,
        "Farmacia Luna",
        (SANTA_FE.0 + 0.0002, SANTA_FE.1),
        "pharmacy",
        None,
    )
    .await;
    let (changed, _, _) = fetch(&app, &uri, tag.as_deref()).await;
    assert_eq!(changed, 200);

    for (uri, status, code) in [
        ("/tiles/places/17/0/0.mvt", 422, "invalid_tile"),
        ("/tiles/places/3/1/1.png", 422, "invalid_tile"),
        ("/tiles/needs/x/0/0.mvt", 422, "invalid_tile"),
        ("/tiles/request-cells/2/9/0.mvt", 404, "not_found"),
    ] {
        let r = app.get(None, uri).await;
        assert_eq!(r.code(), (status, Some(code)), "{uri}: {}", r.body);
    }
    let post = app.post(None, "/tiles/places/1/0/0.mvt").await;
    assert_eq!(post.status, 405);
}

#[sqlx::test]
async fn a_hosted_pmtiles_archive_is_served_tile_by_tile_decompressed(pool: PgPool) {
    let none = TestApp::new(pool.clone()).await;
    let r = none.get(None, "/tiles/basemap/15/10860/19420.mvt").await;
    assert_eq!(r.code(), (404, Some("not_found")), "no archive configured");
    assert_eq!(
        none.get(None, "/api/config").await.body["basemap"],
        Value::Null
    );

    let dir = std::env::temp_dir().join(format!("antes-basemap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = common::basemap::build(&pool, &dir).await;
    let config = antes::config::AppConfig {
        basemap_pmtiles: archive.to_string_lossy().into_owned(),
        basemap_flavor: "dark".into(),
        ..common::test_config()
    };
    let app = TestApp::with_config(pool.clone(), config).await;
    let settings = app.get(None, "/api/config").await.body;
    assert_eq!(
        settings["basemap"],
        json!({"flavor": "dark", "maxzoom": 15})
    );
    let t = tile_of(SANTA_FE, 15);
    let (status, tag, body) = fetch(&app, &url("basemap", t), None).await;
    assert_eq!(status, 200);
    let layers = mvt::decode(&body);
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["earth", "roads"], "plain MVT, not gzip");
    let roads = &layers[1];
    assert!(roads.features.iter().any(|f| f.props["name"]
        .as_str()
        .unwrap()
        .starts_with("Calle de prueba")));
    let (again, _, _) = fetch(&app, &url("basemap", t), tag.as_deref()).await;
    assert_eq!(again, 304);
    // Where the archive holds nothing, an empty tile.
    let (status, _, empty) = fetch(&app, "/tiles/basemap/15/0/0.mvt", None).await;
    assert_eq!((status, empty.len()), (200, 0));
    std::fs::remove_dir_all(&dir).ok();

    let err = antes::api::basemap::Basemap::open("/nonexistent/ar.pmtiles")
        .await
        .err()
        .unwrap();
    assert!(err.contains("/nonexistent/ar.pmtiles"), "{err}");
}
