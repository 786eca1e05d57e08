//! Writes sent again (issue 13): a phone that lost the answer to a POST sends it again with the
//! same `Idempotency-Key`, and gets the first answer back instead of a second request, pledge,
//! sign-up, kitchen or need. Keys are tied to one write and expire after a day.

mod common;

use common::app::{Reply, Session, TestApp};
use rocket::http::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

const HOME: (f64, f64) = (-31.6333, -60.7000);

fn help_body(tag: &str) -> Value {
    json!({
        "category": "groceries",
        "description": format!("pedido {tag}"),
        "location": {"lat": HOME.0, "lon": HOME.1},
        "contact": {"name": format!("Persona {tag}"), "phone": "+54 342 455-0000"},
    })
}

async fn post_keyed(
    app: &TestApp,
    who: Option<&Session>,
    key: &str,
    uri: &str,
    body: &Value,
) -> Reply {
    app.call_with(
        who,
        &[("Idempotency-Key", key)],
        Method::Post,
        uri,
        Some(body),
    )
    .await
}

async fn count(app: &TestApp, query: &str) -> i64 {
    sqlx::query_scalar(query)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

async fn requests_tagged(app: &TestApp, tag: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM help_requests WHERE description = $1")
        .bind(format!("pedido {tag}"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A verified organizer's kitchen with a supplies need and a two-slot shift.
async fn kitchen(app: &TestApp) -> (i64, i64) {
    let organizer = app.organizer(true).await;
    let place = app
        .call(
            Some(&organizer),
            Method::Post,
            "/api/places",
            Some(&json!({
                "kind": "kitchen", "category": "soup_kitchen", "name": "Comedor Reintento",
                "location": {"lat": HOME.0, "lon": HOME.1},
            })),
        )
        .await;
    assert_eq!(place.status, 201, "{}", place.body);
    let place = place.body["id"].as_i64().unwrap();
    let need = |body: Value| {
        let organizer = &organizer;
        async move {
            let r = app
                .call(
                    Some(organizer),
                    Method::Post,
                    &format!("/api/places/{place}/needs"),
                    Some(&body),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
            r.body["id"].as_i64().unwrap()
        }
    };
    let supplies =
        need(json!({"kind": "supplies", "item": "Harina", "quantity": 10, "unit": "kg"})).await;
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    let shift = need(json!({
        "kind": "shift", "role": "cook", "slots": 2,
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + chrono::Duration::hours(3)).to_rfc3339(),
    }))
    .await;
    (supplies, shift)
}

#[sqlx::test]
async fn a_help_request_sent_twice_with_one_key_is_made_once_and_answered_the_same(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let key = "3f1c0a9e-6b1d-4c55-9d7e-0c7a2f0e9b11";
    let first = post_keyed(&app, None, key, "/api/requests", &help_body("once")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("Idempotent-Replayed"), None);
    let again = post_keyed(&app, None, key, "/api/requests", &help_body("once")).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(
        again.body, first.body,
        "the first answer, manage token and all"
    );
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    assert_eq!(requests_tagged(&app, "once").await, 1);

    // The manage token from the replayed answer works.
    let token = again.body["manage_token"].as_str().unwrap();
    let id = again.body["id"].as_str().unwrap();
    let view = app
        .send(
            None,
            Some(token),
            Method::Get,
            &format!("/api/requests/{id}"),
            None,
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.body);

    // Without a key, the same body is a new request, as before.
    let plain = app
        .call(
            None,
            Method::Post,
            "/api/requests",
            Some(&help_body("once")),
        )
        .await;
    assert_eq!(plain.status, 201);
    assert_eq!(requests_tagged(&app, "once").await, 2);
}

#[sqlx::test]
async fn the_database_keeps_no_readable_answer_or_key(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let key = "secret-key-for-one-request";
    let first = post_keyed(&app, None, key, "/api/requests", &help_body("sealed")).await;
    assert_eq!(first.status, 201);
    let token = first.body["manage_token"].as_str().unwrap();
    let row: (Vec<u8>, Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT lookup, fingerprint, answer FROM idempotency_keys")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let all = [row.0, row.1, row.2].concat();
    for secret in [
        token.as_bytes(),
        key.as_bytes(),
        b"Persona sealed".as_slice(),
    ] {
        assert!(
            !all.windows(secret.len()).any(|w| w == secret),
            "{} is readable in the stored row",
            String::from_utf8_lossy(secret)
        );
    }
}

#[sqlx::test]
async fn one_key_with_another_body_route_or_account_is_refused_with_422(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (supplies, _) = kitchen(&app).await;
    let ana = app.volunteer(true).await;
    let beto = app.volunteer(true).await;
    let key = "pledge-key-0001";
    let uri = format!("/api/needs/{supplies}/pledge");
    let first = post_keyed(&app, Some(&ana), key, &uri, &json!({"quantity": 2})).await;
    assert_eq!(first.status, 201, "{}", first.body);

    let other_body = post_keyed(&app, Some(&ana), key, &uri, &json!({"quantity": 3})).await;
    assert_eq!(other_body.code(), (422, Some("idempotency_key_reused")));
    let other_account = post_keyed(&app, Some(&beto), key, &uri, &json!({"quantity": 2})).await;
    assert_eq!(other_account.code(), (422, Some("idempotency_key_reused")));
    let other_route = post_keyed(&app, None, key, "/api/requests", &help_body("x")).await;
    assert_eq!(other_route.code(), (422, Some("idempotency_key_reused")));
    assert_eq!(requests_tagged(&app, "x").await, 0);

    let again = post_keyed(&app, Some(&ana), key, &uri, &json!({"quantity": 2})).await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(count(&app, "SELECT count(*) FROM pledges").await, 1);

    for bad in ["short", "has a space", "ñandú-ñandú-ñandú"] {
        let r = post_keyed(&app, Some(&ana), bad, &uri, &json!({"quantity": 1})).await;
        assert_eq!(r.code(), (422, Some("invalid_idempotency_key")), "{bad}");
    }
    assert_eq!(count(&app, "SELECT count(*) FROM pledges").await, 1);
}

#[sqlx::test]
async fn a_key_expires_after_a_day_and_maintenance_forgets_it(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let key = "key-that-will-expire";
    let first = post_keyed(&app, None, key, "/api/requests", &help_body("old")).await;
    assert_eq!(first.status, 201);

    app.sql("UPDATE idempotency_keys SET created_at = now() - interval '23 hours'")
        .await;
    let within = post_keyed(&app, None, key, "/api/requests", &help_body("old")).await;
    assert_eq!(within.body["id"], first.body["id"]);
    assert_eq!(requests_tagged(&app, "old").await, 1);

    app.sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .await;
    let after = post_keyed(&app, None, key, "/api/requests", &help_body("old")).await;
    assert_eq!(after.status, 201);
    assert_ne!(
        after.body["id"], first.body["id"],
        "an expired key is a new write"
    );
    assert_eq!(requests_tagged(&app, "old").await, 2);

    app.sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .await;
    let report = antes::maintenance::run(&app.pool, &common::test_config())
        .await
        .unwrap();
    assert_eq!(report.idempotency_keys_forgotten, 1);
    assert_eq!(
        count(&app, "SELECT count(*) FROM idempotency_keys").await,
        0
    );
}

#[sqlx::test]
async fn twenty_sends_of_one_key_at_once_make_one_sign_up_and_one_answer(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (_, shift) = kitchen(&app).await;
    let ana = app.volunteer(true).await;
    let uri = format!("/api/needs/{shift}/signup");
    let sends = (0..20).map(|_| {
        app.call_with(
            Some(&ana),
            &[("Idempotency-Key", "signup-key-0001")],
            Method::Post,
            &uri,
            None,
        )
    });
    let replies = futures::future::join_all(sends).await;
    for r in &replies {
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body, replies[0].body);
    }
    let fresh = replies
        .iter()
        .filter(|r| r.header("Idempotent-Replayed").is_none())
        .count();
    assert_eq!(
        fresh, 1,
        "one send did the write, the others got its answer"
    );
    assert_eq!(replies[0].body["taken"], 1);
    assert_eq!(count(&app, "SELECT count(*) FROM shift_signups").await, 1);

    // Without the key the second send is refused as a duplicate, as before.
    let plain = app.post(Some(&ana), &uri).await;
    assert_eq!(plain.code(), (409, Some("already_signed_up")));
}

#[sqlx::test]
async fn a_refused_write_keeps_no_key_so_its_retry_is_decided_afresh(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let (supplies, _) = kitchen(&app).await;
    let ana = app.volunteer(true).await;
    let beto = app.volunteer(true).await;
    let uri = format!("/api/needs/{supplies}/pledge");
    let all = post_keyed(
        &app,
        Some(&beto),
        "beto-pledge-1",
        &uri,
        &json!({"quantity": 10}),
    )
    .await;
    assert_eq!(all.status, 201);
    let refused = post_keyed(
        &app,
        Some(&ana),
        "ana-pledge-1",
        &uri,
        &json!({"quantity": 4}),
    )
    .await;
    assert_eq!(refused.code(), (409, Some("over_pledged")));
    assert_eq!(
        count(&app, "SELECT count(*) FROM idempotency_keys").await,
        1
    );

    let withdrawn = app
        .post(
            Some(&beto),
            &format!("/api/pledges/{}/withdraw", all.body["id"]),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    let retried = post_keyed(
        &app,
        Some(&ana),
        "ana-pledge-1",
        &uri,
        &json!({"quantity": 4}),
    )
    .await;
    assert_eq!(retried.status, 201, "{}", retried.body);
}
