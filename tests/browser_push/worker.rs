//! The service worker shows what a push brings, and its links open their screen.

use crate::*;

#[sqlx::test]
async fn the_service_worker_shows_a_push_as_a_notification_and_its_link_opens_the_screen(
    pool: PgPool,
) {
    let base = serve(pool, test_config()).await;
    let b = Browser::start("push-show", 360, 740).await;
    b.client.goto(&base).await.unwrap();
    b.wait_for_map().await;
    b.set_permission("notifications", "granted").await;
    b.wait_for(
        "navigator.serviceWorker.ready.then(r => Boolean(r.active))",
        "the service worker",
    )
    .await;

    // A push as the server sends it, handed to the worker by DevTools instead of a push
    // service. DevTools names a registration by an id the page cannot read; a fresh profile
    // has one registration, and ids to no registration deliver nothing.
    let payload = json!({
        "title": "Pedido de ayuda cerca: Remedios",
        "body": "Urgencia: Urgente. A 1-3 km de tu zona.",
        "url": "/?screen=volunteer",
        "tag": "request-42",
    });
    // A worker just installed may not take the first push: it is sent again until one shows
    // (with one tag, a second push replaces the first).
    b.cdp("ServiceWorker.enable", json!({})).await;
    let notifications = "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.length ? ns.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url, icon: n.icon})) : null)";
    let mut shown = serde_json::Value::Null;
    for _ in 0..10 {
        for id in 0..8 {
            b.cdp(
                "ServiceWorker.deliverPushMessage",
                json!({"origin": base, "registrationId": id.to_string(), "data": payload.to_string()}),
            )
            .await;
        }
        for _ in 0..10 {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            shown = b.eval(notifications).await;
            if !shown.is_null() {
                break;
            }
        }
        if !shown.is_null() {
            break;
        }
    }
    assert_eq!(
        shown,
        json!([{
            "title": "Pedido de ayuda cerca: Remedios",
            "body": "Urgencia: Urgente. A 1-3 km de tu zona.",
            "tag": "request-42",
            "url": "/?screen=volunteer",
            "icon": format!("{base}/icons/icon-192.png"),
        }])
    );

    // Its link opens the volunteer's screen; the coordinator's works the same way.
    b.client
        .goto(&format!("{base}/?screen=volunteer"))
        .await
        .unwrap();
    b.wait_for("document.body.dataset.ready === '1'", "the app")
        .await;
    assert_eq!(
        b.eval("document.getElementById('screen-volunteer').hidden")
            .await,
        false
    );
    b.client
        .goto(&format!("{base}/?screen=coordination"))
        .await
        .unwrap();
    b.wait_for("document.body.dataset.ready === '1'", "the app")
        .await;
    assert_eq!(
        b.eval("document.getElementById('screen-coordination').hidden")
            .await,
        false
    );
    // A tap on a notification while the app is open: the worker tells the page where to go.
    b.eval(
        "(navigator.serviceWorker.dispatchEvent(new MessageEvent('message', \
           {data: {type: 'open', url: '/?screen=volunteer'}})), true)",
    )
    .await;
    b.wait_for(
        "!document.getElementById('screen-volunteer').hidden",
        "the volunteer's screen",
    )
    .await;
    b.finish(&base).await;
}
