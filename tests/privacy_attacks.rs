//! The privacy audit's attacks (issue 8), replayed through the public API as an attacker would:
//! move, probe, repeat, and compare what can be observed. Each test shows that the attacker
//! learns nothing finer than the public cell (a res-8 H3 cell, about 0.74 km²): the usual proof
//! is that two victims at opposite ends of one cell give the attacker byte-for-byte the same
//! observations, so no estimate can tell them apart. The comments say what the old code leaked.

mod common;

use antes::config::AppConfig;
use antes::domain::cells::Cell;
use antes::domain::privacy::TASKS_LIMIT;
use common::app::{Reply, Session, TestApp};
use common::{far_apart_in, haversine, offset, res8, test_config};
use h3o::Resolution;
use rocket::http::Method::{Get, Post, Put};
use serde_json::{json, Value};
use sqlx::PgPool;

const SANTA_FE: (f64, f64) = (-31.6333, -60.7);

/// A task list with the victim's id replaced, so lists from two runs can be compared.
fn redact(tasks: &Reply, victim: &str) -> Value {
    let mut v = tasks.body.clone();
    if let Some(list) = v["tasks"].as_array_mut() {
        for t in list {
            if t["id"] == victim {
                t["id"] = json!("VICTIM");
            }
        }
    }
    json!({"status": tasks.status, "body": v})
}

fn lists(tasks: &Reply, id: &str) -> bool {
    tasks.body["tasks"]
        .as_array()
        .is_some_and(|l| l.iter().any(|t| t["id"] == id))
}

/// Linear interpolation between two points, fine at a few kilometres.
fn between(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

/// The audit's attack: along three lines, bisect the home position at which the victim drops
/// out of a list that decoys fill past its cut-off. Returns every list the attacker saw, and
/// how many times the victim was listed.
async fn bisect(
    app: &TestApp,
    attacker: &Session,
    victim: &str,
    decoys: (f64, f64),
) -> (Vec<Value>, usize) {
    let mut seen = Vec::new();
    let mut listed = 0;
    for line in 0..3 {
        let start = offset(SANTA_FE, 2_500.0, 150.0 + 30.0 * line as f64);
        let end = offset(decoys, 2_500.0, -30.0 + 30.0 * line as f64);
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..15 {
            let mid = (lo + hi) / 2.0;
            let r = app
                .set_home(attacker, between(start, end, mid), 8_000.0)
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            let tasks = app.tasks(attacker).await;
            assert_eq!(tasks.status, 200, "{}", tasks.body);
            if lists(&tasks, victim) {
                listed += 1;
                lo = mid;
            } else {
                hi = mid;
            }
            seen.push(redact(&tasks, victim));
        }
    }
    (seen, listed)
}

#[sqlx::test]
async fn bisecting_homes_behind_a_decoy_flood_cannot_tell_two_points_of_one_cell_apart(
    pool: PgPool,
) {
    // No limit on home moves here: the list alone must give nothing away.
    let config = AppConfig {
        home_changes_per_day: 0,
        ..test_config()
    };
    let app = TestApp::with_config(pool, config).await;
    let coordinator = app.coordinator().await;
    // A verified organizer's requests skip review, so the decoys open at once.
    let organizer = app.organizer(true).await;
    let decoys = offset(SANTA_FE, 3_000.0, 0.0);
    for i in 0..TASKS_LIMIT + 30 {
        app.ask(
            Some(&organizer),
            decoys,
            "groceries",
            &format!("señuelo {i}"),
        )
        .await;
    }
    // The original attacker was not even verified: now it sees no task at all.
    let unverified = app.volunteer(false).await;
    assert_eq!(
        app.set_home(&unverified, SANTA_FE, 8_000.0).await.status,
        200
    );
    assert_eq!(
        app.tasks(&unverified).await.code(),
        (403, Some("not_verified"))
    );

    // Two victims at opposite ends of one public cell, one after the other.
    let (west, east) = far_apart_in(res8(SANTA_FE));
    assert!(haversine(west, east) > 400.0);
    let attacker = app.volunteer(true).await;
    let mut runs = Vec::new();
    for spot in [west, east] {
        let victim = app
            .ask(Some(&coordinator), spot, "medicine", "víctima")
            .await;
        runs.push(bisect(&app, &attacker, &victim.id, decoys).await);
        let r = app
            .post(
                Some(&coordinator),
                &format!("/api/requests/{}/cancel", victim.id),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    // The attack did exercise the cut-off: the victim was in some lists and not in others.
    let (first, listed) = &runs[0];
    assert!(
        *listed > 0 && *listed < first.len(),
        "listed {listed} of {}",
        first.len()
    );
    // Against the old code (nearest 400 by exact distance from a home that moved freely) the
    // two runs parted at the first probe near the boundary, and the flip points located the
    // victim to 3 cm. Now every list is the same for both victims, so the attacker's best
    // estimate is off by at least half their distance for one of them: the cell, no better.
    assert_eq!(runs[0].0, runs[1].0);
}

#[sqlx::test]
async fn an_unverified_account_with_a_huge_radius_does_not_see_a_lone_request(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let lone = app
        .ask(Some(&coordinator), SANTA_FE, "company", "sola")
        .await;
    // Anyone may register; the account is unverified.
    let r = app
        .call(
            None,
            Post,
            "/api/auth/register",
            Some(&json!({"email": "curioso@example.org", "password": "long enough", "display_name": "C"})),
        )
        .await;
    assert_eq!(r.status, 201);
    let login = app
        .client
        .post("/api/auth/login")
        .header(rocket::http::ContentType::JSON)
        .body(json!({"email": "curioso@example.org", "password": "long enough"}).to_string())
        .dispatch()
        .await;
    let token = login
        .cookies()
        .get("antes_session")
        .unwrap()
        .value()
        .to_string();
    let curious = Session {
        id: r.body["id"].as_i64().unwrap(),
        token,
    };
    assert_eq!(
        app.set_home(&curious, offset(SANTA_FE, 20_000.0, 0.0), 50_000.0)
            .await
            .status,
        200
    );
    // The old code listed the lone request with its res-8 cell; the counts hide it.
    assert_eq!(
        app.tasks(&curious).await.code(),
        (403, Some("not_verified"))
    );
    for res in [8, 7, 6] {
        let cells = app
            .get(
                Some(&curious),
                &format!("/api/requests/cells?bbox=-61.2,-32.1,-60.2,-31.1&res={res}"),
            )
            .await;
        assert_eq!(cells.body["features"], json!([]), "res {res}");
    }
    // Ids are random, so it cannot be walked to either.
    let guess = format!("/api/requests/{}", uuid::Uuid::new_v4());
    assert_eq!(app.get(Some(&curious), &guess).await.status, 404);
    // A verified volunteer in reach does see it, as a cell and a band: that audience may.
    let verified = app
        .volunteer_at(offset(SANTA_FE, 1_500.0, 90.0), 5_000.0, 1)
        .await;
    let tasks = app.tasks(&verified).await;
    assert!(lists(&tasks, &lone.id), "{}", tasks.body);
}

#[sqlx::test]
async fn moving_home_next_to_a_far_request_does_not_let_one_claim_it_before_the_window(
    pool: PgPool,
) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let target = app
        .ask(Some(&coordinator), SANTA_FE, "groceries", "lejos")
        .await;
    let far = offset(SANTA_FE, 150_000.0, 0.0);
    let claimant = app.volunteer_at(far, 5_000.0, 1).await;
    assert_eq!(
        app.claim(&claimant, &target.id).await.code(),
        (403, Some("not_eligible"))
    );
    // The old code measured reach from the home as it was at the claim: one profile update
    // later, the same claim got 200 and the address.
    assert_eq!(app.set_home(&claimant, SANTA_FE, 2_000.0).await.status, 200);
    assert_eq!(
        app.claim(&claimant, &target.id).await.code(),
        (403, Some("not_eligible"))
    );
    assert_eq!(
        app.view(Some(&claimant), &target.id).await.body["view"],
        "public"
    );
    // A brand-new volunteer's first home has not stood long enough either.
    let newcomer = app.volunteer(true).await;
    assert_eq!(app.set_home(&newcomer, SANTA_FE, 2_000.0).await.status, 200);
    assert_eq!(
        app.claim(&newcomer, &target.id).await.code(),
        (403, Some("home_not_settled"))
    );
    // An hour later the new home counts.
    app.sql(&format!(
        "UPDATE volunteer_home_changes SET changed_at = changed_at - interval '61 minutes' \
         WHERE account_id = {}",
        claimant.id
    ))
    .await;
    assert_eq!(app.claim(&claimant, &target.id).await.status, 200);
    assert_eq!(
        app.view(Some(&claimant), &target.id).await.body["view"],
        "full"
    );
}

#[sqlx::test]
async fn a_fourth_home_move_in_a_day_is_refused_and_every_move_is_audited(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let mover = app.volunteer(true).await;
    for i in 0..3 {
        let r = app
            .set_home(&mover, offset(SANTA_FE, 2_000.0 * i as f64, 0.0), 3_000.0)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // Saving the same home again is no move.
    let same = app
        .set_home(&mover, offset(SANTA_FE, 4_000.0, 0.0), 2_500.0)
        .await;
    assert_eq!(same.status, 200);
    let refused = app
        .set_home(&mover, offset(SANTA_FE, 9_000.0, 0.0), 3_000.0)
        .await;
    assert_eq!(refused.code(), (429, Some("home_change_limit")));
    let wait = refused.retry_after.expect("Retry-After");
    assert!(wait > 23 * 3600 && wait <= 24 * 3600, "{wait}");
    let me = app.get(Some(&mover), "/api/me").await;
    assert!(
        (me.body["volunteer"]["home"]["lat"].as_f64().unwrap() - offset(SANTA_FE, 4_000.0, 0.0).0)
            .abs()
            < 1e-9
    );
    let log = app
        .get(
            Some(&coordinator),
            &format!("/api/accounts/{}/events", mover.id),
        )
        .await;
    let moves = log.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "home_changed" && e["actor_id"] == mover.id)
        .count();
    assert_eq!(moves, 3);
    // Past homes are forgotten once neither the limit nor the claim window needs them: after
    // three days only the last one is left, and it is the one claims are measured from.
    app.sql(&format!(
        "UPDATE volunteer_home_changes SET changed_at = changed_at - interval '3 days' \
         WHERE account_id = {}",
        mover.id
    ))
    .await;
    antes::maintenance::run(&app.pool, &test_config())
        .await
        .unwrap();
    let left: Vec<i64> =
        sqlx::query_scalar("SELECT cell FROM volunteer_home_changes WHERE account_id = $1")
            .bind(mover.id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let last = antes::domain::cells::Cell::at(
        antes::domain::geo::LatLon::new(
            offset(SANTA_FE, 4_000.0, 0.0).0,
            offset(SANTA_FE, 4_000.0, 0.0).1,
        )
        .unwrap(),
        antes::domain::cells::STORED_RES,
    );
    assert_eq!(left, [last.to_db()]);
    let again = app
        .set_home(&mover, offset(SANTA_FE, 9_000.0, 0.0), 3_000.0)
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(
        app.get(Some(&mover), &format!("/api/accounts/{}/events", mover.id))
            .await
            .status,
        403
    );
}

#[sqlx::test]
async fn claim_read_release_loops_stop_at_the_daily_limit_and_alert_the_coordinators(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let harvester = app.volunteer_at(SANTA_FE, 5_000.0, 1).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let p = offset(SANTA_FE, 300.0 * i as f64, 45.0 * i as f64);
        ids.push(
            app.ask(Some(&coordinator), p, "errand", &format!("n{i}"))
                .await
                .id,
        );
    }
    // The old code let this loop run three times in 50 ms, and as often as one liked.
    let mut phones_read = 0;
    let mut refused = None;
    for id in &ids {
        let claim = app.claim(&harvester, id).await;
        if claim.status != 200 {
            assert_eq!(claim.code(), (409, Some("too_many_open")));
            break;
        }
        if app.view(Some(&harvester), id).await.body["contact"]["phone"].is_string() {
            phones_read += 1;
        }
        let release = app.release(&harvester, id).await;
        if release.status != 200 {
            refused = Some(release);
        }
    }
    let refused = refused.expect("a release was refused");
    assert_eq!(refused.code(), (429, Some("release_limit")));
    assert!(refused.retry_after.is_some_and(|s| s > 0));
    // Three releases a day and one held task: four addresses, then nothing more.
    assert_eq!(phones_read, 4);
    let alerts = app.get(Some(&coordinator), "/api/alerts").await;
    let list = alerts.body["alerts"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", alerts.body);
    assert_eq!(
        (list[0]["account_id"].as_i64(), list[0]["action"].as_str()),
        (Some(harvester.id), Some("alert_release_burst"))
    );
    assert_eq!(app.get(Some(&harvester), "/api/alerts").await.status, 403);
    // A coordinator may still release it for them.
    let held = &ids[3];
    assert_eq!(app.release(&coordinator, held).await.status, 200);
}

#[sqlx::test]
async fn off_duty_volunteers_and_organizers_cannot_claim(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let target = app.ask(Some(&coordinator), SANTA_FE, "medicine", "x").await;
    let resting = app.volunteer_at(SANTA_FE, 3_000.0, 1).await;
    let off = json!({"skills": ["medicine"], "home": {"lat": SANTA_FE.0, "lon": SANTA_FE.1}, "radius_m": 3000, "on_duty": false, "max_open": 1});
    assert_eq!(
        app.call(Some(&resting), Put, "/api/me/volunteer", Some(&off))
            .await
            .status,
        200
    );
    // The old code ignored on_duty = false.
    assert_eq!(
        app.claim(&resting, &target.id).await.code(),
        (403, Some("off_duty"))
    );
    // A verified organizer made a volunteer profile, claimed, and read a contact.
    let organizer = app.organizer(true).await;
    common::settled_profile(
        &app.pool,
        organizer.id,
        &["medicine"],
        SANTA_FE,
        3_000.0,
        true,
        1,
    )
    .await;
    assert_eq!(
        app.claim(&organizer, &target.id).await.code(),
        (403, Some("volunteers_only"))
    );
    assert_eq!(
        app.tasks(&organizer).await.code(),
        (403, Some("volunteers_only"))
    );
    assert_eq!(
        app.view(Some(&organizer), &target.id).await.body["view"],
        "public"
    );
}

#[sqlx::test]
async fn a_suspended_account_is_signed_out_loses_its_tasks_and_cannot_sign_in(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let target = app
        .ask(Some(&coordinator), SANTA_FE, "groceries", "x")
        .await;
    let other = app
        .ask(
            Some(&coordinator),
            offset(SANTA_FE, 500.0, 0.0),
            "groceries",
            "y",
        )
        .await;
    let bad = app.volunteer_at(SANTA_FE, 3_000.0, 2).await;
    assert_eq!(app.claim(&bad, &target.id).await.status, 200);
    let email = app.get(Some(&bad), "/api/me").await.body["email"]
        .as_str()
        .unwrap()
        .to_string();

    // The old code had no way to stop an account.
    let r = app
        .post(
            Some(&coordinator),
            &format!("/api/accounts/{}/suspend", bad.id),
        )
        .await;
    assert_eq!((r.status, r.body["suspended"].as_bool()), (200, Some(true)));
    assert_eq!(app.get(Some(&bad), "/api/me").await.status, 401);
    assert_eq!(app.view(None, &target.id).await.body["status"], "open");
    let login = app
        .call(
            None,
            Post,
            "/api/auth/login",
            Some(&json!({"email": email, "password": common::PASSWORD})),
        )
        .await;
    assert_eq!(login.code(), (403, Some("account_suspended")));
    // A wrong password still says only that.
    let wrong = app
        .call(
            None,
            Post,
            "/api/auth/login",
            Some(&json!({"email": email, "password": "not it at all"})),
        )
        .await;
    assert_eq!(wrong.code(), (401, Some("invalid_credentials")));
    assert_eq!(
        app.post(
            Some(&coordinator),
            &format!("/api/accounts/{}/suspend", coordinator.id)
        )
        .await
        .code(),
        (409, Some("cannot_suspend_self"))
    );

    // Taking verification back also returns the account's tasks.
    let second = app.volunteer_at(SANTA_FE, 3_000.0, 2).await;
    assert_eq!(app.claim(&second, &other.id).await.status, 200);
    let r = app
        .post(
            Some(&coordinator),
            &format!("/api/accounts/{}/unverify", second.id),
        )
        .await;
    assert_eq!((r.status, r.body["verified"].as_bool()), (200, Some(false)));
    assert_eq!(
        app.view(Some(&second), &other.id).await.body["view"],
        "public"
    );
    assert_eq!(
        app.claim(&second, &other.id).await.code(),
        (403, Some("not_verified"))
    );
    assert_eq!(app.tasks(&second).await.code(), (403, Some("not_verified")));
    let log = app
        .get(
            Some(&coordinator),
            &format!("/api/accounts/{}/events", second.id),
        )
        .await;
    assert!(log.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "unverified"));

    // Lifting the suspension lets the account sign in again.
    app.post(
        Some(&coordinator),
        &format!("/api/accounts/{}/unsuspend", bad.id),
    )
    .await;
    let login = app
        .call(
            None,
            Post,
            "/api/auth/login",
            Some(&json!({"email": email, "password": common::PASSWORD})),
        )
        .await;
    assert_eq!(login.status, 200);
}

/// The matches a coordinator sees for each probe request: whether `volunteer` is listed, and
/// the band shown.
async fn probe_matches(
    app: &TestApp,
    coordinator: &Session,
    probes: &[String],
    volunteer: i64,
) -> Vec<Value> {
    let mut seen = Vec::new();
    for id in probes {
        let r = app.matches(coordinator, id).await;
        assert_eq!(r.status, 200);
        let me: Vec<&Value> = r.body["matches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["account_id"] == volunteer)
            .collect();
        seen.push(json!(me));
    }
    seen
}

#[sqlx::test]
async fn probe_requests_cannot_tell_two_homes_of_one_cell_apart(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let (west, east) = far_apart_in(res8(SANTA_FE));
    let volunteer = app.volunteer_at(west, 1_250.0, 3).await;
    // Probes every 150 m outwards across the volunteer's radius, on three bearings.
    let mut probes = Vec::new();
    for bearing in [0.0, 120.0, 240.0] {
        for step in 0..16 {
            let p = offset(SANTA_FE, 150.0 * step as f64, bearing);
            probes.push(app.ask(Some(&coordinator), p, "company", "sonda").await.id);
        }
    }
    let at_west = probe_matches(&app, &coordinator, &probes, volunteer.id).await;
    // The old code showed the exact distance to the nearest 100 m: nine probes found the
    // 1,250 m boundary to 0.15 m, and three such circles gave the home.
    assert!(at_west.iter().all(|m| m
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x.get("distance_m").is_none())));
    assert!(at_west.iter().any(|m| m != &json!([])) && at_west.iter().any(|m| m == &json!([])));
    assert_eq!(app.set_home(&volunteer, east, 1_250.0).await.status, 200);
    let at_east = probe_matches(&app, &coordinator, &probes, volunteer.id).await;
    assert_eq!(at_west, at_east);
}

/// What a purged row keeps: category, status, cell, area cell, token hash, author, assignee,
/// whether every personal field is empty, whether every date is a whole day.
type Remains = (
    String,
    String,
    Option<i64>,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
    bool,
);

/// The first of `secrets` that any of `blobs` holds.
fn holding<'a>(blobs: &[Vec<u8>], secrets: &[&'a str]) -> Option<&'a str> {
    secrets.iter().copied().find(|s| {
        let needle = s.as_bytes();
        blobs
            .iter()
            .any(|b| b.windows(needle.len()).any(|w| w == needle))
    })
}

#[sqlx::test]
async fn after_retention_nothing_leads_back_to_the_requester_or_the_volunteer(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    // A registered neighbour asks, so the row links to an account; a volunteer does the task.
    let neighbour = app.volunteer(false).await;
    let spot = offset(SANTA_FE, 321.0, 33.0);
    let body = json!({
        "category": "medicine",
        "description": "remedios para la presión",
        "location": {"lat": spot.0, "lon": spot.1},
        "address_detail": "pasillo 4, casa del fondo",
        "contact": {"name": "Irma Zubieta", "phone": "+54 342 481-7733"},
        "on_behalf_of": true,
        "needed_by": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339(),
    });
    let posted = app
        .call(Some(&neighbour), Post, "/api/requests", Some(&body))
        .await;
    let (id, token) = (
        posted.body["id"].as_str().unwrap().to_string(),
        posted.body["manage_token"].as_str().unwrap().to_string(),
    );
    app.post(Some(&coordinator), &format!("/api/requests/{id}/approve"))
        .await;
    let helper = app.volunteer_at(SANTA_FE, 3_000.0, 1).await;
    assert_eq!(app.claim(&helper, &id).await.status, 200);
    assert_eq!(app.view(Some(&helper), &id).await.body["view"], "full");
    assert_eq!(
        app.post(Some(&helper), &format!("/api/requests/{id}/complete"))
            .await
            .status,
        200
    );

    app.sql(&format!(
        "UPDATE help_requests SET closed_at = now() - interval '31 days' WHERE id = '{id}'"
    ))
    .await;
    let report = antes::maintenance::run(&app.pool, &test_config())
        .await
        .unwrap();
    assert_eq!(report.purged, 1);

    // The old purge kept the res-9 cell, the link to the account and the token hash, so the
    // manage link still opened a view.
    let kept: Remains = sqlx::query_as(
        "SELECT category, status, cell, area_cell, manage_token_hash, created_by, assignee, \
                    location IS NULL AND contact_name IS NULL AND contact_phone IS NULL \
                      AND description IS NULL AND address_detail IS NULL AND NOT on_behalf_of, \
                    created_at = date_trunc('day', created_at) \
                      AND closed_at = date_trunc('day', closed_at) \
                      AND needed_by = date_trunc('day', needed_by) \
             FROM help_requests WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let area = res8(spot).parent(Resolution::Seven).unwrap().to_db();
    assert_eq!(
        kept,
        (
            "medicine".into(),
            "done".into(),
            None,
            area,
            None,
            None,
            None,
            true,
            true
        )
    );
    let by_link = app
        .send(
            None,
            Some(&token),
            Get,
            &format!("/api/requests/{id}"),
            None,
        )
        .await;
    assert_eq!(by_link.status, 404);
    assert_eq!(app.view(Some(&coordinator), &id).await.status, 404);

    // Old row versions were vacuumed away: no tuple, live or dead, holds the contact.
    let secrets = ["Irma Zubieta", "481-7733", "pasillo 4", "presión"];
    app.sql("CREATE EXTENSION IF NOT EXISTS pageinspect").await;
    let tuples: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT i.t_data FROM generate_series(0, \
            pg_relation_size('help_requests') / current_setting('block_size')::bigint - 1) b, \
         LATERAL heap_page_items(get_raw_page('help_requests', 'main', b::int)) i \
         WHERE i.t_data IS NOT NULL",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!tuples.is_empty());
    assert_eq!(holding(&tuples, &secrets), None);
    // Their bytes may still sit in free space; `antes maintain --rewrite` leaves none.
    antes::maintenance::rewrite(&app.pool).await.unwrap();
    let pages: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT get_raw_page('help_requests', 'main', b::int) FROM generate_series(0, \
            pg_relation_size('help_requests') / current_setting('block_size')::bigint - 1) b",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!pages.is_empty());
    assert_eq!(holding(&pages, &secrets), None);

    // Audit rows keep who did what for audit_retention_days, then lose the account ids.
    let named: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM request_events WHERE request_id = $1::uuid AND account_id IS NOT NULL",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(named >= 3, "{named}");
    app.sql("UPDATE request_events SET created_at = now() - interval '366 days'")
        .await;
    app.sql("UPDATE account_events SET created_at = now() - interval '366 days'")
        .await;
    let report = antes::maintenance::run(&app.pool, &test_config())
        .await
        .unwrap();
    assert!(report.audit_forgotten >= named as u64);
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM request_events WHERE account_id IS NOT NULL) \
              + (SELECT count(*) FROM account_events WHERE account_id IS NOT NULL OR actor_id IS NOT NULL)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    // Nothing about the cell finer than res 7 is left anywhere in the row.
    let cell: Option<i64> =
        sqlx::query_scalar("SELECT cell FROM help_requests WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(cell.map(Cell::from_db).is_none());
}

#[sqlx::test]
async fn a_manage_token_in_the_url_is_refused_and_opens_nothing(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let posted = app.ask(None, SANTA_FE, "meal", "enlace").await;
    let id = &posted.id;
    // The old link was /?request=ID&token=TOKEN, so the token sat in the address bar, the
    // history, and every proxy's access log; the API read it from the query string.
    for (method, uri) in [
        (
            Get,
            format!("/api/requests/{id}?token={}", posted.manage_token),
        ),
        (
            Post,
            format!("/api/requests/{id}/cancel?token={}", posted.manage_token),
        ),
    ] {
        let r = app.call(None, method, &uri, None).await;
        assert_eq!(r.code(), (400, Some("token_in_url")), "{uri}");
    }
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM request_events WHERE request_id = $1::uuid ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events, ["created"]);
    assert_eq!(app.view(None, id).await.body["status"], "pending_review");
    // In a header it works, as the page sends it from the link's #token= fragment.
    let full = app
        .send(
            None,
            Some(&posted.manage_token),
            Get,
            &format!("/api/requests/{id}"),
            None,
        )
        .await;
    assert_eq!(full.body["view"], "full");
}

fn kitchen(name: &str) -> Value {
    json!({
        "kind": "kitchen", "category": "soup_kitchen", "name": name,
        "location": {"lat": -31.6260, "lon": -60.7290},
        "opening_hours": "Mo-Fr 11:30-14:00", "phone": "+54 342 400-0200"
    })
}

fn shift() -> Value {
    let base = chrono::Utc::now() + chrono::Duration::days(2);
    json!({
        "kind": "shift", "role": "cook", "slots": 3,
        "starts_at": base.to_rfc3339(),
        "ends_at": (base + chrono::Duration::hours(3)).to_rfc3339(),
    })
}

#[sqlx::test]
async fn an_unverified_organizer_cannot_change_an_approved_kitchen_or_read_its_volunteers(
    pool: PgPool,
) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let organizer = app.organizer(false).await;
    let created = app
        .call(
            Some(&organizer),
            Post,
            "/api/places",
            Some(&kitchen("Comedor Los Pibes")),
        )
        .await;
    assert_eq!(created.body["status"], "pending_review");
    let id = created.body["id"].as_i64().unwrap();
    app.post(Some(&coordinator), &format!("/api/places/{id}/approve"))
        .await;

    // The old code let this edit go live without review.
    let edit = json!({"name": "Colecta Urgente", "phone": "+54 11 5555-0000",
        "location": {"lat": -31.60, "lon": -60.70}});
    let r = app
        .call(
            Some(&organizer),
            rocket::http::Method::Patch,
            &format!("/api/places/{id}"),
            Some(&edit),
        )
        .await;
    assert_eq!(r.code(), (403, Some("not_verified")));
    let public = app.get(None, &format!("/api/places/{id}")).await;
    assert_eq!(public.body["properties"]["name"], "Comedor Los Pibes");
    assert_eq!(public.body["properties"]["phone"], "+54 342 400-0200");
    assert_eq!(
        public.body["geometry"]["coordinates"],
        json!([-60.7290, -31.6260])
    );

    // A volunteer takes a shift; the old code showed their phone to this organizer.
    let need = app
        .call(
            Some(&coordinator),
            Post,
            &format!("/api/places/{id}/needs"),
            Some(&shift()),
        )
        .await;
    let need_id = need.body["id"].as_i64().unwrap();
    let volunteer = app.volunteer(true).await;
    app.sql(&format!(
        "UPDATE accounts SET phone = '+54 342 499-1234' WHERE id = {}",
        volunteer.id
    ))
    .await;
    assert_eq!(
        app.post(Some(&volunteer), &format!("/api/needs/{need_id}/signup"))
            .await
            .status,
        200
    );
    let detail = app
        .get(Some(&organizer), &format!("/api/needs/{need_id}"))
        .await;
    assert_eq!(detail.code(), (403, Some("not_verified")));
    assert!(!detail.body.to_string().contains("499-1234"));
    let posted = app
        .call(
            Some(&organizer),
            Post,
            &format!("/api/places/{id}/needs"),
            Some(&shift()),
        )
        .await;
    assert_eq!(posted.code(), (403, Some("not_verified")));

    // Once a coordinator verifies the organizer, it runs its kitchen.
    app.post(
        Some(&coordinator),
        &format!("/api/accounts/{}/verify", organizer.id),
    )
    .await;
    let detail = app
        .get(Some(&organizer), &format!("/api/needs/{need_id}"))
        .await;
    assert_eq!(detail.body["signups"][0]["phone"], "+54 342 499-1234");
}

#[sqlx::test]
async fn an_organizers_change_of_name_place_or_phone_goes_back_to_review(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let organizer = app.organizer(true).await;
    let created = app
        .call(
            Some(&organizer),
            Post,
            "/api/places",
            Some(&kitchen("Comedor La Esperanza")),
        )
        .await;
    assert_eq!(created.body["status"], "active");
    let id = created.body["id"].as_i64().unwrap();
    let patch = |body: Value| {
        let app = &app;
        let organizer = &organizer;
        async move {
            app.call(
                Some(organizer),
                rocket::http::Method::Patch,
                &format!("/api/places/{id}"),
                Some(&body),
            )
            .await
        }
    };
    // Hours are not what people trust a kitchen by: the change stays live.
    let r = patch(json!({"opening_hours": "Mo-Sa 11:00-14:00"})).await;
    assert_eq!(r.body["properties"]["status"], "active");
    assert_eq!(
        app.get(None, &format!("/api/places/{id}")).await.status,
        200
    );
    // Each of name, location and phone sends it back to review, hidden from the public.
    for change in [
        json!({"name": "Comedor La Esperanza II"}),
        json!({"location": {"lat": -31.61, "lon": -60.71}}),
        json!({"phone": "+54 342 400-0999"}),
    ] {
        let r = patch(change.clone()).await;
        assert_eq!(r.body["properties"]["status"], "pending_review", "{change}");
        assert_eq!(
            app.get(None, &format!("/api/places/{id}")).await.status,
            404
        );
        let listed = app
            .get(
                None,
                "/api/places?bbox=-60.8,-31.7,-60.6,-31.5&kind=kitchen",
            )
            .await;
        assert!(!listed.body.to_string().contains("Esperanza"), "{change}");
        app.post(Some(&coordinator), &format!("/api/places/{id}/approve"))
            .await;
        assert_eq!(
            app.get(None, &format!("/api/places/{id}")).await.status,
            200
        );
    }
    // A coordinator's edit stays live.
    let r = app
        .call(
            Some(&coordinator),
            rocket::http::Method::Patch,
            &format!("/api/places/{id}"),
            Some(&json!({"phone": "+54 342 400-0111"})),
        )
        .await;
    assert_eq!(r.body["properties"]["status"], "active");
    assert_eq!(
        app.get(None, &format!("/api/places/{id}")).await.body["properties"]["phone"],
        "+54 342 400-0111"
    );
}

#[sqlx::test]
async fn a_suspension_racing_claims_leaves_the_account_holding_no_address(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    for round in 0..3 {
        let mut ids = Vec::new();
        for i in 0..6 {
            let p = offset(SANTA_FE, 200.0 * i as f64, 60.0 * i as f64);
            ids.push(
                app.ask(Some(&coordinator), p, "errand", &format!("r{round}-{i}"))
                    .await
                    .id,
            );
        }
        let racer = app.volunteer_at(SANTA_FE, 5_000.0, 6).await;
        let suspend = format!("/api/accounts/{}/suspend", racer.id);
        let claims = ids.iter().map(|id| app.claim(&racer, id));
        let (_, replies) = futures::join!(
            app.post(Some(&coordinator), &suspend),
            futures::future::join_all(claims)
        );
        assert!(replies.iter().all(|r| r.status < 500));
        let held: i64 =
            sqlx::query_scalar("SELECT count(*) FROM help_requests WHERE assignee = $1")
                .bind(racer.id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!(held, 0, "round {round}: {replies:?}");
    }
}

#[sqlx::test]
async fn sliding_a_thin_map_box_across_a_cell_never_counts_part_of_it(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let cell = res8(SANTA_FE);
    let (west, east) = far_apart_in(cell);
    let centre = cell.center();
    for p in [west, east, (centre.lat, centre.lon)] {
        app.ask(Some(&coordinator), p, "groceries", "celda").await;
    }
    // A 20 m wide box swept from west of the cell to east of it. Counting only the requests
    // inside the box would show a cell's count change as the box passes each request.
    let ring = cell.ring();
    let (lo, hi) = ring
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), [lon, _]| {
            (lo.min(*lon), hi.max(*lon))
        });
    let mut seen = 0;
    for step in 0..=30 {
        let lon = lo - 0.003 + (hi - lo + 0.006) * step as f64 / 30.0;
        let bbox = format!(
            "{},{},{},{}",
            lon,
            centre.lat - 0.0001,
            lon + 0.0002,
            centre.lat + 0.0001
        );
        let r = app
            .get(None, &format!("/api/requests/cells?bbox={bbox}&res=8"))
            .await;
        assert_eq!(r.status, 200);
        for f in r.body["features"].as_array().unwrap() {
            assert_eq!(f["properties"]["cell"], cell.to_string());
            assert_eq!(f["properties"]["count"], 3, "box {bbox}");
            seen += 1;
        }
    }
    assert!(seen > 5, "the box touched the cell {seen} times");
}

#[sqlx::test]
async fn claim_read_complete_loops_stop_at_the_daily_claim_limit(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let harvester = app.volunteer_at(SANTA_FE, 5_000.0, 1).await;
    let mut ids = Vec::new();
    for i in 0..13 {
        let p = offset(SANTA_FE, 150.0 * i as f64, 27.0 * i as f64);
        ids.push(
            app.ask(Some(&coordinator), p, "errand", &format!("c{i}"))
                .await
                .id,
        );
    }
    // Marking a task done frees its slot with no limit of its own, so without a claim limit
    // this loop read every open request's address.
    let mut phones_read = 0;
    let mut refused = None;
    for id in &ids {
        let claim = app.claim(&harvester, id).await;
        if claim.status != 200 {
            refused = Some(claim);
            break;
        }
        if app.view(Some(&harvester), id).await.body["contact"]["phone"].is_string() {
            phones_read += 1;
        }
        let done = app
            .post(Some(&harvester), &format!("/api/requests/{id}/complete"))
            .await;
        assert_eq!(done.status, 200);
    }
    let refused = refused.expect("a claim was refused");
    assert_eq!(refused.code(), (429, Some("claim_limit")));
    assert!(refused.retry_after.is_some_and(|s| s > 0));
    assert_eq!(phones_read, test_config().claims_per_day as usize);
    let alerts = app.get(Some(&coordinator), "/api/alerts").await;
    assert!(alerts.body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == "alert_claim_burst" && a["account_id"] == harvester.id));
}
