//! Help requests, volunteers and matching (issue 4), against a real PostGIS: accounts and
//! sessions, the lifecycle, the privacy rules, atomic claims, matching, the audit log, expiry
//! and the retention purge.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use antes::domain::cells::{Cell, PUBLIC_RES};
use antes::domain::geo::LatLon;
use common::{
    account, call, call_manage, haversine, offset, res8, test_config, untracked, PASSWORD,
};
use h3o::Resolution;
use rocket::http::Method::{Get, Post, Put};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

const SANTA_FE: (f64, f64) = (-31.6333, -60.7);

/// The public point of a point: the centre of its public cell.
fn public(p: (f64, f64)) -> (f64, f64) {
    let c = res8(p).center();
    (c.lat, c.lon)
}

/// The band a distance falls in, as the API names it.
fn band(d: f64) -> &'static str {
    match d {
        d if d < 1_000.0 => "<1 km",
        d if d < 3_000.0 => "1-3 km",
        d if d < 10_000.0 => "3-10 km",
        _ => ">10 km",
    }
}

fn request_body(p: (f64, f64), category: &str, urgency: &str, name: &str, phone: &str) -> Value {
    json!({
        "category": category,
        "description": "Necesito ayuda con las compras de la semana",
        "location": {"lat": p.0, "lon": p.1},
        "address_detail": "Piso 2, depto B, timbre que no anda",
        "contact": {"name": name, "phone": phone},
        "on_behalf_of": true,
        "urgency": urgency,
    })
}

/// Posts a request as `token` (or anonymously) and returns the 201 body.
async fn post_request(client: &Client, token: Option<&str>, body: &Value) -> Value {
    let (status, created) = call(client, Post, "/api/requests", token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created
}

/// An open request posted by the coordinator `coord`; returns its id.
async fn open_request(
    client: &Client,
    coord: &str,
    p: (f64, f64),
    category: &str,
    urgency: &str,
) -> String {
    let created = post_request(
        client,
        Some(coord),
        &request_body(p, category, urgency, "Rosa Quiroga", "+54 342 400-0000"),
    )
    .await;
    assert_eq!(created["status"], "open");
    created["id"].as_str().unwrap().to_string()
}

struct Vol<'a> {
    email: &'a str,
    verified: bool,
    home: (f64, f64),
    radius_m: f64,
    skills: &'a [&'a str],
    on_duty: bool,
    max_open: i32,
}

/// A volunteer account with a profile whose home was set two hours ago (so claims are
/// measured from it), made through the db layer; returns (id, session token).
async fn volunteer(pool: &PgPool, v: Vol<'_>) -> (i64, String) {
    let (id, token) = account(pool, v.email, "volunteer", v.verified).await;
    common::settled_profile(
        pool, id, v.skills, v.home, v.radius_m, v.on_duty, v.max_open,
    )
    .await;
    (id, token)
}

fn vol(email: &str, home: (f64, f64)) -> Vol<'_> {
    Vol {
        email,
        verified: true,
        home,
        radius_m: 5_000.0,
        skills: &["groceries", "medicine"],
        on_duty: true,
        max_open: 3,
    }
}

async fn event_actions(pool: &PgPool, id: &str) -> Vec<(String, Option<i64>)> {
    sqlx::query_as(
        "SELECT action, account_id FROM request_events WHERE request_id = $1::uuid ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn registering_and_logging_in_give_a_revocable_http_only_session(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let body = json!({"email": "Ana@Example.org", "password": "a long passphrase for tests", "display_name": "Ana", "phone": "342 555 1234"});
    let res = client
        .post("/api/auth/register")
        .header(rocket::http::ContentType::JSON)
        .body(body.to_string())
        .dispatch()
        .await;
    assert_eq!(res.status().code, 201);
    let set_cookie = res.headers().get_one("Set-Cookie").unwrap().to_string();
    assert!(set_cookie.starts_with("antes_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let me: Value = serde_json::from_str(&res.into_string().await.unwrap()).unwrap();
    assert_eq!(
        (
            me["email"].as_str(),
            me["role"].as_str(),
            me["verified"].as_bool()
        ),
        (Some("ana@example.org"), Some("volunteer"), Some(false))
    );

    let stored: String = sqlx::query_scalar("SELECT password_hash FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");

    let (status, err) = call(&client, Post, "/api/auth/register", None, Some(&json!({"email": "ana@example.ORG", "password": "another passphrase entirely", "display_name": "Ana 2"}))).await;
    assert_eq!((status, err["error"].as_str()), (409, Some("email_taken")));

    let (status, err) = call(
        &client,
        Post,
        "/api/auth/login",
        None,
        Some(&json!({"email": "ana@example.org", "password": "wrong password"})),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let (status, err) = call(
        &client,
        Post,
        "/api/auth/login",
        None,
        Some(&json!({"email": "nobody@example.org", "password": "a long passphrase for tests"})),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_credentials"))
    );

    let res = client
        .post("/api/auth/login")
        .header(rocket::http::ContentType::JSON)
        .body(
            json!({"email": "ANA@example.org", "password": "a long passphrase for tests"})
                .to_string(),
        )
        .dispatch()
        .await;
    assert_eq!(res.status().code, 200);
    let cookie = res
        .cookies()
        .get("antes_session")
        .unwrap()
        .value()
        .to_string();
    let (status, me) = call(&client, Get, "/api/me", Some(&cookie), None).await;
    assert_eq!((status, me["display_name"].as_str()), (200, Some("Ana")));

    let (status, _) = call(&client, Post, "/api/auth/logout", Some(&cookie), None).await;
    assert_eq!(status, 204);
    let (status, err) = call(&client, Get, "/api/me", Some(&cookie), None).await;
    assert_eq!((status, err["error"].as_str()), (401, Some("unauthorized")));
    let (status, _) = call(&client, Get, "/api/me", None, None).await;
    assert_eq!(status, 401);
}

#[sqlx::test]
async fn the_session_cookie_is_secure_when_configured(pool: PgPool) {
    let config = antes::config::AppConfig {
        cookie_secure: true,
        ..test_config()
    };
    let client = common::client_with(pool, config).await;
    let res = client
        .post("/api/auth/register")
        .header(rocket::http::ContentType::JSON)
        .body(
            json!({"email": "s@example.org", "password": "a long passphrase for tests", "display_name": "S"})
                .to_string(),
        )
        .dispatch()
        .await;
    assert_eq!(res.status().code, 201);
    assert!(res
        .headers()
        .get_one("Set-Cookie")
        .unwrap()
        .contains("Secure"));
}

#[sqlx::test]
async fn anonymous_requests_wait_for_review_and_trusted_authors_skip_it(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (_, organizer) = account(&pool, "org@example.org", "organizer", true).await;
    let (_, new_org) = account(&pool, "new@example.org", "organizer", false).await;
    let (_, vol) = account(&pool, "vol@example.org", "volunteer", true).await;
    let body = request_body(SANTA_FE, "medicine", "high", "Rosa", "+54 342 400-0000");

    let anon = post_request(&client, None, &body).await;
    assert_eq!(anon["status"], "pending_review");
    let cell: Cell = anon["public_cell"].as_str().unwrap().parse().unwrap();
    assert_eq!(cell, res8(SANTA_FE));
    let token = anon["manage_token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    let stored: String =
        sqlx::query_scalar("SELECT manage_token_hash FROM help_requests WHERE id = $1::uuid")
            .bind(anon["id"].as_str().unwrap())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, antes::secrets::token_hash(token));
    assert_ne!(stored, token);

    for (who, expected) in [
        (&coord, "open"),
        (&organizer, "open"),
        (&new_org, "pending_review"),
        (&vol, "pending_review"),
    ] {
        let created = post_request(&client, Some(who), &body).await;
        assert_eq!(created["status"], expected);
    }

    let (status, queue) = call(&client, Get, "/api/review/requests", Some(&coord), None).await;
    assert_eq!(status, 200);
    let queued = queue["requests"].as_array().unwrap();
    assert_eq!(queued.len(), 3);
    assert!(queued
        .iter()
        .all(|r| r.get("location").is_none() && r.get("contact").is_none()));
    let (status, _) = call(&client, Get, "/api/review/requests", Some(&vol), None).await;
    assert_eq!(status, 403);
    let (status, open) = call(
        &client,
        Get,
        "/api/review/requests?status=open",
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(open["requests"].as_array().unwrap().len(), 2);
}

#[sqlx::test]
async fn the_manage_link_shows_the_full_view_and_cancels(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let created = post_request(
        &client,
        None,
        &request_body(SANTA_FE, "company", "low", "Rosa", "+54 342 400-0000"),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let token = created["manage_token"].as_str().unwrap();

    let (status, public) = call(&client, Get, &format!("/api/requests/{id}"), None, None).await;
    assert_eq!((status, public["view"].as_str()), (200, Some("public")));
    let keys: BTreeSet<&str> = public
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "id",
            "view",
            "category",
            "urgency",
            "status",
            "cell",
            "needed_by",
            "created_at"
        ])
    );

    // The token travels in a header (the link keeps it in the URL fragment), never the query.
    let (status, full) =
        call_manage(&client, Get, &format!("/api/requests/{id}"), token, None).await;
    assert_eq!((status, full["view"].as_str()), (200, Some("full")));
    assert_eq!(full["contact"]["name"], "Rosa");
    assert!((full["location"]["lat"].as_f64().unwrap() - SANTA_FE.0).abs() < 1e-9);
    for uri in [
        format!("/api/requests/{id}?token={token}"),
        format!("/api/requests/{id}?x=1&token={token}"),
    ] {
        let (status, err) = call(&client, Get, &uri, None, None).await;
        assert_eq!(
            (status, err["error"].as_str()),
            (400, Some("token_in_url")),
            "{uri}"
        );
    }
    let (status, err) = call(
        &client,
        Post,
        &format!("/api/requests/{id}/cancel?token={token}"),
        None,
        None,
    )
    .await;
    assert_eq!((status, err["error"].as_str()), (400, Some("token_in_url")));

    let wrong = "0".repeat(64);
    let (status, err) =
        call_manage(&client, Get, &format!("/api/requests/{id}"), &wrong, None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (403, Some("invalid_token"))
    );
    let (status, _) = call(
        &client,
        Post,
        &format!("/api/requests/{id}/cancel"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call_manage(
        &client,
        Post,
        &format!("/api/requests/{id}/cancel"),
        &wrong,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &client,
        Post,
        &format!("/api/requests/{id}/cancel"),
        None,
        Some(&json!({"token": wrong})),
    )
    .await;
    assert_eq!(status, 403);

    // The token may also come in the body.
    let (status, done) = call(
        &client,
        Post,
        &format!("/api/requests/{id}/cancel"),
        None,
        Some(&json!({"token": token})),
    )
    .await;
    assert_eq!((status, done["status"].as_str()), (200, Some("cancelled")));
    let (status, err) = call_manage(
        &client,
        Post,
        &format!("/api/requests/{id}/cancel"),
        token,
        None,
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("invalid_transition"))
    );

    let actions: Vec<String> = event_actions(&pool, id)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(actions, ["created", "viewed_full", "cancelled"]);
}

#[sqlx::test]
async fn a_request_goes_from_review_to_done_and_every_step_is_logged(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (coord_id, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (vol_id, volt) = volunteer(
        &pool,
        vol("vol@example.org", offset(SANTA_FE, 1_500.0, 90.0)),
    )
    .await;
    let (_, other) = volunteer(
        &pool,
        vol("other@example.org", offset(SANTA_FE, 1_500.0, 270.0)),
    )
    .await;
    let created = post_request(
        &client,
        None,
        &request_body(SANTA_FE, "groceries", "normal", "Rosa", "+54 342 400-0000"),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let path = |action: &str| format!("/api/requests/{id}/{action}");

    // Not open yet: no one can claim, and only coordinators approve.
    let (status, err) = call(&client, Post, &path("claim"), Some(&volt), None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("invalid_transition"))
    );
    let (status, err) = call(&client, Post, &path("approve"), Some(&volt), None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (403, Some("coordinators_only"))
    );
    let (status, _) = call(&client, Post, &path("approve"), None, None).await;
    assert_eq!(status, 401);
    let (status, body) = call(&client, Post, &path("approve"), Some(&coord), None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("open")));
    let (status, _) = call(&client, Post, &path("approve"), Some(&coord), None).await;
    assert_eq!(status, 409);

    let (status, body) = call(&client, Post, &path("claim"), Some(&volt), None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("assigned")));
    let (status, err) = call(&client, Post, &path("claim"), Some(&other), None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("already_assigned"))
    );

    let (_, mine) = call(
        &client,
        Get,
        &format!("/api/requests/{id}"),
        Some(&volt),
        None,
    )
    .await;
    assert_eq!(mine["view"], "full");
    assert_eq!(mine["assignee"]["id"], vol_id);
    let (_, theirs) = call(
        &client,
        Get,
        &format!("/api/requests/{id}"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(theirs["view"], "public");
    let (status, err) = call(&client, Post, &path("complete"), Some(&other), None).await;
    assert_eq!((status, err["error"].as_str()), (403, Some("not_assignee")));

    let (status, body) = call(&client, Post, &path("release"), Some(&volt), None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("open")));
    let (_, after) = call(
        &client,
        Get,
        &format!("/api/requests/{id}"),
        Some(&volt),
        None,
    )
    .await;
    assert_eq!(
        after["view"], "public",
        "a released request hides its details again"
    );
    let (status, _) = call(&client, Post, &path("claim"), Some(&other), None).await;
    assert_eq!(status, 200);
    let (status, body) = call(&client, Post, &path("complete"), Some(&other), None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("done")));
    let (status, err) = call(&client, Post, &path("release"), Some(&coord), None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("invalid_transition"))
    );

    let (status, log) = call(&client, Get, &path("events"), Some(&coord), None).await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "approved",
            "claimed",
            "viewed_full",
            "released",
            "claimed",
            "completed"
        ]
    );
    assert_eq!(log["events"][1]["account_id"], coord_id);
    assert_eq!(log["events"][2]["account_id"], vol_id);
    let (status, _) = call(&client, Get, &path("events"), Some(&volt), None).await;
    assert_eq!(status, 403);
}

#[sqlx::test]
async fn an_unverified_volunteer_sees_no_tasks_cannot_claim_and_is_not_matched(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let home = offset(SANTA_FE, 800.0, 0.0);
    let (new_id, newbie) = volunteer(
        &pool,
        Vol {
            verified: false,
            ..vol("new@example.org", home)
        },
    )
    .await;
    let id = open_request(&client, &coord, SANTA_FE, "medicine", "high").await;

    // Unverified accounts see what anonymous users see: counts, not tasks (issue 8; it used to
    // list each task with its own res-8 cell, even a lone one the public counts hide).
    let (status, err) = call(&client, Get, "/api/me/tasks", Some(&newbie), None).await;
    assert_eq!((status, err["error"].as_str()), (403, Some("not_verified")));
    let (status, err) = call(
        &client,
        Post,
        &format!("/api/requests/{id}/claim"),
        Some(&newbie),
        None,
    )
    .await;
    assert_eq!((status, err["error"].as_str()), (403, Some("not_verified")));
    let (_, matches) = call(
        &client,
        Get,
        &format!("/api/requests/{id}/matches"),
        Some(&coord),
        None,
    )
    .await;
    assert!(
        matches["matches"].as_array().unwrap().is_empty(),
        "{matches}"
    );

    // Once a coordinator verifies the account, it can claim.
    let (status, listed) = call(
        &client,
        Get,
        "/api/accounts?unverified=true",
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        listed["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![new_id]
    );
    let (status, _) = call(
        &client,
        Get,
        "/api/accounts?unverified=true",
        Some(&newbie),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &client,
        Post,
        &format!("/api/accounts/{new_id}/verify"),
        Some(&newbie),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, verified) = call(
        &client,
        Post,
        &format!("/api/accounts/{new_id}/verify"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!((status, verified["verified"].as_bool()), (200, Some(true)));
    let (_, matches) = call(
        &client,
        Get,
        &format!("/api/requests/{id}/matches"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(matches["matches"][0]["account_id"], new_id);
    let (status, tasks) = call(&client, Get, "/api/me/tasks", Some(&newbie), None).await;
    assert_eq!((status, tasks["verified"].as_bool()), (200, Some(true)));
    assert_eq!(tasks["tasks"][0]["id"], id.as_str());
    let (status, _) = call(
        &client,
        Post,
        &format!("/api/requests/{id}/claim"),
        Some(&newbie),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[sqlx::test]
async fn tasks_list_fitting_requests_most_urgent_then_nearest_with_bands_only(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let home = SANTA_FE;
    let (_, me) = volunteer(
        &pool,
        Vol {
            radius_m: 3_000.0,
            ..vol("me@example.org", home)
        },
    )
    .await;
    // Distances are measured to each request's public cell centre, here as in the app.
    let (pa, pb, pc) = (
        offset(home, 2_000.0, 10.0),
        offset(home, 300.0, 100.0),
        offset(home, 1_000.0, 200.0),
    );
    // Bands and order are measured between the public points of my home and of each request.
    let band_of = |p: (f64, f64)| band(haversine(public(home), public(p)));
    assert!(haversine(public(home), public(pc)) < haversine(public(home), public(pa)));
    let a = open_request(&client, &coord, pa, "medicine", "high").await;
    let b = open_request(&client, &coord, pb, "groceries", "normal").await;
    let c = open_request(&client, &coord, pc, "groceries", "high").await;
    let _no_skill = open_request(&client, &coord, offset(home, 200.0, 300.0), "meal", "high").await;
    let _too_far = open_request(
        &client,
        &coord,
        offset(home, 4_500.0, 30.0),
        "groceries",
        "high",
    )
    .await;
    post_request(
        &client,
        None,
        &request_body(
            offset(home, 300.0, 0.0),
            "groceries",
            "high",
            "X",
            "+54 342 400-0000",
        ),
    )
    .await;

    let (status, body) = call(&client, Get, "/api/me/tasks", Some(&me), None).await;
    assert_eq!(status, 200);
    let tasks = body["tasks"].as_array().unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [c.as_str(), a.as_str(), b.as_str()]);
    let bands: Vec<&str> = tasks
        .iter()
        .map(|t| t["distance_band"].as_str().unwrap())
        .collect();
    assert_eq!(bands, [band_of(pc), band_of(pa), band_of(pb)]);
    assert_eq!(bands[1], "1-3 km");
    for t in tasks {
        let keys: BTreeSet<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "id",
                "category",
                "urgency",
                "needed_by",
                "cell",
                "distance_band"
            ])
        );
        let cell: Cell = t["cell"].as_str().unwrap().parse().unwrap();
        assert_eq!(cell.res(), PUBLIC_RES);
    }

    let (status, err) = call(&client, Get, "/api/me/tasks", Some(&coord), None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (409, Some("no_volunteer_profile"))
    );
}

#[sqlx::test]
async fn public_counts_hide_a_cell_with_two_open_requests_and_show_it_with_three(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let cell = res8(SANTA_FE);
    let centre = cell.center();
    let inside = |i: usize| {
        offset(
            (centre.lat, centre.lon),
            60.0 + 40.0 * i as f64,
            60.0 * i as f64,
        )
    };
    let bbox = "-60.75,-31.68,-60.65,-31.58";
    let cells_at = |res: &'static str| format!("/api/requests/cells?bbox={bbox}&res={res}");

    open_request(&client, &coord, inside(0), "groceries", "normal").await;
    open_request(&client, &coord, inside(1), "meal", "low").await;
    // A pending and an assigned request do not count.
    post_request(
        &client,
        None,
        &request_body(inside(2), "meal", "low", "X", "+54 342 400-0000"),
    )
    .await;
    let assigned = open_request(&client, &coord, inside(3), "groceries", "low").await;
    let (_, v) = volunteer(&pool, vol("v@example.org", inside(4))).await;
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/requests/{assigned}/claim"),
            Some(&v),
            None
        )
        .await
        .0,
        200
    );

    for res in ["8", "7", "6"] {
        let (status, fc) = call(&client, Get, &cells_at(res), None, None).await;
        assert_eq!(status, 200);
        assert_eq!(fc["type"], "FeatureCollection");
        assert!(
            fc["features"].as_array().unwrap().is_empty(),
            "res {res}: {fc}"
        );
    }

    open_request(&client, &coord, inside(5), "company", "high").await;
    let (_, fc) = call(&client, Get, &cells_at("8"), None, None).await;
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{fc}");
    assert_eq!(features[0]["properties"]["cell"], cell.to_string());
    assert_eq!(features[0]["properties"]["count"], 3);
    assert_eq!(features[0]["properties"]["res"], 8);
    assert_eq!(features[0]["geometry"]["type"], "Polygon");
    assert_eq!(
        features[0]["geometry"]["coordinates"][0]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    // The whole world: on Citus it reads every shard rather than naming millions of shard
    // cells (`shards::MAX_NAMED_SHARD_CELLS`), and finds the same three.
    let world = "/api/requests/cells?bbox=-180,-85,180,85&res=0";
    let (status, fc) = call(&client, Get, world, None, None).await;
    assert_eq!(status, 200, "{fc}");
    let counted: i64 = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["count"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, 3, "{fc}");
    let (_, fc) = call(&client, Get, &cells_at("7"), None, None).await;
    assert_eq!(
        fc["features"][0]["properties"]["cell"],
        cell.parent(Resolution::Seven).unwrap().to_string()
    );

    // A box that only grazes the cell still counts the whole cell, so it cannot locate anyone.
    let graze = format!(
        "/api/requests/cells?bbox={},{},{},{}",
        centre.lon - 0.0001,
        centre.lat - 0.0001,
        centre.lon + 0.0001,
        centre.lat + 0.0001
    );
    let (_, fc) = call(&client, Get, &graze, None, None).await;
    assert_eq!(fc["features"][0]["properties"]["count"], 3, "{fc}");

    let (status, err) = call(&client, Get, &cells_at("9"), None, None).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("invalid_resolution"))
    );
}

#[sqlx::test]
async fn small_cells_roll_up_into_their_res7_parent(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let c7 = res8(SANTA_FE).parent(Resolution::Seven).unwrap();
    let children: Vec<Cell> = c7.0.children(PUBLIC_RES).map(Cell).collect();
    for child in &children[..3] {
        let c = child.center();
        open_request(&client, &coord, (c.lat, c.lon), "groceries", "normal").await;
    }
    let c = c7.center();
    let bbox = format!(
        "{},{},{},{}",
        c.lon - 0.05,
        c.lat - 0.05,
        c.lon + 0.05,
        c.lat + 0.05
    );
    let (_, fc) = call(
        &client,
        Get,
        &format!("/api/requests/cells?bbox={bbox}"),
        None,
        None,
    )
    .await;
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{fc}");
    assert_eq!(features[0]["properties"]["cell"], c7.to_string());
    assert_eq!(features[0]["properties"]["res"], 7);
    assert_eq!(features[0]["properties"]["count"], 3);
}

/// The outlines that public answers draw near `home`, grouped as they share one JSON body: each
/// res-8 cell of its res-7 parent alone (`/api/cells/{cell}`), the res-8 cell with its res-7
/// parent (the res-8 counts), and the res-6 and res-5 parents. They are public grid geometry.
fn outline_groups(home: Cell) -> Vec<Vec<[f64; 2]>> {
    let c7 = home.parent(Resolution::Seven).unwrap();
    let mut groups: Vec<Vec<[f64; 2]>> =
        c7.0.children(PUBLIC_RES).map(|c| Cell(c).ring()).collect();
    groups.push([home.ring(), c7.ring()].concat());
    for r in [Resolution::Six, Resolution::Five] {
        groups.push(home.parent(r).unwrap().ring());
    }
    groups
}

/// Points of a res-8 cell more than 300 m from its centre, more than 120 m from any point that
/// two numbers of one outline group can form (any corner latitude with any corner longitude),
/// and more than 200 m apart.
fn private_points_in(cell: Cell, groups: &[Vec<[f64; 2]>]) -> Vec<(f64, f64)> {
    let c = cell.center();
    let centre = (c.lat, c.lon);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for dy in -14..=14 {
        for dx in -14..=14 {
            let p = (c.lat + dy as f64 * 0.0004, c.lon + dx as f64 * 0.00047);
            if res8(p) != cell || haversine(p, centre) <= 320.0 {
                continue;
            }
            let clear = groups.iter().all(|g| {
                g.iter()
                    .all(|a| g.iter().all(|b| haversine(p, (a[1], b[0])) > 120.0))
            });
            if clear && out.iter().all(|q| haversine(p, *q) > 200.0) {
                out.push(p);
            }
        }
    }
    out
}

/// Every number in a JSON body, in document order; the test checks every pair of them.
fn numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(a) => a.iter().for_each(|x| numbers(x, out)),
        Value::Object(o) => o.values().for_each(|x| numbers(x, out)),
        _ => {}
    }
}

#[sqlx::test]
async fn no_body_an_outsider_can_read_holds_a_point_near_a_request_or_its_contact(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;

    // Three requests in one res-8 cell (shown), three more in cells of one res-7 parent (rolled
    // up), and one still under review.
    let home_cell = res8(SANTA_FE);
    let grid = outline_groups(home_cell);
    let mut spots: Vec<(f64, f64)> = private_points_in(home_cell, &grid)
        .into_iter()
        .take(3)
        .collect();
    assert_eq!(
        spots.len(),
        3,
        "the test needs three private points in {home_cell}"
    );
    let siblings = home_cell
        .parent(Resolution::Seven)
        .unwrap()
        .0
        .children(PUBLIC_RES);
    for c in siblings.map(Cell).filter(|c| *c != home_cell) {
        if spots.len() == 7 {
            break;
        }
        if let Some(p) = private_points_in(c, &grid).first() {
            spots.push(*p);
        }
    }
    assert_eq!(spots.len(), 7);
    let contacts: Vec<(String, String)> = (0..spots.len())
        .map(|i| {
            (
                format!("Persona Reservada {i}"),
                format!("+54 342 47{i}-55{i}1"),
            )
        })
        .collect();
    let mut ids = Vec::new();
    let mut bodies: Vec<(String, Value)> = Vec::new();
    for (i, p) in spots.iter().enumerate() {
        let body = request_body(*p, "groceries", "high", &contacts[i].0, &contacts[i].1);
        let (status, created) = call(&client, Post, "/api/requests", None, Some(&body)).await;
        assert_eq!(status, 201);
        let id = created["id"].as_str().unwrap().to_string();
        bodies.push(("POST /api/requests".into(), created));
        if i < 6 {
            let approve = format!("/api/requests/{id}/approve");
            assert_eq!(
                call(&client, Post, &approve, Some(&coord), None).await.0,
                200
            );
        }
        ids.push(id);
    }

    // An outsider volunteer: unverified, with a home well away from every request.
    let home = offset(SANTA_FE, 2_500.0, 45.0);
    assert!(spots.iter().all(|p| haversine(*p, home) > 1_000.0));
    let (_, newbie) = account(&pool, "new@example.org", "volunteer", false).await;
    // A verified volunteer who fits, far enough away: sees the tasks as cells and bands.
    let (_, browser) = volunteer(&pool, vol("browser@example.org", home)).await;
    // A verified volunteer whose skills do not fit: also never assigned.
    let (_, cook) = volunteer(
        &pool,
        Vol {
            skills: &["meal"],
            home,
            ..vol("cook@example.org", home)
        },
    )
    .await;

    let profile = json!({"skills": ["groceries", "medicine"], "home": {"lat": home.0, "lon": home.1}, "radius_m": 5000, "on_duty": true, "max_open": 2});
    let mut calls: Vec<(rocket::http::Method, String, Option<&str>, Option<Value>)> = vec![
        (
            Put,
            "/api/me/volunteer".into(),
            Some(&newbie),
            Some(profile),
        ),
        (Get, "/api/me".into(), Some(&newbie), None),
        (Get, "/api/me/tasks".into(), Some(&newbie), None),
        (Get, "/api/me/assignments".into(), Some(&newbie), None),
        (Get, "/api/me/tasks".into(), Some(&cook), None),
        (Get, "/api/me/tasks".into(), Some(&browser), None),
        (Get, "/api/me".into(), None, None),
        (Get, "/api/review/requests".into(), Some(&newbie), None),
        (
            Get,
            "/api/accounts?unverified=true".into(),
            Some(&newbie),
            None,
        ),
        (
            Post,
            "/api/auth/register".into(),
            None,
            Some(
                json!({"email": "x@example.org", "password": "a long passphrase for tests", "display_name": "X"}),
            ),
        ),
        (
            Post,
            "/api/auth/login".into(),
            None,
            Some(json!({"email": "new@example.org", "password": PASSWORD})),
        ),
        (Get, "/api/categories".into(), None, None),
        (
            Get,
            "/api/places?bbox=-60.80,-31.72,-60.60,-31.54".into(),
            None,
            None,
        ),
        (Get, "/api/openapi.json".into(), None, None),
        (Get, "/healthz".into(), None, None),
        (Get, "/api/config".into(), None, None),
    ];
    for res in ["8", "7", "6", "5"] {
        calls.push((
            Get,
            format!("/api/requests/cells?bbox=-60.80,-31.72,-60.60,-31.54&res={res}"),
            None,
            None,
        ));
        calls.push((
            Get,
            format!("/api/requests/cells?bbox=-60.80,-31.72,-60.60,-31.54&res={res}"),
            Some(&newbie),
            None,
        ));
    }
    let spot_cells: BTreeSet<String> = spots.iter().map(|p| res8(*p).to_string()).collect();
    for cell in &spot_cells {
        calls.push((Get, format!("/api/cells/{cell}"), None, None));
    }
    for id in &ids {
        for who in [None, Some(newbie.as_str()), Some(cook.as_str())] {
            calls.push((Get, format!("/api/requests/{id}"), who, None));
            for action in [
                "claim", "release", "complete", "cancel", "approve", "reject",
            ] {
                calls.push((Post, format!("/api/requests/{id}/{action}"), who, None));
            }
            calls.push((Get, format!("/api/requests/{id}/events"), who, None));
            calls.push((Get, format!("/api/requests/{id}/matches"), who, None));
        }
    }
    for (method, uri, who, body) in &calls {
        let (status, value) = call(&client, *method, uri, *who, body.as_ref()).await;
        assert!(status < 500, "{method} {uri}: {status}");
        bodies.push((
            format!(
                "{method} {uri} as {}",
                who.map_or("anonymous", |_| "volunteer")
            ),
            value,
        ));
    }
    // The shown cell and the rolled-up parent really are in the answers being checked.
    let cells = &bodies
        .iter()
        .find(|(what, _)| what.contains("res=8"))
        .unwrap()
        .1;
    let shown: Vec<i64> = cells["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["res"].as_i64().unwrap())
        .collect();
    assert!(shown.contains(&8) && shown.contains(&7), "{cells}");
    // A verified volunteer's tasks list them (an unverified one's are refused: issue 8).
    assert!(bodies.iter().any(|(what, v)| what.contains("/api/me/tasks")
        && v["tasks"].as_array().is_some_and(|t| t.len() == 6)));
    assert!(bodies
        .iter()
        .any(|(what, v)| what.contains("/api/me/tasks") && v["error"] == "not_verified"));

    let guarded: Vec<(f64, f64)> = spots
        .iter()
        .copied()
        .filter(|p| {
            let c = res8(*p).center();
            haversine(*p, (c.lat, c.lon)) > 300.0
        })
        .collect();
    assert_eq!(guarded.len(), spots.len());
    let mut checked = 0;
    for (what, body) in &bodies {
        let mut nums = Vec::new();
        numbers(body, &mut nums);
        for (i, a) in nums.iter().enumerate() {
            for (j, b) in nums.iter().enumerate() {
                if i == j || a.abs() > 90.0 || b.abs() > 180.0 {
                    continue;
                }
                for p in &guarded {
                    let d = haversine((*a, *b), *p);
                    assert!(
                        d > 100.0,
                        "{what}: ({a}, {b}) lies {d:.0} m from a request\n{body}"
                    );
                    checked += 1;
                }
            }
        }
        let text = body.to_string();
        for (name, phone) in &contacts {
            assert!(!text.contains(name.as_str()), "{what} shows a contact name");
            assert!(
                !text.contains(phone.as_str()),
                "{what} shows a contact phone"
            );
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            assert!(!text.contains(&digits), "{what} shows a contact phone");
        }
        assert!(!text.contains("timbre"), "{what} shows an address detail");
    }
    assert!(checked > 1_000, "only {checked} number pairs checked");
}

/// A pool big enough for 50 parallel requests, on the test's database.
async fn big_pool(pool: &PgPool) -> PgPool {
    PgPoolOptions::new()
        .max_connections(60)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap()
}

async fn claim_all(base: &str, pairs: Vec<(String, String)>) -> Vec<(u16, Value)> {
    let http = reqwest::Client::new();
    let calls = pairs.into_iter().map(|(id, token)| {
        let http = http.clone();
        let url = format!("{base}/api/requests/{id}/claim");
        async move {
            let res = http
                .post(url)
                .header("Cookie", format!("antes_session={token}"))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    });
    futures::future::join_all(calls).await
}

#[sqlx::test]
async fn fifty_parallel_claims_on_one_request_give_exactly_one_success(pool: PgPool) {
    let pool = big_pool(&pool).await;
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let id = open_request(&client, &coord, SANTA_FE, "groceries", "high").await;
    let mut volunteers = Vec::new();
    for i in 0..50 {
        let email = format!("v{i}@example.org");
        let home = offset(SANTA_FE, 100.0 + 20.0 * i as f64, 7.0 * i as f64);
        volunteers.push(volunteer(&pool, vol(&email, home)).await);
    }
    let base = common::serve(pool.clone(), test_config()).await;
    let results = claim_all(
        &base,
        volunteers
            .iter()
            .map(|(_, t)| (id.clone(), t.clone()))
            .collect(),
    )
    .await;

    let winners: Vec<usize> = (0..50).filter(|i| results[*i].0 == 200).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (status, body) in &results {
        if *status != 200 {
            assert_eq!(
                (*status, body["error"].as_str()),
                (409, Some("already_assigned")),
                "{body}"
            );
        }
    }
    let (status, assignee): (String, Option<i64>) =
        sqlx::query_as("SELECT status, assignee FROM help_requests WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), assignee),
        ("assigned", Some(volunteers[winners[0]].0))
    );
    let claims = event_actions(&pool, &id)
        .await
        .into_iter()
        .filter(|e| e.0 == "claimed")
        .count();
    assert_eq!(claims, 1);
}

#[sqlx::test]
async fn a_volunteer_with_max_open_one_claiming_five_at_once_gets_one(pool: PgPool) {
    let pool = big_pool(&pool).await;
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (me_id, me) = volunteer(
        &pool,
        Vol {
            max_open: 1,
            ..vol("me@example.org", SANTA_FE)
        },
    )
    .await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            open_request(
                &client,
                &coord,
                offset(SANTA_FE, 300.0, 70.0 * i as f64),
                "medicine",
                "normal",
            )
            .await,
        );
    }
    let base = common::serve(pool.clone(), test_config()).await;
    let results = claim_all(
        &base,
        ids.iter().map(|id| (id.clone(), me.clone())).collect(),
    )
    .await;

    assert_eq!(
        results.iter().filter(|r| r.0 == 200).count(),
        1,
        "{results:?}"
    );
    for (status, body) in results.iter().filter(|r| r.0 != 200) {
        assert_eq!(
            (*status, body["error"].as_str()),
            (409, Some("too_many_open"))
        );
    }
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM help_requests WHERE assignee = $1")
        .bind(me_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(held, 1);
}

#[sqlx::test]
async fn matches_rank_eligible_volunteers_by_distance_then_load(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let spot = SANTA_FE;
    let id = open_request(&client, &coord, spot, "medicine", "high").await;

    let mut homes = Vec::new();
    for (i, (d, bearing)) in [
        (2_400.0, 10.0),
        (350.0, 200.0),
        (1_250.0, 95.0),
        (780.0, 300.0),
        (1_900.0, 150.0),
    ]
    .iter()
    .enumerate()
    {
        let home = offset(spot, *d, *bearing);
        let (vid, _) = volunteer(
            &pool,
            Vol {
                radius_m: 3_000.0,
                ..vol(&format!("e{i}@example.org"), home)
            },
        )
        .await;
        homes.push((vid, home));
    }
    // Two volunteers at one home: the one with more claims this week ranks after.
    let twin_home = offset(spot, 1_600.0, 250.0);
    let (busy, busy_token) = volunteer(&pool, vol("busy@example.org", twin_home)).await;
    let (calm, _) = volunteer(&pool, vol("calm@example.org", twin_home)).await;
    for i in 0..2 {
        let other = open_request(
            &client,
            &coord,
            offset(twin_home, 100.0, 90.0 * i as f64),
            "medicine",
            "low",
        )
        .await;
        assert_eq!(
            call(
                &client,
                Post,
                &format!("/api/requests/{other}/claim"),
                Some(&busy_token),
                None
            )
            .await
            .0,
            200
        );
        assert_eq!(
            call(
                &client,
                Post,
                &format!("/api/requests/{other}/complete"),
                Some(&busy_token),
                None
            )
            .await
            .0,
            200
        );
    }
    homes.push((busy, twin_home));
    homes.push((calm, twin_home));

    // Ineligible: off duty, no fitting skill, out of radius, unverified, at their cap.
    let near = offset(spot, 120.0, 45.0);
    let (off, _) = volunteer(
        &pool,
        Vol {
            on_duty: false,
            ..vol("off@example.org", near)
        },
    )
    .await;
    let (cook, _) = volunteer(
        &pool,
        Vol {
            skills: &["meal", "company"],
            ..vol("cook@example.org", near)
        },
    )
    .await;
    let (far, _) = volunteer(
        &pool,
        Vol {
            radius_m: 2_000.0,
            ..vol("far@example.org", offset(spot, 2_600.0, 0.0))
        },
    )
    .await;
    let (unverified, _) = volunteer(
        &pool,
        Vol {
            verified: false,
            ..vol("unv@example.org", near)
        },
    )
    .await;
    let (full, full_token) = volunteer(
        &pool,
        Vol {
            max_open: 1,
            ..vol("full@example.org", near)
        },
    )
    .await;
    let held = open_request(&client, &coord, offset(near, 50.0, 0.0), "groceries", "low").await;
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/requests/{held}/claim"),
            Some(&full_token),
            None
        )
        .await
        .0,
        200
    );

    let (status, body) = call(
        &client,
        Get,
        &format!("/api/requests/{id}/matches?limit=50"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let matches = body["matches"].as_array().unwrap();
    let got: Vec<i64> = matches
        .iter()
        .map(|m| m["account_id"].as_i64().unwrap())
        .collect();
    for absent in [off, cook, far, unverified, full] {
        assert!(!got.contains(&absent), "{absent} should not match: {body}");
    }
    // Distances are between public points (res-8 cell centres), so a coordinator's probes
    // cannot pin a home (issue 8; exact distances rounded to 100 m once could).
    let between = |home: (f64, f64)| haversine(public(home), public(spot));
    let mut expected = homes.clone();
    expected.sort_by(|a, b| between(a.1).total_cmp(&between(b.1)).then(a.0.cmp(&b.0)));
    let busy_at = expected.iter().position(|h| h.0 == busy).unwrap();
    let calm_at = expected.iter().position(|h| h.0 == calm).unwrap();
    expected.swap(busy_at.min(calm_at), busy_at.max(calm_at));
    assert_eq!(expected[busy_at.min(calm_at)].0, calm);
    assert_eq!(got, expected.iter().map(|h| h.0).collect::<Vec<_>>());
    for (m, (_, home)) in matches.iter().zip(&expected) {
        assert_eq!(m["distance_band"], band(between(*home)), "{m}");
        let keys: BTreeSet<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "account_id",
                "display_name",
                "distance_band",
                "recent_assignments"
            ])
        );
    }
    assert_eq!(matches[calm_at.min(busy_at) + 1]["recent_assignments"], 2);

    let (_, limited) = call(
        &client,
        Get,
        &format!("/api/requests/{id}/matches?limit=2"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(limited["matches"].as_array().unwrap().len(), 2);
    let (status, _) = call(
        &client,
        Get,
        &format!("/api/requests/{id}/matches"),
        Some(&busy_token),
        None,
    )
    .await;
    assert_eq!(status, 403);
}

#[sqlx::test]
async fn the_audit_log_records_each_full_view(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (coord_id, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let helper = Vol {
        skills: &["errand"],
        ..vol("vol@example.org", offset(SANTA_FE, 400.0, 0.0))
    };
    let (vol_id, vol_token) = volunteer(&pool, helper).await;
    let (_, other) = volunteer(
        &pool,
        vol("other@example.org", offset(SANTA_FE, 400.0, 180.0)),
    )
    .await;
    let created = post_request(
        &client,
        Some(&coord),
        &request_body(SANTA_FE, "errand", "normal", "Rosa", "+54 342 400-0000"),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let token = created["manage_token"].as_str().unwrap();
    let views = |pool: PgPool| async move {
        sqlx::query_as::<_, (Option<i64>, String)>(
            "SELECT account_id, actor FROM request_events WHERE action = 'viewed_full' ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };

    let (_, full) = call(
        &client,
        Get,
        &format!("/api/requests/{id}"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(full["view"], "full");
    assert_eq!(
        views(pool.clone()).await,
        [(Some(coord_id), "account".to_string())]
    );

    let (status, _) = call(
        &client,
        Post,
        &format!("/api/requests/{id}/claim"),
        Some(&vol_token),
        None,
    )
    .await;
    assert_eq!(status, 200);
    call(
        &client,
        Get,
        &format!("/api/requests/{id}"),
        Some(&vol_token),
        None,
    )
    .await;
    let (_, mine) = call(&client, Get, "/api/me/assignments", Some(&vol_token), None).await;
    assert_eq!(
        mine["assignments"][0]["contact"]["phone"],
        "+54 342 400-0000"
    );
    call_manage(&client, Get, &format!("/api/requests/{id}"), token, None).await;
    // Public views leave no trace, since they reveal nothing.
    call(
        &client,
        Get,
        &format!("/api/requests/{id}"),
        Some(&other),
        None,
    )
    .await;
    call(&client, Get, &format!("/api/requests/{id}"), None, None).await;

    assert_eq!(
        views(pool.clone()).await,
        [
            (Some(coord_id), "account".to_string()),
            (Some(vol_id), "account".to_string()),
            (Some(vol_id), "account".to_string()),
            (None, "requester".to_string()),
        ]
    );
    let (_, log) = call(
        &client,
        Get,
        &format!("/api/requests/{id}/events"),
        Some(&coord),
        None,
    )
    .await;
    let seen: Vec<(&str, Option<&str>)> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["display_name"].as_str()))
        .collect();
    assert_eq!(seen[1], ("viewed_full", Some("coord")));
    assert!(log["events"][1]["at"].as_str().is_some());
}

#[sqlx::test]
async fn expiry_closes_requests_past_their_deadline_or_too_old(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (_, v) = volunteer(&pool, vol("v@example.org", SANTA_FE)).await;
    let soon = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let mut body = request_body(SANTA_FE, "groceries", "normal", "Rosa", "+54 342 400-0000");
    body["needed_by"] = json!(soon);
    let past_deadline = post_request(&client, Some(&coord), &body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let too_old = post_request(
        &client,
        None,
        &request_body(SANTA_FE, "meal", "low", "R", "+54 342 400-0000"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fresh = open_request(&client, &coord, SANTA_FE, "medicine", "high").await;
    let assigned = post_request(&client, Some(&coord), &body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/requests/{assigned}/claim"),
            Some(&v),
            None
        )
        .await
        .0,
        200
    );
    // Time passes: the deadlines are behind us, and one request is 100 hours old (limit 72).
    sqlx::query("UPDATE help_requests SET needed_by = now() - interval '1 hour' WHERE id IN ($1::uuid, $2::uuid)")
        .bind(&past_deadline)
        .bind(&assigned)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE help_requests SET created_at = now() - interval '100 hours' WHERE id = $1::uuid",
    )
    .bind(&too_old)
    .execute(&pool)
    .await
    .unwrap();

    let config = test_config();
    let report = antes::maintenance::run(&pool, &config).await.unwrap();
    assert_eq!((report.expired, report.purged), (2, 0));
    for (id, expected) in [
        (&past_deadline, "expired"),
        (&too_old, "expired"),
        (&fresh, "open"),
        (&assigned, "assigned"),
    ] {
        let (_, view) = call(&client, Get, &format!("/api/requests/{id}"), None, None).await;
        assert_eq!(view["status"], expected, "{id}");
    }
    let actions: Vec<String> = event_actions(&pool, &too_old)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(actions, ["created", "expired"]);
    assert_eq!(
        antes::maintenance::run(&pool, &config)
            .await
            .unwrap()
            .expired,
        0
    );

    // An abandoned task ends too, once its deadline is more than the maximum age behind.
    sqlx::query(
        "UPDATE help_requests SET needed_by = now() - interval '100 hours' WHERE id = $1::uuid",
    )
    .bind(&assigned)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(
        antes::maintenance::run(&pool, &config)
            .await
            .unwrap()
            .expired,
        1
    );
    let (status, assignee): (String, Option<i64>) =
        sqlx::query_as("SELECT status, assignee FROM help_requests WHERE id = $1::uuid")
            .bind(&assigned)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), assignee), ("expired", None));
}

#[sqlx::test]
async fn the_purge_erases_everything_but_category_area_and_day_after_retention(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let old = open_request(&client, &coord, SANTA_FE, "groceries", "normal").await;
    let recent = open_request(&client, &coord, SANTA_FE, "groceries", "normal").await;
    let still_open = open_request(&client, &coord, SANTA_FE, "groceries", "normal").await;
    for id in [&old, &recent] {
        assert_eq!(
            call(
                &client,
                Post,
                &format!("/api/requests/{id}/cancel"),
                Some(&coord),
                None
            )
            .await
            .0,
            200
        );
    }
    sqlx::query(
        "UPDATE help_requests SET closed_at = now() - interval '31 days' WHERE id = $1::uuid",
    )
    .bind(&old)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE help_requests SET closed_at = now() - interval '29 days' WHERE id = $1::uuid",
    )
    .bind(&recent)
    .execute(&pool)
    .await
    .unwrap();
    let cells_before: Vec<i64> = sqlx::query_scalar("SELECT cell FROM help_requests ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();

    let report = antes::maintenance::run(&pool, &test_config())
        .await
        .unwrap();
    assert_eq!((report.expired, report.purged), (0, 1));

    type Row = (
        Option<f64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        String,
    );
    let erased: Row = sqlx::query_as(
        "SELECT ST_Y(location::geometry), address_detail, contact_name, contact_phone, description, category, status \
         FROM help_requests WHERE id = $1::uuid",
    )
    .bind(&old)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        erased,
        (
            None,
            None,
            None,
            None,
            None,
            "groceries".to_string(),
            "cancelled".to_string()
        )
    );
    for kept in [&recent, &still_open] {
        let (_, full) = call(
            &client,
            Get,
            &format!("/api/requests/{kept}"),
            Some(&coord),
            None,
        )
        .await;
        assert_eq!(full["contact"]["name"].as_str(), Some("Rosa Quiroga"));
    }
    // What is left is for statistics only, so no one is shown it (issue 8).
    let (status, _) = call(
        &client,
        Get,
        &format!("/api/requests/{old}"),
        Some(&coord),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Only the category, the status, a res-7 cell and the day remain.
    let (cell, area, token, day): (Option<i64>, i64, Option<String>, bool) = sqlx::query_as(
        "SELECT cell, area_cell, manage_token_hash, created_at = date_trunc('day', created_at) \
         FROM help_requests WHERE id = $1::uuid",
    )
    .bind(&old)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((cell, token, day), (None, None, true));
    assert_eq!(
        area,
        res8(SANTA_FE).parent(Resolution::Seven).unwrap().to_db()
    );
    let cells_after: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT cell FROM help_requests ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(cells_after.iter().filter(|c| c.is_none()).count(), 1);
    assert_eq!(
        cells_before.len(),
        cells_after.iter().filter(|c| c.is_some()).count() + 1
    );
    let actions: Vec<String> = event_actions(&pool, &old)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert!(actions.contains(&"purged".to_string()), "{actions:?}");
    assert_eq!(
        antes::maintenance::run(&pool, &test_config())
            .await
            .unwrap()
            .purged,
        0
    );
}

/// Method, path, session, body, expected status and error code.
type Case<'a> = (
    rocket::http::Method,
    String,
    Option<&'a str>,
    Option<Value>,
    u16,
    &'static str,
);

#[sqlx::test]
async fn bad_input_on_care_endpoints_gets_a_json_4xx(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (_, v) = account(&pool, "v@example.org", "volunteer", true).await;
    let id = open_request(&client, &coord, SANTA_FE, "groceries", "normal").await;
    let good = request_body(SANTA_FE, "groceries", "normal", "Rosa", "+54 342 400-0000");
    let with = |key: &str, value: Value| {
        let mut b = good.clone();
        b[key] = value;
        b
    };
    let profile = json!({"skills": ["meal"], "home": {"lat": -31.6, "lon": -60.7}, "radius_m": 2000, "on_duty": true, "max_open": 2});
    let profile_with = |key: &str, value: Value| {
        let mut b = profile.clone();
        b[key] = value;
        b
    };
    let cases: Vec<Case> = vec![
        (
            Post,
            "/api/requests".into(),
            None,
            Some(json!({})),
            422,
            "invalid_body",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(json!([1, 2])),
            422,
            "invalid_body",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with("category", json!("pizza"))),
            422,
            "unknown_category",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with("location", json!({"lat": 95, "lon": 0}))),
            422,
            "invalid_body",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with("contact", json!({"name": "R", "phone": "call me"}))),
            422,
            "invalid_phone",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with(
                "contact",
                json!({"name": " ", "phone": "342 400 0000"}),
            )),
            422,
            "invalid_text",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with("urgency", json!("asap"))),
            422,
            "invalid_urgency",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with("needed_by", json!("2001-01-01T00:00:00Z"))),
            422,
            "invalid_needed_by",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with("needed_by", json!("tomorrow"))),
            422,
            "invalid_body",
        ),
        (
            Post,
            "/api/requests".into(),
            None,
            Some(with("description", json!("x".repeat(1001)))),
            422,
            "invalid_text",
        ),
        (
            Get,
            "/api/requests/not-a-uuid".into(),
            None,
            None,
            404,
            "not_found",
        ),
        (
            Get,
            format!("/api/requests/{}", uuid::Uuid::new_v4()),
            None,
            None,
            404,
            "not_found",
        ),
        (
            Post,
            format!("/api/requests/{}/claim", uuid::Uuid::new_v4()),
            Some(&v),
            None,
            404,
            "not_found",
        ),
        (
            Post,
            format!("/api/requests/{id}/claim"),
            Some(&v),
            None,
            409,
            "no_volunteer_profile",
        ),
        (
            Get,
            format!("/api/requests/{id}?token=nope"),
            None,
            None,
            400,
            "token_in_url",
        ),
        (
            Get,
            format!("/api/requests/{id}/matches?limit=0"),
            Some(&coord),
            None,
            422,
            "invalid_limit",
        ),
        (
            Get,
            format!("/api/requests/{id}/matches?limit=x"),
            Some(&coord),
            None,
            422,
            "invalid_parameter",
        ),
        (
            Get,
            "/api/cells/nope".into(),
            None,
            None,
            422,
            "invalid_cell",
        ),
        (
            Get,
            format!(
                "/api/cells/{}",
                Cell::at(LatLon::new(-31.6, -60.7).unwrap(), Resolution::Nine)
            ),
            None,
            None,
            422,
            "invalid_resolution",
        ),
        (
            Get,
            "/api/review/requests?status=lost".into(),
            Some(&coord),
            None,
            422,
            "invalid_status",
        ),
        (
            Get,
            "/api/requests/cells".into(),
            None,
            None,
            422,
            "missing_parameter",
        ),
        (
            Get,
            "/api/requests/cells?bbox=1,2,3".into(),
            None,
            None,
            422,
            "invalid_bbox",
        ),
        (
            Get,
            "/api/requests/cells?bbox=0,0,1,1&res=9".into(),
            None,
            None,
            422,
            "invalid_resolution",
        ),
        (
            Get,
            "/api/requests/cells?bbox=0,0,1,1&res=15".into(),
            None,
            None,
            422,
            "invalid_resolution",
        ),
        (
            Get,
            "/api/requests/cells?bbox=0,0,1,1&res=x".into(),
            None,
            None,
            422,
            "invalid_parameter",
        ),
        (
            Post,
            "/api/auth/register".into(),
            None,
            Some(
                json!({"email": "nope", "password": "a long passphrase for tests", "display_name": "N"}),
            ),
            422,
            "invalid_email",
        ),
        (
            Post,
            "/api/auth/register".into(),
            None,
            Some(json!({"email": "n@example.org", "password": "short", "display_name": "N"})),
            422,
            "invalid_password",
        ),
        (
            Post,
            "/api/auth/register".into(),
            None,
            Some(
                json!({"email": "n@example.org", "password": "a long passphrase for tests", "display_name": "N", "role": "coordinator"}),
            ),
            422,
            "invalid_role",
        ),
        (
            Post,
            "/api/auth/register".into(),
            None,
            Some(json!({"email": "n@example.org"})),
            422,
            "invalid_body",
        ),
        (
            Post,
            "/api/auth/login".into(),
            None,
            Some(json!("x")),
            422,
            "invalid_body",
        ),
        (
            Put,
            "/api/me/volunteer".into(),
            Some(&v),
            Some(profile_with("skills", json!([]))),
            422,
            "invalid_skills",
        ),
        (
            Put,
            "/api/me/volunteer".into(),
            Some(&v),
            Some(profile_with("skills", json!(["pharmacy"]))),
            422,
            "unknown_category",
        ),
        (
            Put,
            "/api/me/volunteer".into(),
            Some(&v),
            Some(profile_with("radius_m", json!(10))),
            422,
            "invalid_radius",
        ),
        (
            Put,
            "/api/me/volunteer".into(),
            Some(&v),
            Some(profile_with("max_open", json!(0))),
            422,
            "invalid_max_open",
        ),
        (
            Put,
            "/api/me/volunteer".into(),
            None,
            Some(profile.clone()),
            401,
            "unauthorized",
        ),
        (
            Post,
            "/api/accounts/999999/verify".into(),
            Some(&coord),
            None,
            404,
            "not_found",
        ),
        (
            Get,
            "/api/accounts?unverified=maybe".into(),
            Some(&coord),
            None,
            422,
            "invalid_parameter",
        ),
    ];
    for (method, uri, who, body, status, code) in cases {
        let (got, value) = call(&client, method, &uri, who, body.as_ref()).await;
        assert_eq!(
            (got, value["error"].as_str()),
            (status, Some(code)),
            "{method} {uri}: {value}"
        );
        assert!(value["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // NUL bytes, which PostgreSQL refuses in text, are turned away before the database.
    let (status, err) = call(
        &client,
        Post,
        "/api/requests",
        None,
        Some(&with("description", json!("a\u{0}b"))),
    )
    .await;
    assert_eq!((status, err["error"].as_str()), (422, Some("invalid_text")));
    let mut nul_contact = good.clone();
    nul_contact["contact"]["name"] = json!("Ro\u{0}sa");
    let (status, _) = call(&client, Post, "/api/requests", None, Some(&nul_contact)).await;
    assert_eq!(status, 422);
    let (status, err) = call(
        &client,
        Post,
        "/api/auth/register",
        None,
        Some(&json!({"email": "a\u{0}@x.org", "password": "a long passphrase for tests", "display_name": "N"})),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (422, Some("invalid_email"))
    );
    let (status, err) = call(
        &client,
        Post,
        "/api/auth/login",
        None,
        Some(&json!({"email": "a\u{0}@x.org", "password": "a long passphrase for tests"})),
    )
    .await;
    assert_eq!(
        (status, err["error"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let (status, _) = call(&client, Post, "/api/auth/register", None, Some(&json!({"email": "n2@example.org", "password": "a long passphrase for tests", "display_name": "N\u{0}"}))).await;
    assert_eq!(status, 422);
    // Without a JSON content type the body is refused, so an HTML form cannot post it.
    let res = client
        .post("/api/requests")
        .body(good.to_string())
        .dispatch()
        .await;
    assert_eq!(res.status().code, 415);
    let res = client
        .post("/api/requests")
        .header(rocket::http::ContentType::Plain)
        .body(good.to_string())
        .dispatch()
        .await;
    assert_eq!(res.status().code, 415);
    // A body that is not JSON at all.
    let res = client
        .post("/api/requests")
        .header(rocket::http::ContentType::JSON)
        .body("{oops")
        .dispatch()
        .await;
    assert_eq!(res.status().code, 422);
    // The profile saves once valid, and the owner sees their own home.
    let (status, saved) = call(&client, Put, "/api/me/volunteer", Some(&v), Some(&profile)).await;
    assert_eq!((status, saved["home"]["lat"].as_f64()), (200, Some(-31.6)));
}

#[sqlx::test]
async fn the_cli_adds_a_verified_coordinator_and_runs_maintenance(pool: PgPool) {
    let url = common::database_url(&pool);
    let mut child = Command::new(env!("CARGO_BIN_EXE_antes"))
        .args([
            "user",
            "add",
            "--email",
            "Boss@Example.org",
            "--role",
            "coordinator",
            "--name",
            "La Jefa",
        ])
        .env("DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a strong password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created verified coordinator account"));

    let client = untracked(pool.clone()).await;
    let (status, me) = call(
        &client,
        Post,
        "/api/auth/login",
        None,
        Some(&json!({"email": "boss@example.org", "password": "a strong password"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            me["role"].as_str(),
            me["verified"].as_bool(),
            me["display_name"].as_str()
        ),
        (Some("coordinator"), Some(true), Some("La Jefa"))
    );

    let again = Command::new(env!("CARGO_BIN_EXE_antes"))
        .args([
            "user",
            "add",
            "--email",
            "boss@example.org",
            "--role",
            "coordinator",
            "--password",
            "another long passphrase here",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let out = Command::new(env!("CARGO_BIN_EXE_antes"))
        .arg("maintain")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("expired: 0") && text.contains("purged: 0"),
        "{text}"
    );
}

#[sqlx::test]
async fn moving_ones_home_cannot_tell_two_requests_of_one_cell_apart(pool: PgPool) {
    // Home moves are limited (issue 8); lift the limit to show the list alone gives nothing away.
    let config = antes::config::AppConfig {
        home_changes_per_day: 0,
        ..test_config()
    };
    let client = common::untracked_with(pool.clone(), config).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (_, prober) = account(&pool, "prober@example.org", "volunteer", true).await;
    // Two requests at opposite ends of one res-8 cell.
    let cell = res8(SANTA_FE);
    let c = cell.center();
    let (west, east) = common::far_apart_in(cell);
    assert!(haversine(west, east) > 400.0);
    open_request(&client, &coord, west, "groceries", "normal").await;
    open_request(&client, &coord, east, "groceries", "normal").await;

    // Walk the home eastwards across the 1 km band edge and the 1 km radius edge.
    let mut seen = BTreeSet::new();
    for step in 0..40 {
        let home = offset((c.lat, c.lon), 400.0 + 30.0 * step as f64, 90.0);
        let profile = json!({"skills": ["groceries"], "home": {"lat": home.0, "lon": home.1}, "radius_m": 1000, "on_duty": true, "max_open": 1});
        let (status, _) = call(
            &client,
            Put,
            "/api/me/volunteer",
            Some(&prober),
            Some(&profile),
        )
        .await;
        assert_eq!(status, 200);
        let (_, body) = call(&client, Get, "/api/me/tasks", Some(&prober), None).await;
        let bands: Vec<&str> = body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["distance_band"].as_str().unwrap())
            .collect();
        assert!(
            bands.is_empty() || (bands.len() == 2 && bands[0] == bands[1]),
            "home {home:?}: {body}"
        );
        seen.insert(bands.len());
    }
    // The walk did cross the edge: both requests were listed, then neither.
    assert_eq!(seen, BTreeSet::from([0, 2]));
}

#[sqlx::test]
async fn the_server_runs_expiry_on_its_own_timer(pool: PgPool) {
    let client = untracked(pool.clone()).await;
    let created = post_request(
        &client,
        None,
        &request_body(SANTA_FE, "meal", "low", "R", "+54 342 400-0000"),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_string();
    sqlx::query(
        "UPDATE help_requests SET created_at = now() - interval '100 hours' WHERE id = $1::uuid",
    )
    .bind(&id)
    .execute(&pool)
    .await
    .unwrap();
    let config = antes::config::AppConfig {
        maintenance_interval_secs: 1,
        ..test_config()
    };
    common::serve(pool.clone(), config).await;
    // Wait (without a timing assertion) until the timer has run.
    let mut status = String::new();
    for _ in 0..200 {
        status = sqlx::query_scalar("SELECT status FROM help_requests WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&pool)
            .await
            .unwrap();
        if status == "expired" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "expired");
}

#[sqlx::test]
async fn a_stale_complete_cannot_close_someone_elses_new_claim(pool: PgPool) {
    use antes::domain::requests::Status;
    let client = untracked(pool.clone()).await;
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (a_id, a) = volunteer(&pool, vol("a@example.org", SANTA_FE)).await;
    let (b_id, b) = volunteer(&pool, vol("b@example.org", SANTA_FE)).await;
    let id = open_request(&client, &coord, SANTA_FE, "groceries", "high").await;
    let path = |action: &str| format!("/api/requests/{id}/{action}");
    assert_eq!(
        call(&client, Post, &path("claim"), Some(&a), None).await.0,
        200
    );
    // A's "complete" read the request while A held it ...
    let uuid: uuid::Uuid = id.parse().unwrap();
    let seen = antes::db::requests::by_id(&pool, uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.assignee, Some(a_id));
    // ... then A released it and B claimed it.
    assert_eq!(
        call(&client, Post, &path("release"), Some(&a), None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&client, Post, &path("claim"), Some(&b), None).await.0,
        200
    );
    let changed = antes::db::requests::change_status(
        &pool,
        uuid,
        Status::Assigned,
        seen.assignee,
        Status::Done,
    )
    .await
    .unwrap();
    assert!(!changed);
    let now = antes::db::requests::by_id(&pool, uuid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (now.status.as_str(), now.assignee),
        ("assigned", Some(b_id))
    );
}
