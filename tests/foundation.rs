//! The foundation: health, the places map API, errors, the OpenAPI document, seeding and the
//! `antes` command against a real PostGIS.

mod common;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client, client_with, get_json, seed, test_config};
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

#[sqlx::test]
async fn health_is_ok_when_the_database_answers(pool: PgPool) {
    let client = client(pool).await;
    let (status, body) = get_json(&client, "/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

/// A TCP relay between the app and PostgreSQL that the test can cut and restore.
struct Relay {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(port: u16, target: String) -> Relay {
        let relay = Relay {
            port,
            target,
            tasks: Arc::default(),
        };
        relay.open().await;
        relay
    }

    async fn open(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("bind relay");
        let target = self.target.clone();
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(conn);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

#[sqlx::test]
async fn health_answers_503_while_the_database_is_away_and_recovers_by_itself(pool: PgPool) {
    let opts: PgConnectOptions = (*pool.connect_options()).clone();
    let target = format!("{}:{}", opts.get_host(), opts.get_port());
    let port = common::free_port();
    let relay = Relay::start(port, target).await;
    let via_relay = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy_with(opts.port(port));
    let client = client_with(via_relay, test_config()).await;

    assert_eq!(get_json(&client, "/healthz").await.0, 200);

    relay.cut();
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..2 {
        let (status, body) = get_json(&client, "/healthz").await;
        assert_eq!(status, 503);
        assert_eq!(body["error"], "database_unavailable");
    }

    relay.open().await;
    let mut recovered = false;
    for _ in 0..50 {
        if get_json(&client, "/healthz").await.0 == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recovered,
        "health did not come back after the database returned"
    );
    relay.cut();
}

#[sqlx::test]
async fn the_map_view_returns_places_in_the_box_as_geojson(pool: PgPool) {
    seed(&pool).await;
    let client = client(pool).await;
    let bbox = "-60.75,-31.68,-60.65,-31.58"; // Santa Fe city
    let (status, body) = get_json(&client, &format!("/api/places?bbox={bbox}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["type"], "FeatureCollection");
    assert_eq!(body["truncated"], false);
    let features = body["features"].as_array().unwrap();
    assert!(
        features.len() > 50,
        "Santa Fe city has over 100 pharmacies and the demo places"
    );
    for f in features {
        let [lon, lat] = [
            f["geometry"]["coordinates"][0].as_f64().unwrap(),
            f["geometry"]["coordinates"][1].as_f64().unwrap(),
        ];
        assert!((-60.75..=-60.65).contains(&lon) && (-31.68..=-31.58).contains(&lat));
        assert_eq!(f["type"], "Feature");
        assert!(f["properties"]["cell"].as_str().unwrap().len() == 15);
    }
    assert!(features
        .iter()
        .any(|f| f["properties"]["kind"] == "kitchen"));
    assert!(features.iter().any(|f| f["properties"]["source"]
        .as_str()
        .unwrap()
        .starts_with("node/")));

    let kitchens = get_json(&client, &format!("/api/places?bbox={bbox}&kind=kitchen"))
        .await
        .1;
    assert!(kitchens["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["kind"] == "kitchen"));
    let bakeries = get_json(
        &client,
        &format!("/api/places?bbox={bbox}&category=bakery&category=butcher"),
    )
    .await
    .1;
    let cats: Vec<&str> = bakeries["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["category"].as_str().unwrap())
        .collect();
    assert_eq!(cats.len(), 2, "{cats:?}");

    // Rosario is outside the box.
    let rosario = get_json(&client, "/api/places?bbox=-60.70,-33.00,-60.60,-32.90")
        .await
        .1;
    let ids: Vec<&Value> = rosario["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["id"])
        .collect();
    assert!(features.iter().all(|f| !ids.contains(&&f["id"])));
}

#[sqlx::test]
async fn one_place_is_a_feature_and_a_missing_one_is_a_json_404(pool: PgPool) {
    seed(&pool).await;
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM places WHERE source = 'demo/kiosco-la-esquina'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let client = client(pool).await;
    let (status, f) = get_json(&client, &format!("/api/places/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(f["properties"]["name"], "Kiosco La Esquina (demo)");
    assert_eq!(f["properties"]["open_now"], true, "24/7 is always open");
    assert_eq!(
        f["geometry"]["coordinates"],
        serde_json::json!([-60.708, -31.63])
    );

    let (status, body) = get_json(&client, "/api/places/999999").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let (status, body) = get_json(&client, "/no/such/page").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}

#[sqlx::test]
async fn bad_input_gets_a_json_4xx_error_naming_the_problem(pool: PgPool) {
    let client = client(pool).await;
    for (uri, code) in [
        ("/api/places", "missing_parameter"),
        ("/api/places?bbox=1,2,3", "invalid_bbox"),
        (
            "/api/places?bbox=-60.6,%20-31.7,-60.8,-31.5",
            "invalid_bbox",
        ),
        ("/api/places?bbox=inf,0,1,1", "invalid_bbox"),
        ("/api/places?bbox=0,0,1,1&kind=", "invalid_kind"),
        ("/api/places?bbox=0,0,1,1&kind=bar", "invalid_kind"),
        (
            "/api/places?bbox=0,0,1,1&category=casino",
            "unknown_category",
        ),
        ("/api/places/abc", "not_found"),
    ] {
        let (status, body) = get_json(&client, uri).await;
        assert!((400..500).contains(&status), "{uri}: {status}");
        assert_eq!(body["error"], code, "{uri}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[sqlx::test]
async fn the_openapi_document_lists_every_mounted_api_route(pool: PgPool) {
    let client = client(pool).await;
    let (status, doc) = get_json(&client, "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for route in antes::api::routes() {
        let path = route
            .uri
            .path()
            .to_string()
            .replace('<', "{")
            .replace('>', "}");
        let method = route.method.to_string().to_lowercase();
        // A tile route's last segment is `{y}.mvt` in the document, as in its URLs.
        let documented = paths
            .get(&path)
            .or_else(|| paths.get(&format!("{path}.mvt")));
        assert!(
            documented.is_some_and(|p| p.get(&method).is_some()),
            "{method} {path} is mounted but not in the OpenAPI document"
        );
    }
}

#[sqlx::test]
async fn seeding_twice_leaves_the_same_rows(pool: PgPool) {
    let counts = |pool: PgPool| async move {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT kind, count(*) FROM places GROUP BY kind ORDER BY kind",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    seed(&pool).await;
    let first = counts(pool.clone()).await;
    seed(&pool).await;
    assert_eq!(first, counts(pool.clone()).await);
    // 1,149 real pharmacies plus the demo places.
    let total: i64 = first.iter().map(|(_, n)| n).sum();
    assert!(total > 1_149, "{first:?}");
}

#[sqlx::test]
async fn pages_carry_a_policy_that_keeps_requests_on_this_origin(pool: PgPool) {
    let client = client(pool).await;
    let res = client.get("/").dispatch().await;
    assert_eq!(res.status().code, 200);
    let csp = res
        .headers()
        .get_one("Content-Security-Policy")
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("connect-src 'self';"),
        "{csp}"
    );
    let html = res.into_string().await.unwrap();
    assert!(
        !html.contains("https://"),
        "the page must not load anything from outside"
    );
    // MapLibre is vendored and loaded by the page's own module once the list is up.
    let module = client.get("/js/map.js").dispatch().await;
    let module = module.into_string().await.unwrap();
    assert!(module.contains("/vendor/maplibre-gl-5.24.1"), "{module}");
    assert!(!module.contains("https://"));
}

#[sqlx::test]
async fn the_antes_command_migrates_and_serves_on_the_given_database_and_port(pool: PgPool) {
    let url = common::database_url(&pool);
    let bin = env!("CARGO_BIN_EXE_antes");
    let out = Command::new(bin)
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(bin)
        .arg("seed")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let port = common::free_port();
    let mut server = Command::new(bin)
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_LOG_LEVEL", "off")
        .spawn()
        .unwrap();
    let mut ok = false;
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!(
            "http://127.0.0.1:{port}/api/places?bbox=-60.75,-31.68,-60.65,-31.58"
        ))
        .await
        {
            let body: Value = r.json().await.unwrap();
            ok = !body["features"].as_array().unwrap().is_empty();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        ok,
        "antes serve did not answer on ROCKET_PORT={port} with the seeded places"
    );
}

/// Migration 16 was rewritten (one DO block, for Citus) after databases had applied its first
/// text; `antes migrate` accepts exactly that first text, and still refuses any other change.
#[sqlx::test]
async fn a_database_that_applied_the_first_text_of_migration_16_still_migrates(pool: PgPool) {
    const FIRST: &str = "9c0e2be349405194a843abb2ecd4218dfeec51555c2a408660e45d5ed1f67979\
                         ba78bde9992bf7dc1125a372f964c174";
    let set = |hex: &'static str| {
        sqlx::query("UPDATE _sqlx_migrations SET checksum = decode($1, 'hex') WHERE version = 16")
            .bind(hex)
    };
    let migrate = || {
        Command::new(env!("CARGO_BIN_EXE_antes"))
            .arg("migrate")
            .env("DATABASE_URL", common::database_url(&pool))
            .output()
            .unwrap()
    };
    let checksum = || {
        sqlx::query_scalar::<_, String>(
            "SELECT encode(checksum, 'hex') FROM _sqlx_migrations WHERE version = 16",
        )
        .fetch_one(&pool)
    };
    let current = checksum().await.unwrap();
    assert_ne!(current, FIRST, "the file is the rewritten text");

    set(FIRST).execute(&pool).await.unwrap();
    let out = migrate();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(checksum().await.unwrap(), current);

    set("00").execute(&pool).await.unwrap();
    let out = migrate();
    assert!(
        !out.status.success(),
        "another change to an applied migration is refused"
    );
    assert_eq!(checksum().await.unwrap(), "00");
}

#[test]
fn an_unreachable_database_gives_one_clear_error_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_antes"))
        .arg("migrate")
        .env("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("error: cannot connect to the database"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
