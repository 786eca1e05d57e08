//! Nearby shops and kitchens: search checked against brute force, "open now" at fixed times,
//! the OSM import, and address search through a local stand-in for Nominatim.

mod common;

use std::process::Command;

use antes::config::AppConfig;
use common::{client, client_with, get_json, seed, test_config};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::Value;
use sqlx::PgPool;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/osm/pharmacies_santa_fe.json"
);

async fn import_fixture(pool: &PgPool) -> antes::import::Report {
    let json = std::fs::read_to_string(FIXTURE).unwrap();
    let parsed = antes::import::parse(&json).unwrap();
    antes::import::store(pool, &parsed, &indicatif::ProgressBar::hidden())
        .await
        .unwrap()
}

/// Haversine on the mean sphere, written out here so the check does not share code with the app.
fn great_circle_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6_371_008.8_f64;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

async fn counts(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT category, count(*) FROM places GROUP BY category ORDER BY category")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn nearby_search_returns_exactly_the_places_a_brute_force_search_finds_in_order(
    pool: PgPool,
) {
    let report = import_fixture(&pool).await;
    assert_eq!(report.inserted, 1_149, "the fixture holds 1,149 pharmacies");
    let all: Vec<(i64, f64, f64)> =
        sqlx::query_as("SELECT id, ST_Y(location::geometry), ST_X(location::geometry) FROM places")
            .fetch_all(&pool)
            .await
            .unwrap();
    let client = client(pool).await;
    let mut rng = StdRng::seed_from_u64(20_251_222);
    let mut non_empty = 0;
    for i in 0..60 {
        // Half the points sit near a real pharmacy (cities), half anywhere in the province's box.
        let (lat, lon) = if i % 2 == 0 {
            let (_, la, lo) = all[rng.gen_range(0..all.len())];
            (
                la + rng.gen_range(-0.02..0.02),
                lo + rng.gen_range(-0.02..0.02),
            )
        } else {
            (rng.gen_range(-34.39..-28.0), rng.gen_range(-62.88..-58.9))
        };
        let radius: f64 = [300.0, 1_500.0, 5_000.0, 20_000.0, 50_000.0][i % 5];
        let uri = format!("/api/places/nearby?lat={lat}&lon={lon}&radius_m={radius}&limit=200");
        let (status, body) = get_json(&client, &uri).await;
        assert_eq!(status, 200, "{uri}: {body}");
        let got: Vec<(i64, i64)> = body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_i64().unwrap(),
                    f["properties"]["distance_m"].as_i64().unwrap(),
                )
            })
            .collect();

        let mut expected: Vec<(i64, f64)> = all
            .iter()
            .map(|(id, la, lo)| (*id, great_circle_m(lat, lon, *la, *lo)))
            .filter(|(_, d)| *d <= radius)
            .collect();
        expected.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        expected.truncate(200);
        if !expected.is_empty() {
            non_empty += 1;
        }
        // Places within a few centimetres of the edge may fall either way; none did here.
        let near_edge = |d: f64| (d - radius).abs() < 0.05;
        let got_ids: Vec<i64> = got.iter().map(|g| g.0).collect();
        for (id, d) in &expected {
            assert!(
                got_ids.contains(id) || near_edge(*d),
                "{uri}: missing place {id} at {d} m"
            );
        }
        assert_eq!(got.len(), expected.len(), "{uri}");
        for (k, (id, d)) in got.iter().enumerate() {
            let true_d = expected
                .iter()
                .find(|e| e.0 == *id)
                .map(|e| e.1)
                .unwrap_or_else(|| panic!("{uri}: place {id} is not within the radius"));
            assert!(
                (*d as f64 - true_d).abs() <= true_d * 0.005 + 0.5,
                "{uri}: place {id} distance {d} vs {true_d}"
            );
            // Same order as brute force, except where two distances tie.
            let (eid, ed) = expected[k];
            assert!(
                eid == *id || (ed - true_d).abs() < 0.01,
                "{uri}: position {k}: {id} vs {eid}"
            );
        }
    }
    assert!(
        non_empty >= 30,
        "only {non_empty} of the points had places nearby"
    );
}

#[sqlx::test]
async fn nearby_respects_limit_kind_and_category(pool: PgPool) {
    seed(&pool).await;
    let client = client(pool).await;
    let at = "lat=-31.635&lon=-60.703";
    let body = get_json(&client, &format!("/api/places/nearby?{at}"))
        .await
        .1;
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 20, "the default limit is 20");
    let d: Vec<i64> = features
        .iter()
        .map(|f| f["properties"]["distance_m"].as_i64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert!(
        d.iter().all(|x| *x <= 1_500),
        "the default radius is 1500 m"
    );
    let p = &features[0]["properties"];
    for key in [
        "id",
        "kind",
        "name",
        "category",
        "distance_m",
        "opening_hours",
        "open_now",
        "address",
        "phone",
        "source",
        "cell",
    ] {
        assert!(p.get(key).is_some(), "property {key} missing: {p}");
    }

    let kitchens = get_json(
        &client,
        &format!("/api/places/nearby?{at}&radius_m=5000&kind=kitchen"),
    )
    .await
    .1;
    let kinds: Vec<&str> = kitchens["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert!(kinds.iter().all(|k| *k == "kitchen"));

    let two = get_json(
        &client,
        &format!(
            "/api/places/nearby?{at}&radius_m=5000&category=bakery&category=butcher&category=atm"
        ),
    )
    .await
    .1;
    let mut cats: Vec<&str> = two["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["category"].as_str().unwrap())
        .collect();
    cats.sort();
    assert_eq!(cats, ["atm", "bakery", "butcher"]);
}

async fn open_now_of(
    client: &rocket::local::asynchronous::Client,
    source: &str,
    lat: f64,
    lon: f64,
    at: &str,
) -> Value {
    let at = at.replace('+', "%2B");
    let body = get_json(
        client,
        &format!("/api/places/nearby?lat={lat}&lon={lon}&radius_m=5&limit=200&at={at}"),
    )
    .await
    .1;
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["source"] == source)
        .unwrap_or_else(|| panic!("{source} not found: {body}"))["properties"]["open_now"]
        .clone()
}

#[sqlx::test]
async fn open_now_follows_real_opening_hours_at_fixed_times(pool: PgPool) {
    seed(&pool).await;
    let rows: Vec<(String, String, f64, f64)> = sqlx::query_as(
        "SELECT opening_hours, source, ST_Y(location::geometry), ST_X(location::geometry) FROM places \
         WHERE opening_hours IS NOT NULL ORDER BY source",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let find = |oh: &str| {
        rows.iter()
            .find(|r| r.0 == oh)
            .map(|r| (r.1.clone(), r.2, r.3))
            .unwrap_or_else(|| panic!("no place with opening_hours `{oh}` in the fixtures"))
    };
    let client = client(pool.clone()).await;
    // 2026-11-25 is a Wednesday, 2026-11-29 a Sunday; Argentina is at -03:00 all year.
    let cases: &[(&str, &str, Option<bool>)] = &[
        ("24/7", "2026-11-29T04:00:00-03:00", Some(true)),
        ("Mo-Sa 08:00-18:00", "2026-11-25T10:00:00-03:00", Some(true)),
        (
            "Mo-Sa 08:00-18:00",
            "2026-11-25T19:00:00-03:00",
            Some(false),
        ),
        (
            "Mo-Sa 08:00-18:00",
            "2026-11-29T10:00:00-03:00",
            Some(false),
        ),
        // The same instant written in UTC.
        ("Mo-Sa 08:00-18:00", "2026-11-25T13:00:00Z", Some(true)),
        (
            "Mo-Fr 08:00-12:30,16:00-20:30; Sa 08:00-12:30",
            "2026-11-25T12:00:00-03:00",
            Some(true),
        ),
        (
            "Mo-Fr 08:00-12:30,16:00-20:30; Sa 08:00-12:30",
            "2026-11-25T14:00:00-03:00",
            Some(false),
        ),
        (
            "Mo-Fr 08:00-12:30,16:00-20:30; Sa 08:00-12:30",
            "2026-11-25T17:00:00-03:00",
            Some(true),
        ),
        (
            "Mo-Fr 08:00-12:30,16:00-20:30; Sa 08:00-12:30",
            "2026-11-28T17:00:00-03:00",
            Some(false),
        ),
        ("Su off", "2026-11-29T12:00:00-03:00", Some(false)),
        ("Mo-Su 18:00-02:00", "2026-11-26T01:30:00-03:00", Some(true)),
        (
            "Mo-Su 18:00-02:00",
            "2026-11-26T02:30:00-03:00",
            Some(false),
        ),
        ("Mo-Su 18:00-02:00", "2026-11-25T23:00:00-03:00", Some(true)),
        ("Mo-Su 07:00-24:00", "2026-11-25T23:59:00-03:00", Some(true)),
        (
            "Mo-Su 07:00-24:00",
            "2026-11-25T06:00:00-03:00",
            Some(false),
        ),
    ];
    for (oh, at, expected) in cases {
        let (source, lat, lon) = find(oh);
        let got = open_now_of(&client, &source, lat, lon, at).await;
        assert_eq!(got, serde_json::json!(expected), "`{oh}` at {at}");
    }
    // A place with no hours is unknown.
    let got = open_now_of(
        &client,
        "node/848015473",
        -31.646372,
        -60.7184449,
        "2026-11-25T12:00:00-03:00",
    )
    .await;
    assert_eq!(got, Value::Null);

    // open_now=true keeps only open places.
    let body = get_json(&client, "/api/places/nearby?lat=-31.635&lon=-60.703&radius_m=3000&limit=200&open_now=true&at=2026-11-29T04:00:00-03:00").await.1;
    let names: Vec<&str> = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert!(!names.is_empty());
    assert!(
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["open_now"] == true),
        "{names:?}"
    );
}

#[sqlx::test]
async fn bad_nearby_input_gets_a_json_4xx_error(pool: PgPool) {
    let client = client(pool).await;
    for (query, code) in [
        ("lat=91&lon=0", "invalid_coordinates"),
        ("lat=0&lon=-181", "invalid_coordinates"),
        ("lat=abc&lon=0", "invalid_parameter"),
        ("lon=0", "missing_parameter"),
        ("lat=0&lon=0&radius_m=-5", "invalid_radius"),
        ("lat=0&lon=0&radius_m=50001", "invalid_radius"),
        ("lat=0&lon=0&category=casino", "unknown_category"),
        ("lat=0&lon=0&at=yesterday", "invalid_time"),
        ("lat=0&lon=0&limit=0", "invalid_limit"),
        ("lat=0&lon=0&limit=201", "invalid_limit"),
        ("lat=0&lon=0&open_now=maybe", "invalid_parameter"),
        ("lat=0&lon=0&kind=bar", "invalid_kind"),
    ] {
        let (status, body) = get_json(&client, &format!("/api/places/nearby?{query}")).await;
        assert!((400..500).contains(&status), "{query}: {status}");
        assert_eq!(body["error"], code, "{query}: {body}");
    }
}

/// Found by schemathesis: at coordinates this small, PostGIS's index boxes (float32) go
/// subnormal and the nearest-first walk stopped with "index returned tuples in wrong order".
#[sqlx::test]
async fn nearby_search_answers_at_the_tiniest_coordinates(pool: PgPool) {
    seed(&pool).await;
    // Places made through the API (as the fuzzer did) at such points.
    let app = common::app::TestApp::new(pool.clone()).await;
    let coordinator = app.coordinator().await;
    for (i, (lat, lon)) in [
        (1e-38, 5e-124),
        (0.0, 0.0),
        (-1e-40, 1e-300),
        (2e-30, -3e-20),
    ]
    .into_iter()
    .enumerate()
    {
        let place = serde_json::json!({
            "kind": "shop", "name": format!("Punto {i}"), "category": "pharmacy",
            "location": {"lat": lat, "lon": lon},
        });
        let r = app
            .call(
                Some(&coordinator),
                rocket::http::Method::Post,
                "/api/places",
                Some(&place),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let client = client(pool).await;
    for query in [
        "lat=1.175494351e-38&lon=5.290559287021884e-124",
        "lat=-1e-300&lon=1e-45&open_now=true",
        "lat=0&lon=0&radius_m=50000",
    ] {
        let (status, body) = get_json(&client, &format!("/api/places/nearby?{query}")).await;
        assert_eq!(status, 200, "{query}: {body}");
    }
}

#[sqlx::test]
async fn categories_carry_spanish_and_english_labels_per_kind(pool: PgPool) {
    let client = client(pool).await;
    let body = get_json(&client, "/api/categories").await.1;
    let cats = body["categories"].as_array().unwrap();
    let pharmacy = cats.iter().find(|c| c["id"] == "pharmacy").unwrap();
    assert_eq!(
        (
            pharmacy["es"].as_str(),
            pharmacy["en"].as_str(),
            pharmacy["kind"].as_str()
        ),
        (Some("Farmacia"), Some("Pharmacy"), Some("shop"))
    );
    assert!(cats
        .iter()
        .any(|c| c["id"] == "soup_kitchen" && c["kind"] == "kitchen"));
    assert!(cats.len() >= 14);
}

#[sqlx::test]
async fn reimporting_changes_no_counts_and_reports_elements_that_lost_their_tag(pool: PgPool) {
    import_fixture(&pool).await;
    let before = counts(&pool).await;
    let again = import_fixture(&pool).await;
    assert_eq!(
        (again.inserted, again.updated, again.unchanged),
        (0, 0, 1_149)
    );
    assert_eq!(before, counts(&pool).await);

    // The first pharmacy stops being one upstream.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    let first = &mut doc["elements"][0];
    let source = format!("{}/{}", first["type"].as_str().unwrap(), first["id"]);
    first["tags"]["amenity"] = Value::from("clothes_shop");
    let parsed = antes::import::parse(&doc.to_string()).unwrap();
    let report = antes::import::store(&pool, &parsed, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
    assert_eq!(report.lost_tag, vec![source.clone()]);
    assert_eq!(
        report.skipped[antes::domain::categories::SKIP_NO_MATCHING_TAG],
        1
    );
    assert!(report.to_string().contains(&source));
}

#[sqlx::test]
async fn the_import_command_prints_counts_and_a_malformed_file_changes_nothing(pool: PgPool) {
    let url = common::database_url(&pool);
    let bin = env!("CARGO_BIN_EXE_antes");
    let out = Command::new(bin)
        .args(["import", "osm", FIXTURE])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("inserted:  1149"), "{stdout}");
    let before = counts(&pool).await;

    // Valid JSON up to a broken element in the middle: nothing may be written.
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let dir = std::env::temp_dir().join(format!("antes-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let truncated = dir.join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["elements"][0]["tags"]["name"] = Value::from("Renamed");
    doc["elements"][5]["lat"] = Value::from(123.0);
    let bad_coords = dir.join("bad_coords.json");
    std::fs::write(&bad_coords, doc.to_string()).unwrap();

    for file in [&truncated, &bad_coords] {
        let out = Command::new(bin)
            .args(["import", "osm"])
            .arg(file)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", file.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    assert_eq!(before, counts(&pool).await);
    let renamed: i64 = sqlx::query_scalar("SELECT count(*) FROM places WHERE name = 'Renamed'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(renamed, 0);
}

#[sqlx::test]
async fn address_search_asks_the_geocoder_politely_and_caches_answers(pool: PgPool) {
    let fake = common::fake_nominatim::start().await;
    let config = AppConfig {
        geocoder_url: fake.url.clone(),
        ..test_config()
    };
    let client = client_with(pool, config).await;

    let (status, hits) = get_json(&client, "/api/geocode?q=San%20Mart%C3%ADn%202450").await;
    assert_eq!(status, 200, "{hits}");
    assert_eq!(hits[0]["lat"], -31.6456934);
    assert_eq!(hits[0]["lon"], -60.7073862);
    assert!(hits[0]["label"]
        .as_str()
        .unwrap()
        .starts_with("San Martín, Microcentro"));
    assert_eq!(hits.as_array().unwrap().len(), 2);

    // The same question again is answered from the cache.
    let again = get_json(&client, "/api/geocode?q=san%20mart%C3%ADn%202450%20")
        .await
        .1;
    assert_eq!(again, hits);
    // A different one goes upstream, but not sooner than a second after the first.
    get_json(&client, "/api/geocode?q=Bv.%20Galvez").await;

    let requests = fake.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "one call was cached");
    let first = requests[0].1.to_lowercase();
    assert!(first.starts_with("get /search?"), "{first}");
    assert!(
        first.contains("countrycodes=ar") && first.contains("format=jsonv2"),
        "{first}"
    );
    assert!(first.contains("user-agent: antes-de-salir/"), "{first}");
    assert!(requests[1].0.duration_since(requests[0].0) >= std::time::Duration::from_millis(990));

    let (status, body) = get_json(&client, "/api/geocode").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("missing_parameter"))
    );
    let (status, body) = get_json(&client, "/api/geocode?q=%20%20").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("invalid_text"))
    );
}

#[sqlx::test]
async fn address_search_without_a_geocoder_is_503_geocoder_disabled(pool: PgPool) {
    let client = client(pool).await;
    let (status, body) = get_json(&client, "/api/geocode?q=San%20Martin").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("geocoder_disabled"))
    );
}

/// `open_now` is decided in SQL from each place's weekly minutes (the crate decides for hours
/// that are not the same every week). At 200 times spread over a week and across a year, the
/// SQL answer must be the crate's for every opening_hours string in the fixtures.
#[sqlx::test]
async fn the_sql_open_now_filter_agrees_with_the_opening_hours_crate(pool: PgPool) {
    use antes::domain::hours::{minute_of_week, open_at};
    use chrono::{DateTime, Duration, Utc};
    let tz = chrono_tz::America::Argentina::Buenos_Aires;
    seed(&pool).await;
    let strings: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT opening_hours) FROM places WHERE opening_hours IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let weekly: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT opening_hours) FROM places WHERE open_week IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(strings >= 20, "the fixtures hold {strings} strings");
    assert!(
        weekly * 10 >= strings * 8,
        "only {weekly} of {strings} strings are weekly"
    );

    // Monday 2026-01-05 00:00 local; each time moves on 50 minutes and 3 weeks and a day, so the
    // 200 times cover every day of the week and most of the year's months.
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-01-05T00:00:00-03:00")
        .unwrap()
        .with_timezone(&Utc);
    let mut checked = 0;
    for k in 0..200i64 {
        let at = start
            + Duration::minutes(k * 50)
            + Duration::days(k % 7)
            + Duration::weeks((k * 3) % 52);
        let minute = minute_of_week(at, tz) as i32;
        let rows: Vec<(String, bool, bool)> = sqlx::query_as(
            "SELECT DISTINCT opening_hours, open_week IS NULL, \
                    COALESCE(open_week @> $1::int4, false) \
             FROM places WHERE opening_hours IS NOT NULL",
        )
        .bind(minute)
        .fetch_all(&pool)
        .await
        .unwrap();
        for (raw, to_the_crate, sql_open) in rows {
            let crate_open = open_at(Some(&raw), at, tz) == Some(true);
            // What the SQL filter lets through; the crate then judges what it let through.
            let passes = to_the_crate || sql_open;
            assert!(
                passes || !crate_open,
                "SQL drops `{raw}` at {at} (minute {minute}), which the crate says is open"
            );
            if !to_the_crate {
                assert_eq!(
                    sql_open, crate_open,
                    "`{raw}` at {at} (minute {minute}): SQL says {sql_open}, the crate {crate_open}"
                );
                checked += 1;
            }
        }
    }
    println!("{strings} strings, {weekly} weekly; {checked} SQL answers checked against the crate");
}

#[sqlx::test]
async fn nearby_breaks_ties_at_the_cut_by_id_and_reads_past_them(pool: PgPool) {
    // Two places nearer, then eight at one spot (one building): the cut at five falls inside
    // the tie, which the nearest-first walk cannot order by id on its own.
    let mut elements = vec![
        serde_json::json!({"type":"node","id":1,"lat":-31.6330,"lon":-60.7000,"tags":{"amenity":"pharmacy"}}),
        serde_json::json!({"type":"node","id":2,"lat":-31.6331,"lon":-60.7000,"tags":{"amenity":"pharmacy"}}),
    ];
    for id in 3..11 {
        elements.push(serde_json::json!({"type":"node","id":id,"lat":-31.6350,"lon":-60.7000,"tags":{"amenity":"pharmacy"}}));
    }
    // The stored ids run the other way from the OSM ids, so id order is not file order.
    elements.reverse();
    let parsed =
        antes::import::parse(&serde_json::json!({ "elements": elements }).to_string()).unwrap();
    antes::import::store(&pool, &parsed, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
    let tied: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM places WHERE ST_Y(location::geometry) = -31.635 ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let client = client(pool).await;
    let (status, body) =
        get_json(&client, "/api/places/nearby?lat=-31.633&lon=-60.7&limit=5").await;
    assert_eq!(status, 200, "{body}");
    let features = body["features"].as_array().unwrap();
    let sources: Vec<&str> = features[..2]
        .iter()
        .map(|f| f["properties"]["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["node/1", "node/2"]);
    let ids: Vec<i64> = features[2..]
        .iter()
        .map(|f| f["properties"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, tied[..3]);
}

#[sqlx::test]
async fn the_streaming_import_places_ways_whose_nodes_come_later(pool: PgPool) {
    // `out body; >; out skel qt;` order: the tagged way and relation first, their geometry after.
    let doc = serde_json::json!({"version": 0.6, "elements": [
        {"type":"way","id":7,"nodes":[1,2],"tags":{"amenity":"pharmacy","name":"Centro"}},
        {"type":"relation","id":9,"members":[{"type":"way","ref":8,"role":"outer"}],
         "tags":{"shop":"bakery","name":"La Espiga"}},
        {"type":"way","id":8,"nodes":[3,4]},
        {"type":"node","id":1,"lat":-31.0,"lon":-60.0},
        {"type":"node","id":2,"lat":-32.0,"lon":-61.0},
        {"type":"node","id":3,"lat":-31.60,"lon":-60.70},
        {"type":"node","id":4,"lat":-31.62,"lon":-60.72}
    ]});
    let path = std::env::temp_dir().join(format!("antes-stream-{}.json", std::process::id()));
    std::fs::write(&path, doc.to_string()).unwrap();
    let report = antes::import::store_file(&pool, &path, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (2, 0, 0)
    );
    let placed: Vec<(String, f64, f64)> = sqlx::query_as(
        "SELECT source, ST_Y(location::geometry), ST_X(location::geometry) FROM places ORDER BY source",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        placed,
        vec![
            ("relation/9".to_string(), -31.61, -60.71),
            ("way/7".to_string(), -31.5, -60.5),
        ]
    );
}

#[sqlx::test]
async fn an_element_listed_twice_is_stored_once_as_its_later_version(pool: PgPool) {
    let doc = serde_json::json!({"elements": [
        {"type":"node","id":1,"lat":-31.63,"lon":-60.70,"tags":{"amenity":"pharmacy","name":"Antes"}},
        {"type":"node","id":2,"lat":-31.64,"lon":-60.71,"tags":{"shop":"bakery"}},
        {"type":"node","id":1,"lat":-31.63,"lon":-60.70,"tags":{"amenity":"pharmacy","name":"Después"}}
    ]});
    let parsed = antes::import::parse(&doc.to_string()).unwrap();
    for round in 0..2 {
        let report = antes::import::store(&pool, &parsed, &indicatif::ProgressBar::hidden())
            .await
            .unwrap();
        let expected = if round == 0 { (2, 0, 0) } else { (0, 0, 2) };
        assert_eq!(
            (report.inserted, report.updated, report.unchanged),
            expected
        );
    }
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM places ORDER BY source")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(names, ["Después", "Panadería"]);
}
