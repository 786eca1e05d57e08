//! Turning Web Push on in Chromium, and a browser that refuses it.

use crate::*;

#[sqlx::test]
async fn a_volunteer_subscribes_to_web_push_in_chromium_and_the_subscription_is_stored(
    pool: PgPool,
) {
    let gcm = fake_gcm::start().await;
    let (config, public_key) = with_push();
    let (vera, _) = common::account(&pool, "vera@example.org", "volunteer", true).await;
    let base = serve(pool.clone(), config).await;
    let b = Browser::start_with("push-subscribe", 360, 740, &gcm.chromium_args()).await;
    b.client.goto(&base).await.unwrap();
    b.wait_for_map().await;
    // The person says yes to the browser's question.
    b.set_permission("notifications", "granted").await;

    b.go("volunteer").await;
    log_in(&b, "vol", "vera@example.org").await;
    b.click("#vol-notify-toggle").await;
    b.wait_for(
        "document.getElementById('notify-by-push')",
        "the push switch",
    )
    .await;
    // Only what this service offers is shown: push, not mail nor SMS.
    let offered = b
        .eval(
            "[...document.querySelectorAll('#notify-form input[type=checkbox]')].map(i => i.name)",
        )
        .await;
    assert_eq!(offered, json!(["by_push"]));
    assert_eq!(
        b.text("#notify-form label:has(#notify-by-push)")
            .await
            .trim(),
        "En este teléfono"
    );
    b.click("#notify-by-push").await;
    // Quiet hours as a time picker gives them.
    b.eval(
        "(document.getElementById('notify-quiet-from').value = '23:00', \
          document.getElementById('notify-quiet-to').value = '07:00', true)",
    )
    .await;
    b.click("#notify-save").await;
    b.wait_for(
        "document.getElementById('notify-status')?.textContent.includes('este teléfono')",
        "push turned on",
    )
    .await;
    assert_eq!(
        b.text("#notify-status").await,
        "Listo: te vamos a avisar en este teléfono."
    );
    assert_eq!(
        b.text("#result-text").await,
        "Listo: te vamos a avisar en este teléfono."
    );
    assert_eq!(
        b.eval("document.getElementById('notify-by-push').checked")
            .await,
        true
    );
    assert!(b
        .text("#notify-form")
        .await
        .contains("Activados en 1 dispositivo."));
    b.screenshot("push-subscribed").await;

    // The server keeps this browser's subscription, with its keys.
    let (endpoint, p256dh, auth): (String, String, String) = sqlx::query_as(
        "SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = $1",
    )
    .bind(vera)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        endpoint.starts_with(fake_gcm::ENDPOINT_PREFIX),
        "{endpoint}"
    );
    let p256dh = URL_SAFE_NO_PAD
        .decode(&p256dh)
        .expect("p256dh in base64url");
    assert_eq!(
        (p256dh.len(), p256dh[0]),
        (65, 4),
        "an uncompressed P-256 point"
    );
    let auth = URL_SAFE_NO_PAD.decode(&auth).expect("auth in base64url");
    assert_eq!(auth.len(), 16);

    // Chromium registered with the server's own key, for this page.
    let registrations = gcm.registrations();
    let ours: Vec<_> = registrations
        .iter()
        .filter(|r| r.field("sender").as_deref() == Some(public_key.as_str()))
        .collect();
    assert_eq!(ours.len(), 1, "{registrations:?}");
    let subtype = ours[0].field("X-subtype").unwrap_or_default();
    assert!(subtype.starts_with(&format!("wp:{base}/")), "{subtype}");
    assert!(endpoint.ends_with(&gcm_token(&gcm, ours[0])), "{endpoint}");

    let settings = settings_seen_by_the_page(&b).await;
    assert_eq!(settings["by_push"], true, "{settings}");
    assert_eq!(settings["push_devices"], 1, "{settings}");
    assert_eq!(settings["vapid_public_key"], public_key.as_str());
    assert_eq!(
        settings["quiet_hours"],
        json!({"from": "23:00", "to": "07:00"}),
        "{settings}"
    );
    assert_eq!(settings["language"], "es");

    // Turned off again, the phone is forgotten.
    b.click("#notify-by-push").await;
    b.click("#notify-save").await;
    b.wait_for(
        "document.getElementById('notify-status')?.textContent.includes('no te vamos a mandar')",
        "push turned off",
    )
    .await;
    let settings = settings_seen_by_the_page(&b).await;
    assert_eq!(
        (&settings["by_push"], &settings["push_devices"]),
        (&json!(false), &json!(0)),
        "{settings}"
    );
    assert_eq!(subscriptions(&pool).await, 0);
    let subscribed = b
        .eval("navigator.serviceWorker.ready.then(r => r.pushManager.getSubscription()).then(s => s === null)")
        .await;
    assert_eq!(subscribed, true, "the browser unsubscribed too");

    // On again, then logged out: a phone passed on must not show her notifications.
    b.click("#notify-by-push").await;
    b.click("#notify-save").await;
    b.wait_for(
        "document.getElementById('notify-status')?.textContent.includes('este teléfono')",
        "push turned on again",
    )
    .await;
    assert_eq!(subscriptions(&pool).await, 1);
    b.click("#vol-logout").await;
    b.wait_for("document.getElementById('vol-login-form')", "the log-out")
        .await;
    assert_eq!(subscriptions(&pool).await, 0);
    let subscribed = b
        .eval("navigator.serviceWorker.ready.then(r => r.pushManager.getSubscription()).then(s => s === null)")
        .await;
    assert_eq!(subscribed, true, "the browser unsubscribed on log-out");
    finish_beside(b, &base, &gcm).await;
}

#[sqlx::test]
async fn without_permission_the_page_says_so_and_stores_no_subscription(pool: PgPool) {
    let gcm = fake_gcm::start().await;
    let (config, _) = with_push();
    common::account(&pool, "vera@example.org", "volunteer", true).await;
    let base = serve(pool.clone(), config).await;
    let b = Browser::start_with("push-denied", 360, 740, &gcm.chromium_args()).await;
    b.client.goto(&base).await.unwrap();
    b.wait_for_map().await;
    b.set_permission("notifications", "denied").await;
    b.go("volunteer").await;
    log_in(&b, "vol", "vera@example.org").await;
    b.click("#vol-notify-toggle").await;
    b.click("#notify-by-push").await;
    b.click("#notify-save").await;
    b.wait_for(
        "document.querySelector('#notify-status.error')",
        "the refusal in words",
    )
    .await;
    let said = b.text("#notify-status").await;
    assert!(
        said.contains("no pudimos activar los avisos en este teléfono")
            && said.contains("bloqueados"),
        "{said}"
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM push_subscriptions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let settings = settings_seen_by_the_page(&b).await;
    assert_eq!(settings["by_push"], false, "{settings}");
    finish_beside(b, &base, &gcm).await;
}
