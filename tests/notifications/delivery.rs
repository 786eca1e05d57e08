//! Delivery: mail with a working one-click unsubscribe, the signed webhook with retries and
//! backoff, giving up with a reason, forgetting a gone push subscription, and the requester's
//! status mails.

use chrono::{Duration, Utc};
use rocket::http::Method;
use serde_json::json;
use sqlx::PgPool;

use crate::{request_body, World, SANTA_FE};

async fn outbox(w: &World) -> Vec<(String, String, i32, Option<String>)> {
    sqlx::query_as("SELECT channel, status, attempts, last_error FROM notifications ORDER BY id")
        .fetch_all(&w.app.pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn mail_carries_a_one_click_unsubscribe_that_turns_mail_off(pool: PgPool) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    let v = w.app.volunteer_at(SANTA_FE, 5_000.0, 3).await;
    w.settings(&v, json!({"language": "en", "by_email": true}))
        .await;
    w.open_request(&coordinator, SANTA_FE, "normal").await;
    w.deliver(Utc::now()).await;
    let mails = w.smtp.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, ["volunteer1@example.org"]);
    assert_eq!(
        mail.decoded_header("Subject").unwrap(),
        "Help needed nearby: Medicine"
    );
    assert_eq!(
        mail.header("List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let one_click = mail.header("List-Unsubscribe").unwrap();
    let url = one_click.trim_matches(['<', '>']);
    let path = url.strip_prefix("https://ayuda.example.org").expect(url);
    assert!(path.starts_with("/api/unsubscribe/"), "{path}");
    let body = mail.body();
    assert!(
        body.contains("https://ayuda.example.org/?screen=volunteer"),
        "{body}"
    );
    assert!(
        body.contains("To stop receiving these emails: https://ayuda.example.org/?unsubscribe="),
        "{body}"
    );
    assert!(!body.contains("Marta") && !body.contains("455"), "{body}");
    // The mail client's one-click POST, with no session, turns mail off.
    let r = w.app.call(None, Method::Post, path, None).await;
    assert_eq!(r.body, json!({"unsubscribed": true}));
    let settings = w
        .app
        .call(Some(&v), Method::Get, "/api/me/notifications", None)
        .await;
    assert_eq!(settings.body["by_email"], false);
    // Unknown links, and ones that could not be a token (a NUL that PostgreSQL would refuse
    // in text), are 404 alike.
    for bad in ["/api/unsubscribe/nope", "/api/unsubscribe/a%00b"] {
        assert_eq!(
            w.app.call(None, Method::Post, bad, None).await.code(),
            (404, Some("not_found")),
            "{bad}"
        );
    }
    w.open_request(&coordinator, SANTA_FE, "normal").await;
    w.deliver(Utc::now()).await;
    assert_eq!(w.smtp.mails.lock().unwrap().len(), 1);
}

#[sqlx::test]
async fn the_webhook_is_signed_and_retried_with_backoff_until_it_answers(pool: PgPool) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    let v = w.app.volunteer_at(SANTA_FE, 5_000.0, 3).await;
    w.settings(
        &v,
        json!({"language": "es", "by_webhook": true, "webhook_to": "+54 342 400-1111"}),
    )
    .await;
    w.hook.fail_next(2);
    w.open_request(&coordinator, SANTA_FE, "normal").await;
    let t0 = Utc::now();
    w.deliver(t0).await;
    assert_eq!(outbox(&w).await[0].1, "pending");
    assert_eq!(outbox(&w).await[0].2, 1);
    // The first retry waits a minute; nothing is tried before.
    w.deliver(t0 + Duration::seconds(50)).await;
    assert_eq!(outbox(&w).await[0].2, 1);
    w.deliver(t0 + Duration::seconds(70)).await;
    assert_eq!(outbox(&w).await[0].2, 2);
    assert!(w.hook.received.lock().unwrap().is_empty());
    // The second waits two more.
    w.deliver(t0 + Duration::seconds(70 + 110)).await;
    assert_eq!(outbox(&w).await[0].2, 2);
    w.deliver(t0 + Duration::seconds(70 + 130)).await;
    let row = &outbox(&w).await[0];
    assert_eq!((row.1.as_str(), row.2), ("sent", 3));
    let got = w.hook.received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(w.hook.rejected.lock().unwrap().is_empty());
    assert_eq!(got[0].body["to"], "+54 342 400-1111");
    assert_eq!(got[0].body["title"], "Pedido de ayuda cerca: Remedios");
    assert!(got[0]
        .idempotency_key
        .as_deref()
        .unwrap()
        .starts_with("request:"));
}

#[sqlx::test]
async fn a_delivery_that_keeps_failing_is_given_up_with_its_reason(pool: PgPool) {
    let w = World::with(pool, |c| c.notify.max_attempts = 2).await;
    let coordinator = w.app.coordinator().await;
    let v = w.app.volunteer_at(SANTA_FE, 5_000.0, 3).await;
    w.settings(
        &v,
        json!({"language": "es", "by_webhook": true, "webhook_to": "+54 342 400-1111"}),
    )
    .await;
    w.hook.fail_next(10);
    w.open_request(&coordinator, SANTA_FE, "normal").await;
    let t0 = Utc::now();
    w.deliver(t0).await;
    w.deliver(t0 + Duration::minutes(5)).await;
    w.deliver(t0 + Duration::minutes(60)).await;
    let row = &outbox(&w).await[0];
    assert_eq!((row.1.as_str(), row.2), ("failed", 2));
    assert!(row.3.as_deref().unwrap().contains("503"), "{row:?}");
}

#[sqlx::test]
async fn a_push_subscription_the_service_calls_gone_is_forgotten(pool: PgPool) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    let v = w.pushed_volunteer("old-phone", SANTA_FE).await;
    w.push.forget("old-phone");
    w.open_request(&coordinator, SANTA_FE, "normal").await;
    w.deliver(Utc::now()).await;
    let row = &outbox(&w).await[0];
    assert_eq!(row.1, "failed");
    assert!(row.3.as_deref().unwrap().contains("gone"), "{row:?}");
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM push_subscriptions WHERE account_id = $1")
            .bind(v.id)
            .fetch_one(&w.app.pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test]
async fn the_requester_hears_by_mail_when_the_request_is_taken_done_or_expired(pool: PgPool) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    let mut body = request_body(SANTA_FE, "normal");
    body["contact_email"] = json!("Marta@Example.org");
    let posted = w
        .app
        .call(None, Method::Post, "/api/requests", Some(&body))
        .await;
    assert_eq!(posted.status, 201, "{:?}", posted.body);
    let id = posted.body["id"].as_str().unwrap().to_string();
    let approve = format!("/api/requests/{id}/approve");
    assert_eq!(
        w.app
            .call(Some(&coordinator), Method::Post, &approve, None)
            .await
            .status,
        200
    );
    let v = w.app.volunteer_at(SANTA_FE, 5_000.0, 3).await;
    assert_eq!(w.app.claim(&v, &id).await.status, 200);
    let done = format!("/api/requests/{id}/complete");
    assert_eq!(
        w.app.call(Some(&v), Method::Post, &done, None).await.status,
        200
    );
    // Another one nobody takes expires.
    body["language"] = json!("en");
    let lonely = w
        .app
        .call(
            Some(&coordinator),
            Method::Post,
            "/api/requests",
            Some(&body),
        )
        .await;
    let lonely = lonely.body["id"].as_str().unwrap().to_string();
    sqlx::query(
        "UPDATE help_requests SET created_at = now() - interval '4 days' WHERE id = $1::uuid",
    )
    .bind(&lonely)
    .execute(&w.app.pool)
    .await
    .unwrap();
    antes::maintenance::run(&w.app.pool, &w.config)
        .await
        .unwrap();
    w.deliver(Utc::now()).await;
    let mails = w.smtp.mails.lock().unwrap().clone();
    let subjects: Vec<String> = mails
        .iter()
        .map(|m| {
            assert_eq!(m.to, ["marta@example.org"]);
            m.decoded_header("Subject").unwrap()
        })
        .collect();
    assert_eq!(
        subjects,
        [
            "Tu pedido fue tomado",
            "Tu pedido está hecho",
            "Your request expired"
        ]
    );
    assert!(mails.iter().all(|m| m.header("List-Unsubscribe").is_none()));
}
