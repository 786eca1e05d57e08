//! Live reports on places (issue 14): neighbours say whether a place is open, how long the
//! queue is and what is in stock; reports fade with age, weigh by who made them, replace each
//! other, are limited, can be hidden by coordinators, and never say who made them.

mod common;

use antes::config::{ActionLimit, AppConfig, RateLimits};
use common::app::{Reply, Session, TestApp};
use common::test_config;
use rocket::http::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

/// A quiet corner of Santa Fe with no seeded places.
const HERE: (f64, f64) = (-31.6500, -60.7200);

async fn report(app: &TestApp, who: Option<&Session>, place: i64, body: Value) -> Reply {
    app.call(
        who,
        Method::Post,
        &format!("/api/places/{place}/reports"),
        Some(&body),
    )
    .await
}

async fn report_from(app: &TestApp, ip: &str, place: i64, body: Value) -> Reply {
    app.call_from(
        ip,
        None,
        Method::Post,
        &format!("/api/places/{place}/reports"),
        Some(&body),
    )
    .await
}

async fn place(app: &TestApp, id: i64) -> Value {
    let r = app.get(None, &format!("/api/places/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["properties"].clone()
}

async fn nearby_ids(app: &TestApp, query: &str) -> Vec<i64> {
    let r = app
        .get(
            None,
            &format!(
                "/api/places/nearby?lat={}&lon={}&radius_m=2000&{query}",
                HERE.0, HERE.1
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

async fn stored_reports(pool: &PgPool, place: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM place_reports WHERE place_id = $1")
        .bind(place)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_neighbours_report_shows_on_the_place_in_lists_and_on_the_card(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = common::shop(&pool, "Farmacia Sol", HERE, "pharmacy", None).await;
    let r = report_from(&app, "203.0.113.5", id, json!({"queue": "long"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["live"]["queue"]["value"], "long");

    let p = place(&app, id).await;
    assert_eq!(p["live"]["queue"]["value"], "long");
    assert_eq!(p["live"]["queue"]["mixed"], false);
    assert_eq!(p["live"]["neighbours"], 1);
    let at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(p["live"]["reported_at"].clone()).unwrap();
    assert!((chrono::Utc::now() - at).num_seconds() < 120);
    // An anonymous report weighs 0.5: half a fresh registered report.
    assert_eq!(p["live"]["queue"]["confidence"], 0.5);

    let near = app
        .get(
            None,
            &format!(
                "/api/places/nearby?lat={}&lon={}&radius_m=500",
                HERE.0, HERE.1
            ),
        )
        .await;
    assert_eq!(
        near.body["features"][0]["properties"]["live"]["queue"]["value"],
        "long"
    );
    let bbox = app
        .get(None, "/api/places?bbox=-60.73,-31.66,-60.71,-31.64")
        .await;
    assert_eq!(
        bbox.body["features"][0]["properties"]["live"]["neighbours"],
        1
    );
}

#[sqlx::test]
async fn a_second_report_within_thirty_minutes_replaces_the_first(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = common::shop(&pool, "Farmacia Sol", HERE, "pharmacy", None).await;
    let ana = app.volunteer(false).await;
    report(&app, Some(&ana), id, json!({"queue": "long"})).await;
    let second = report(&app, Some(&ana), id, json!({"queue": "none"})).await;
    assert_eq!(
        second.status, 201,
        "a replacement answers like a new report"
    );
    assert_eq!(stored_reports(&pool, id).await, 1);
    let p = place(&app, id).await;
    assert_eq!(p["live"]["queue"]["value"], "none");
    assert_eq!(p["live"]["neighbours"], 1);

    // Thirty-one minutes later a new report is kept beside the old one, for the history,
    // but only the latest counts: reporting again adds no weight.
    app.sql("UPDATE place_reports SET reported_at = (reported_at AT TIME ZONE 'UTC' - interval '31 minutes') AT TIME ZONE 'UTC'")
        .await;
    report(&app, Some(&ana), id, json!({"queue": "short"})).await;
    assert_eq!(stored_reports(&pool, id).await, 2);
    let p = place(&app, id).await;
    assert_eq!(p["live"]["neighbours"], 1);
    assert_eq!(p["live"]["queue"]["value"], "short");
    assert_eq!(p["live"]["queue"]["weights"].as_object().unwrap().len(), 1);
}

#[sqlx::test]
async fn reports_sent_at_once_by_one_neighbour_are_stored_once(pool: PgPool) {
    let id = common::shop(&pool, "Farmacia Sol", HERE, "pharmacy", None).await;
    let wide = sqlx::postgres::PgPoolOptions::new()
        .max_connections(40)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    // Served for real, so the reports arrive on parallel connections from one address.
    let base = common::serve(wide, test_config()).await;
    let http = reqwest::Client::new();
    let sends: Vec<_> = (0..30)
        .map(|i| {
            let q = ["none", "short", "long"][i % 3];
            let (http, url) = (http.clone(), format!("{base}/api/places/{id}/reports"));
            tokio::spawn(async move {
                let r = http.post(url).json(&json!({"queue": q})).send().await;
                r.unwrap().status().as_u16()
            })
        })
        .collect();
    for s in sends {
        assert_eq!(s.await.unwrap(), 201);
    }
    assert_eq!(stored_reports(&pool, id).await, 1);
}

#[sqlx::test]
async fn reports_are_limited_per_address_and_per_account(pool: PgPool) {
    let config = AppConfig {
        rate_limits: RateLimits {
            report: ActionLimit {
                per_address: 3,
                per_account: 2,
                period_secs: 3600,
            },
            ..RateLimits::off()
        },
        ..test_config()
    };
    let app = TestApp::with_config(pool.clone(), config).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(common::shop(&pool, &format!("Kiosco {i}"), HERE, "pharmacy", None).await);
    }
    let mut statuses = Vec::new();
    for id in &ids[..4] {
        statuses.push(report_from(&app, "198.51.100.9", *id, json!({"open": true})).await);
    }
    assert_eq!(
        statuses.iter().map(|r| r.status).collect::<Vec<_>>(),
        [201, 201, 201, 429]
    );
    assert_eq!(statuses[3].body["error"], "rate_limited");
    assert!(statuses[3].retry_after.is_some());
    // Another address is not held back by the first.
    let other = report_from(&app, "198.51.100.10", ids[4], json!({"open": true})).await;
    assert_eq!(other.status, 201);

    // An account is limited whichever address it reports from.
    let ana = app.volunteer(false).await;
    let mut statuses = Vec::new();
    for (n, id) in ids.iter().take(3).enumerate() {
        let ip = format!("192.0.2.{}", n + 1);
        let r = app
            .call_from(
                &ip,
                Some(&ana),
                Method::Post,
                &format!("/api/places/{id}/reports"),
                Some(&json!({"queue": "short"})),
            )
            .await;
        statuses.push(r.status);
    }
    assert_eq!(statuses, [201, 201, 429]);
}

#[sqlx::test]
async fn a_coordinator_hides_a_reporter_and_none_of_their_reports_count(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = common::shop(&pool, "Farmacia Sol", HERE, "pharmacy", None).await;
    let other = common::shop(
        &pool,
        "Farmacia Luna",
        (HERE.0 + 0.002, HERE.1),
        "pharmacy",
        None,
    )
    .await;
    let troll = app.volunteer(false).await;
    report(&app, Some(&troll), id, json!({"open": false})).await;
    report(&app, Some(&troll), other, json!({"open": false})).await;
    let honest = app.volunteer(false).await;
    report(&app, Some(&honest), other, json!({"queue": "short"})).await;

    let volunteer = app.volunteer(true).await;
    let refused = app
        .get(Some(&volunteer), &format!("/api/places/{id}/reports"))
        .await;
    assert_eq!(refused.code(), (403, Some("coordinators_only")));

    let coordinator = app.coordinator().await;
    let seen = app
        .get(Some(&coordinator), &format!("/api/places/{id}/reports"))
        .await;
    assert_eq!(seen.status, 200);
    let reports = seen.body["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["open"], false);
    assert_eq!(reports[0]["tier"], "registered");
    let report_id = reports[0]["id"].as_i64().unwrap();

    let denied = app
        .post(
            Some(&volunteer),
            &format!("/api/place-reports/{report_id}/hide-reporter"),
        )
        .await;
    assert_eq!(denied.status, 403);
    let hidden = app
        .post(
            Some(&coordinator),
            &format!("/api/place-reports/{report_id}/hide-reporter"),
        )
        .await;
    assert_eq!(hidden.status, 200, "{}", hidden.body);
    assert_eq!(hidden.body["reports_hidden"], 2);

    assert_eq!(place(&app, id).await["live"], Value::Null);
    let p = place(&app, other).await;
    assert_eq!(p["live"]["neighbours"], 1, "only the honest report counts");
    assert_eq!(p["live"]["open"], Value::Null);
    // Reports made after hiding do not count either, and the reporter is not told.
    let again = report(&app, Some(&troll), id, json!({"open": false})).await;
    assert_eq!(again.status, 201);
    assert_eq!(place(&app, id).await["live"], Value::Null);
    let seen = app
        .get(Some(&coordinator), &format!("/api/places/{id}/reports"))
        .await;
    assert_eq!(seen.body["reports"][0]["hidden"], true);
}

#[sqlx::test]
async fn no_answer_says_who_made_a_report(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = common::shop(
        &pool,
        "Farmacia Sol",
        HERE,
        "pharmacy",
        Some("Mo-Su 00:00-24:00"),
    )
    .await;
    let ana = app.volunteer(true).await;
    let (email, name): (String, String) =
        sqlx::query_as("SELECT email, display_name FROM accounts WHERE id = $1")
            .bind(ana.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let ip = "203.0.113.77";
    let mut answers = vec![
        report(
            &app,
            Some(&ana),
            id,
            json!({"open": false, "queue": "long"}),
        )
        .await,
        report_from(&app, ip, id, json!({"stock": {"harina": "none"}})).await,
    ];
    let digests: Vec<String> =
        sqlx::query_scalar("SELECT reporter FROM place_reports WHERE place_id = $1")
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(digests.len(), 2);
    let coordinator = app.coordinator().await;
    for uri in [
        format!("/api/places/{id}"),
        format!("/api/places/{id}/report-history"),
        format!(
            "/api/places/nearby?lat={}&lon={}&radius_m=500",
            HERE.0, HERE.1
        ),
        "/api/places?bbox=-60.73,-31.66,-60.71,-31.64".to_string(),
    ] {
        answers.push(app.get(None, &uri).await);
    }
    answers.push(
        app.get(Some(&coordinator), &format!("/api/places/{id}/reports"))
            .await,
    );
    for a in &answers {
        assert!(a.status < 300, "{}", a.body);
        let text = a.body.to_string();
        for secret in [&email, &name, &ip.to_string()]
            .into_iter()
            .chain(digests.iter())
        {
            assert!(!text.contains(secret.as_str()), "{secret} in {text}");
        }
        assert!(
            !text.contains("account_id") && !text.contains("reporter\""),
            "{text}"
        );
    }
    // The stored rows hold no account id or address either: only digests.
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_name = 'place_reports' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!columns
        .iter()
        .any(|c| c.contains("account") || c.contains("location")));
    for d in &digests {
        assert!(
            d.len() == 32 && d.chars().all(|c| c.is_ascii_hexdigit()),
            "{d}"
        );
    }
}

#[sqlx::test]
async fn open_now_uses_a_fresh_report_ahead_of_the_hours_and_the_hours_once_it_is_stale(
    pool: PgPool,
) {
    let app = TestApp::new(pool.clone()).await;
    let always = common::shop(&pool, "Farmacia 24 h", HERE, "pharmacy", Some("24/7")).await;
    let no_hours = common::shop(
        &pool,
        "Almacén sin horario",
        (HERE.0 + 0.001, HERE.1),
        "pharmacy",
        None,
    )
    .await;
    assert_eq!(nearby_ids(&app, "open_now=true").await, vec![always]);

    let ana = app.volunteer(false).await;
    let closed = report(&app, Some(&ana), always, json!({"open": false})).await;
    assert_eq!(closed.body["open_now"], false);
    assert_eq!(closed.body["open_now_source"], "report");
    let bruno = app.volunteer(false).await;
    report(&app, Some(&bruno), no_hours, json!({"open": true})).await;

    let p = place(&app, always).await;
    assert_eq!(
        (p["open_now"].clone(), p["open_now_source"].clone()),
        (json!(false), json!("report"))
    );
    let p = place(&app, no_hours).await;
    assert_eq!(
        (p["open_now"].clone(), p["open_now_source"].clone()),
        (json!(true), json!("report"))
    );
    assert_eq!(nearby_ids(&app, "open_now=true").await, vec![no_hours]);

    // A "closed" report against hours that say open was marked doubtful, and weighs half.
    let doubtful: bool =
        sqlx::query_scalar("SELECT doubtful FROM place_reports WHERE place_id = $1")
            .bind(always)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(doubtful);
    assert_eq!(p["live"]["open"]["confidence"], 1.0);
    assert_eq!(place(&app, always).await["live"]["open"]["confidence"], 0.5);

    // Five hours on, both reports are too faint to trust: the hours decide again.
    app.sql("UPDATE place_reports SET reported_at = (reported_at AT TIME ZONE 'UTC' - interval '5 hours') AT TIME ZONE 'UTC'")
        .await;
    let p = place(&app, always).await;
    assert_eq!(
        (p["open_now"].clone(), p["open_now_source"].clone()),
        (json!(true), json!("hours"))
    );
    assert!(p["live"]["open"]["confidence"].as_f64().unwrap() < 0.4);
    let p = place(&app, no_hours).await;
    assert_eq!(p["open_now"], Value::Null);
    assert_eq!(nearby_ids(&app, "open_now=true").await, vec![always]);

    // After four half-lives (eight hours) nothing is left of them.
    app.sql("UPDATE place_reports SET reported_at = (reported_at AT TIME ZONE 'UTC' - interval '3 hours 1 minute') AT TIME ZONE 'UTC'")
        .await;
    assert_eq!(place(&app, always).await["live"], Value::Null);
}

#[sqlx::test]
async fn nearby_search_keeps_only_places_without_a_queue_when_asked(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let a = common::shop(&pool, "A", HERE, "pharmacy", None).await;
    let b = common::shop(&pool, "B", (HERE.0 + 0.001, HERE.1), "pharmacy", None).await;
    let c = common::shop(&pool, "C", (HERE.0 + 0.002, HERE.1), "pharmacy", None).await;
    let _quiet = common::shop(&pool, "D", (HERE.0 + 0.003, HERE.1), "pharmacy", None).await;
    let ana = app.volunteer(false).await;
    let bruno = app.volunteer(false).await;
    report(&app, Some(&ana), a, json!({"queue": "long"})).await;
    report(&app, Some(&ana), b, json!({"queue": "none"})).await;
    report(&app, Some(&ana), c, json!({"queue": "none"})).await;
    // Conflicting reports on C: mixed, so it is not promised to have no queue.
    report(&app, Some(&bruno), c, json!({"queue": "long"})).await;
    assert_eq!(nearby_ids(&app, "no_queue=true").await, vec![b]);
    assert_eq!(nearby_ids(&app, "").await.len(), 4);
    let bad = app
        .get(
            None,
            &format!(
                "/api/places/nearby?lat={}&lon={}&no_queue=maybe",
                HERE.0, HERE.1
            ),
        )
        .await;
    assert_eq!(bad.status, 422);
}

#[sqlx::test]
async fn bad_reports_get_clear_errors_and_store_nothing(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = common::shop(&pool, "Farmacia Sol", HERE, "pharmacy", None).await;
    for (body, code) in [
        (json!({}), "empty_report"),
        (json!({"stock": {}}), "empty_report"),
        (json!({"stock": {"nafta": "none"}}), "unknown_stock_item"),
        (json!({"queue": "huge"}), "invalid_body"),
        (json!({"stock": {"harina": "lots"}}), "invalid_body"),
        (json!({"open": "yes"}), "invalid_body"),
    ] {
        let r = report(&app, None, id, body.clone()).await;
        assert_eq!(r.code(), (422, Some(code)), "{body}: {}", r.body);
    }
    let r = report(&app, None, id + 1000, json!({"open": true})).await;
    assert_eq!(r.code(), (404, Some("not_found")));
    assert_eq!(stored_reports(&pool, id).await, 0);
}

#[sqlx::test]
async fn the_history_shows_usual_long_queues_once_enough_reports_exist(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = common::shop(&pool, "Farmacia Sol", HERE, "pharmacy", None).await;
    let uri = format!("/api/places/{id}/report-history");
    // Mondays at 9:30 in Buenos Aires (12:30 UTC) for the last four weeks: long queues.
    let monday = "date_trunc('week', now() AT TIME ZONE 'America/Argentina/Buenos_Aires') \
                  AT TIME ZONE 'America/Argentina/Buenos_Aires' + interval '9 hours 30 minutes'";
    let insert = |weeks_ago: i32, n: i32, queue: &str| {
        format!(
            "INSERT INTO place_reports (shard_cell, place_id, reporter, tier, reported_at, queue) \
             SELECT p.shard_cell, p.id, 'r' || {weeks_ago} || '-' || g, 'registered', \
                    {monday} - interval '{weeks_ago} weeks', '{queue}' \
             FROM places p, generate_series(1, {n}) g WHERE p.id = {id}"
        )
    };
    app.sql(&insert(1, 2, "long")).await;
    let h = app.get(None, &uri).await.body;
    assert_eq!(h["enough_data"], false);
    assert_eq!(h["hours"], json!([]));
    for w in 2..5 {
        app.sql(&insert(w, 2, "long")).await;
    }
    app.sql(&insert(1, 4, "none").replace("9 hours 30", "18 hours 10"))
        .await;
    let h = app.get(None, &uri).await.body;
    assert_eq!(h["enough_data"], true, "{h}");
    assert_eq!(h["usual_long_queue"], json!([9]), "{h}");
    let nine = h["hours"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["hour_of_week"] == 9)
        .unwrap();
    assert_eq!(nine["long_queue"], 8);
}

#[sqlx::test]
async fn maintenance_forgets_who_reported_after_a_week(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let id = common::shop(&pool, "Farmacia Sol", HERE, "pharmacy", None).await;
    let ana = app.volunteer(false).await;
    report(&app, Some(&ana), id, json!({"queue": "long"})).await;
    let other = common::shop(&pool, "Farmacia Luna", HERE, "pharmacy", None).await;
    report(&app, Some(&ana), other, json!({"queue": "none"})).await;
    app.sql(&format!(
        "UPDATE place_reports SET reported_at = now() - interval '8 days' WHERE place_id = {id}"
    ))
    .await;
    let done = antes::maintenance::run(&pool, &test_config())
        .await
        .unwrap();
    assert_eq!(done.reporters_forgotten, 1);
    let kept: Vec<Option<String>> =
        sqlx::query_scalar("SELECT reporter FROM place_reports ORDER BY place_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(kept[0].is_none() && kept[1].is_some(), "{kept:?}");
    app.sql("UPDATE place_reports SET reported_at = now() - interval '9 weeks'")
        .await;
    let done = antes::maintenance::run(&pool, &test_config())
        .await
        .unwrap();
    assert_eq!(done.reports_deleted, 2);
}

#[sqlx::test]
async fn a_deployments_own_stock_items_are_the_ones_taken_and_documented(pool: PgPool) {
    let config = AppConfig {
        report_items: vec![antes::config::ReportItem {
            id: "yerba".into(),
            es: "Yerba".into(),
            en: "Yerba mate".into(),
        }],
        ..test_config()
    };
    let app = TestApp::with_config(pool.clone(), config).await;
    let id = common::shop(&pool, "Almacén Don Luis", HERE, "pharmacy", None).await;
    let yerba = report(&app, None, id, json!({"stock": {"yerba": "little"}})).await;
    assert_eq!(yerba.status, 201, "{}", yerba.body);
    assert_eq!(yerba.body["live"]["stock"]["yerba"]["value"], "little");
    let flour = report(&app, None, id, json!({"stock": {"harina": "none"}})).await;
    assert_eq!(flour.code(), (422, Some("unknown_stock_item")));
    assert_eq!(
        app.get(None, "/api/config").await.body["report_items"][0]["en"],
        "Yerba mate"
    );
    let doc = app.get(None, "/api/openapi.json").await.body;
    let body = &doc["components"]["schemas"]["ReportBody"];
    assert_eq!(
        body["properties"]["stock"]["propertyNames"]["enum"],
        json!(["yerba"])
    );
    assert_eq!(body["anyOf"].as_array().unwrap().len(), 3, "{body}");
}
