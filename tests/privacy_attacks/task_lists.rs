//! The decoy flood with bisected homes (finding 1) and the lone request an unverified account
//! once saw (finding 2).

use crate::prelude::*;

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
            Some(&json!({"email": "curioso@example.org", "password": "a long passphrase for tests", "display_name": "C"})),
        )
        .await;
    assert_eq!(r.status, 201);
    let login = app
        .client
        .post("/api/auth/login")
        .header(rocket::http::ContentType::JSON)
        .body(
            json!({"email": "curioso@example.org", "password": "a long passphrase for tests"})
                .to_string(),
        )
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
