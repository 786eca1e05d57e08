//! The settings a person gives, what the page is told about the channels, and what
//! coordinators see of who was told.

use chrono::Utc;
use rocket::http::Method;
use serde_json::json;
use sqlx::PgPool;

use crate::common::app::TestApp;
use crate::{World, SANTA_FE};

#[sqlx::test]
async fn settings_refuse_channels_the_service_lacks_and_bad_input_with_clear_codes(pool: PgPool) {
    // The shipped defaults: no channel set up.
    let app = TestApp::new(pool).await;
    let v = app.volunteer(true).await;
    let got = app
        .call(Some(&v), Method::Get, "/api/me/notifications", None)
        .await;
    assert_eq!(
        got.body["available"],
        json!({"push": false, "email": false, "webhook": false})
    );
    assert_eq!(got.body["vapid_public_key"], serde_json::Value::Null);
    let put = |body| {
        let app = &app;
        let v = v.clone();
        async move {
            app.call(Some(&v), Method::Put, "/api/me/notifications", Some(&body))
                .await
        }
    };
    let unavailable = (409, Some("channel_unavailable"));
    assert_eq!(
        put(json!({"language": "es", "by_email": true}))
            .await
            .code(),
        unavailable
    );
    assert_eq!(
        put(json!({"language": "es", "by_push": true})).await.code(),
        unavailable
    );
    assert_eq!(
        put(json!({"language": "es", "quiet_hours": {"from": "22:00"}}))
            .await
            .code(),
        (422, Some("invalid_body"))
    );
    assert_eq!(
        put(json!({"language": "es", "quiet_hours": {"from": "25:00", "to": "07:00"}}))
            .await
            .code(),
        (422, Some("invalid_quiet_hours"))
    );
    assert_eq!(
        put(json!({"language": "fr"})).await.code(),
        (422, Some("invalid_language"))
    );
    let r = put(json!({"language": "en", "quiet_hours": {"from": "22:30", "to": "06:45"}})).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["quiet_hours"],
        json!({"from": "22:30", "to": "06:45"})
    );
    // The same time at both ends is no quiet hours; an empty number is no number.
    let r = put(json!({"language": "en", "quiet_hours": {"from": "07:00", "to": "07:00"}})).await;
    assert_eq!(r.body["quiet_hours"], serde_json::Value::Null);
    assert_eq!(
        put(json!({"language": "es", "webhook_to": ""}))
            .await
            .code(),
        (422, Some("invalid_phone"))
    );
    let r = app
        .call(Some(&v), Method::Post, "/api/me/push-subscriptions",
            Some(&json!({"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}})))
        .await;
    assert_eq!(r.code(), (409, Some("channel_unavailable")));
    assert_eq!(
        app.call(None, Method::Get, "/api/me/notifications", None)
            .await
            .status,
        401
    );
}

#[sqlx::test]
async fn push_subscriptions_are_checked_and_must_aim_at_a_push_service(pool: PgPool) {
    let w = World::with(pool, |c| c.notify.push_insecure_endpoints = false).await;
    let v = w.app.volunteer(true).await;
    let (sub, good) = w.push.subscribe("phone");
    let post = |body: serde_json::Value| {
        let w = &w;
        let v = v.clone();
        async move {
            w.app
                .call(
                    Some(&v),
                    Method::Post,
                    "/api/me/push-subscriptions",
                    Some(&body),
                )
                .await
        }
    };
    // The stand-in listens on 127.0.0.1 over http: outside tests, that is refused.
    assert_eq!(
        post(good.clone()).await.code(),
        (422, Some("invalid_subscription"))
    );
    let mut public = good.clone();
    public["endpoint"] = json!("https://fcm.googleapis.com/fcm/send/abc");
    let r = post(public.clone()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["push_devices"], 1);
    let mut bad_key = public.clone();
    bad_key["keys"]["p256dh"] = json!(sub.auth);
    assert_eq!(
        post(bad_key).await.code(),
        (422, Some("invalid_subscription"))
    );
    // A NUL (which PostgreSQL refuses in text) is a clear 422 on both ways in, and the
    // stored subscription stays.
    let mut nul = public.clone();
    nul["endpoint"] = json!("https://fcm.googleapis.com/fcm/send/a\u{0}b");
    assert_eq!(post(nul).await.code(), (422, Some("invalid_subscription")));
    let delete = |endpoint: &str| {
        let body = json!({ "endpoint": endpoint });
        let w = &w;
        let v = v.clone();
        async move {
            w.app
                .call(
                    Some(&v),
                    Method::Delete,
                    "/api/me/push-subscriptions",
                    Some(&body),
                )
                .await
        }
    };
    assert_eq!(
        delete("https://fcm.googleapis.com/fcm/send/abc\u{0}")
            .await
            .code(),
        (422, Some("invalid_subscription"))
    );
    let got = w
        .app
        .call(Some(&v), Method::Get, "/api/me/notifications", None)
        .await;
    assert_eq!(got.body["push_devices"], 1);
    assert_eq!(
        delete("https://fcm.googleapis.com/fcm/send/abc")
            .await
            .status,
        204
    );
    let got = w
        .app
        .call(Some(&v), Method::Get, "/api/me/notifications", None)
        .await;
    assert_eq!(got.body["push_devices"], 0);
    assert_eq!(
        got.body["available"],
        json!({"push": true, "email": true, "webhook": true})
    );
}

#[sqlx::test]
async fn coordinators_see_who_was_told_when_how_and_what_happened(pool: PgPool) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    let a = w.pushed_volunteer("a", SANTA_FE).await;
    let b = w.app.volunteer_at(SANTA_FE, 5_000.0, 3).await;
    w.settings(&b, json!({"language": "es", "by_email": true}))
        .await;
    let id = w.open_request(&coordinator, SANTA_FE, "normal").await;
    w.deliver(Utc::now()).await;
    assert_eq!(w.app.claim(&a, &id).await.status, 200);
    // Done since: the log still says who took it.
    let done = format!("/api/requests/{id}/complete");
    assert_eq!(
        w.app.call(Some(&a), Method::Post, &done, None).await.status,
        200
    );
    let log = w
        .app
        .call(
            Some(&coordinator),
            Method::Get,
            &format!("/api/requests/{id}/notifications"),
            None,
        )
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let entries = log.body["notifications"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let of = |who: i64| entries.iter().find(|e| e["account_id"] == who).unwrap();
    assert_eq!(of(a.id)["channel"], "push");
    assert_eq!(of(a.id)["status"], "sent");
    assert_eq!(of(a.id)["claimed"], true);
    assert_eq!(of(a.id)["round"], 1);
    assert!(of(a.id)["sent_at"].is_string());
    assert_eq!(of(b.id)["channel"], "email");
    assert_eq!(of(b.id)["claimed"], false);
    // Volunteers, even those told, do not see the log.
    let r = w
        .app
        .call(
            Some(&a),
            Method::Get,
            &format!("/api/requests/{id}/notifications"),
            None,
        )
        .await;
    assert_eq!(r.code(), (403, Some("coordinators_only")));
}
