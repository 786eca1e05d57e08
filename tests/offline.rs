//! Works on a bad connection (issue 13), in Debian's headless Chromium through the DevTools
//! protocol: the app installs, starts and shows its last list offline, and a write made
//! offline waits, is sent when the connection returns, and lands exactly once even when the
//! first answer is lost. The network is cut twice over: Chromium's own offline emulation for
//! the page, and a relay between browser and server that the test takes down (the service
//! worker's own requests are not under the page's emulation).

mod common;

use common::proxy::Proxy;
use common::{seed, serve, test_config, Browser};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn wait_for_app(b: &Browser) {
    b.wait_for("document.body.dataset.ready === '1'", "the app to start")
        .await;
}

/// Waits until the service worker controls the page and holds a copy of `url`.
async fn wait_for_copy(b: &Browser, url: &str) {
    b.wait_for(
        "navigator.serviceWorker.controller !== null",
        "the service worker to take over",
    )
    .await;
    b.wait_for(
        &format!("caches.match({}).then(r => Boolean(r))", json!(url)),
        &format!("a copy of {url}"),
    )
    .await;
}

async fn set_offline(b: &Browser, proxy: &Proxy, offline: bool) {
    b.cdp("Network.enable", json!({})).await;
    b.cdp(
        "Network.emulateNetworkConditions",
        json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
    )
    .await;
    proxy.set_down(offline);
}

async fn list_ids(b: &Browser) -> Vec<String> {
    serde_json::from_value(
        b.eval("[...document.querySelectorAll('#place-list li')].map(li => li.dataset.placeId).filter(Boolean)")
            .await,
    )
    .unwrap()
}

#[sqlx::test]
async fn chromium_finds_the_app_installable(pool: PgPool) {
    seed(&pool).await;
    let base = serve(pool, test_config()).await;
    let b = Browser::start("install", 412, 860).await;
    b.client.goto(&base).await.unwrap();
    wait_for_app(&b).await;
    b.wait_for(
        "navigator.serviceWorker.controller !== null",
        "the service worker to take over",
    )
    .await;
    let errors = b.cdp("Page.getInstallabilityErrors", json!({})).await;
    assert_eq!(
        errors["installabilityErrors"],
        json!([]),
        "installability: {errors}"
    );
    let manifest = b.cdp("Page.getAppManifest", json!({})).await;
    assert!(manifest["url"]
        .as_str()
        .unwrap()
        .ends_with("/manifest.webmanifest"));
    assert_eq!(manifest["errors"], json!([]), "{manifest}");
    let parsed: Value = serde_json::from_str(manifest["data"].as_str().unwrap()).unwrap();
    assert_eq!(parsed["display"], "standalone");
    assert_eq!(parsed["lang"], "es-AR");

    // In English the page links the English manifest.
    b.eval("(() => { const s = document.getElementById('lang-select'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true; })()").await;
    b.wait_for(
        "document.getElementById('manifest-link').href.endsWith('/manifest.en.webmanifest')",
        "the English manifest",
    )
    .await;
    let manifest = b.cdp("Page.getAppManifest", json!({})).await;
    let parsed: Value = serde_json::from_str(manifest["data"].as_str().unwrap()).unwrap();
    assert!(parsed["name"]
        .as_str()
        .unwrap()
        .contains("Before you go out"));
    b.finish(&base).await;
}

/// The place ids listed on screen, once the service worker's copy of the last list holds the
/// same places: the map, when it opens or moves, may move the list on to its own view.
async fn last_list_on_screen(b: &Browser) -> Vec<String> {
    serde_json::from_value(
        b.wait_for(
            "caches.match('/__last__/api/places').then(r => r && r.json()).then(fc => { \
               const shown = [...document.querySelectorAll('#place-list li')] \
                 .map(li => li.dataset.placeId).filter(Boolean); \
               const copied = fc ? fc.features.slice(0, 100).map(f => String(f.properties.id)) : []; \
               return shown.length > 0 && JSON.stringify(shown) === JSON.stringify(copied) \
                 ? shown : null; })",
            "the list on screen and the copy of the last list to agree",
        )
        .await,
    )
    .unwrap()
}

/// Of the places listed on screen, the one nearest the map's centre (by the coordinates in
/// the copy of the last list).
async fn nearest_listed_to_centre(b: &Browser) -> String {
    b.eval(
        "caches.match('/__last__/api/places').then(r => r.json()).then(fc => { \
           const shown = new Set([...document.querySelectorAll('#place-list li')] \
             .map(li => li.dataset.placeId).filter(Boolean)); \
           const c = window.antes.map.getCenter(); \
           const far = (f) => Math.hypot(f.geometry.coordinates[0] - c.lng, f.geometry.coordinates[1] - c.lat); \
           const listed = fc.features.filter(f => shown.has(String(f.properties.id))); \
           listed.sort((a, b) => far(a) - far(b)); \
           return String(listed[0].properties.id); })",
    )
    .await
    .as_str()
    .expect("a listed place")
    .to_string()
}

/// When the service worker made its copy of the last list (ms since the epoch).
async fn last_list_saved_at(b: &Browser) -> u64 {
    b.eval(
        "caches.match('/__last__/api/places').then(r => Number(r.headers.get('X-Antes-Saved-At')))",
    )
    .await
    .as_u64()
    .expect("a copy of the last list")
}

#[sqlx::test]
async fn offline_a_reload_shows_the_shell_the_last_list_and_a_seen_card_with_their_age(
    pool: PgPool,
) {
    seed(&pool).await;
    let server = serve(pool, test_config()).await;
    let proxy = Proxy::start(&server).await;
    let b = Browser::start("offline-reload", 360, 740).await;
    b.client.goto(&proxy.base).await.unwrap();
    wait_for_app(&b).await;
    wait_for_copy(&b, "/js/app.js").await;
    // The first visit's reads happened before the worker took over; the page reads them again
    // through it so that there is a copy.
    wait_for_copy(&b, "/api/config").await;
    // The map, once open, and any resize of it (a scrollbar coming or going) move the list on
    // to its own view. The place opened is the listed one nearest the map's centre, which a
    // few pixels more or less of view keep in the list.
    b.wait_for(
        "window.antes.map && window.antes.map.loaded() && !window.antes.map.isMoving()",
        "the map to open and settle",
    )
    .await;
    let online = last_list_on_screen(&b).await;
    assert!(online.len() > 5, "{online:?}");
    let place = nearest_listed_to_centre(&b).await;
    assert!(online.contains(&place), "{place} in {online:?}");
    b.click(&format!("#place-list li[data-place-id='{place}'] button"))
        .await;
    b.wait_for(
        "!document.getElementById('place-detail').hidden",
        "the card",
    )
    .await;
    let name_online = b.text("#place-detail h2").await;
    wait_for_copy(&b, &format!("/api/places/{place}")).await;
    b.wait_for(
        "document.getElementById('net-banner').hidden",
        "no banner while online",
    )
    .await;
    set_offline(&b, &proxy, true).await;
    // Opening the card may have moved the map, and the list with it, up to the moment the
    // connection went: what the reload must show is the list on screen then.
    b.wait_for("!window.antes.map.isMoving()", "the map to settle")
        .await;
    let online = last_list_on_screen(&b).await;
    b.client.refresh().await.unwrap();
    b.wait_for(
        "document.body.dataset.listReady === '1'",
        "the list offline",
    )
    .await;
    let offline = list_ids(&b).await;
    assert_eq!(offline, online, "the last list, from the copy");
    let banner = b
        .wait_for(
            "!document.getElementById('net-banner').hidden && document.getElementById('net-banner').textContent",
            "the offline banner",
        )
        .await;
    let banner = banner.as_str().unwrap();
    assert!(banner.contains("Sin conexión"), "{banner}");
    assert!(
        banner.contains("datos guardados hace"),
        "the copy's age: {banner}"
    );

    b.click(&format!("#place-list li[data-place-id='{place}'] button"))
        .await;
    b.wait_for(
        "!document.getElementById('place-detail').hidden",
        "the card offline",
    )
    .await;
    assert_eq!(b.text("#place-detail h2").await, name_online);
    b.screenshot("offline-reload").await;

    // Back online, a reload reads from the server again (the copy of the last list is made
    // anew, and the list on screen is that one) and the banner is gone.
    let saved_offline = last_list_saved_at(&b).await;
    set_offline(&b, &proxy, false).await;
    b.client.refresh().await.unwrap();
    wait_for_app(&b).await;
    b.wait_for(
        &format!(
            "caches.match('/__last__/api/places').then(r => Number(r.headers.get('X-Antes-Saved-At')) > {saved_offline})"
        ),
        "a fresh copy of the list from the server",
    )
    .await;
    assert!(last_list_on_screen(&b).await.contains(&place));
    assert_eq!(
        b.eval("document.getElementById('net-banner').hidden").await,
        true,
        "{}",
        b.text("#net-banner").await
    );
    b.close().await;
}

#[sqlx::test]
async fn a_help_request_made_offline_waits_and_lands_once_though_its_first_answer_is_lost(
    pool: PgPool,
) {
    seed(&pool).await;
    let server = serve(pool.clone(), test_config()).await;
    let proxy = Proxy::start(&server).await;
    let b = Browser::start("offline-request", 360, 780).await;
    b.client.goto(&proxy.base).await.unwrap();
    wait_for_app(&b).await;
    wait_for_copy(&b, "/js/app.js").await;

    set_offline(&b, &proxy, true).await;
    b.go("request").await;
    b.wait_for("document.getElementById('req-form')", "the request form")
        .await;
    b.eval("(() => { const m = window.antes.map; m.fire('click', { lngLat: {lng: -60.7012, lat: -31.6331}, point: m.project([-60.7012, -31.6331]), originalEvent: {} }); return true; })()").await;
    b.wait_for("window.antes.requests.point !== null", "the picked point")
        .await;
    b.fill("#req-desc", "Pedido sin señal para Doña Rosa").await;
    b.fill("#req-name", "Doña Rosa Quiroga").await;
    b.fill("#req-phone", "+54 342 455-9876").await;
    b.click("#req-submit").await;
    b.wait_for("document.getElementById('req-pending')", "the pending card")
        .await;
    let pending = b
        .wait_for(
            "document.getElementById('outbox-pending')?.textContent",
            "the outbox",
        )
        .await;
    assert!(
        pending.as_str().unwrap().contains("pendiente de envío"),
        "{pending}"
    );
    b.screenshot("offline-request-pending").await;
    let stored = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM help_requests WHERE description = 'Pedido sin señal para Doña Rosa'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(stored().await, 0, "nothing reached the server offline");

    // Back online; the first send reaches the server, which commits, but its answer is lost.
    proxy.lose_next_answer_to("POST /api/requests ");
    set_offline(&b, &proxy, false).await;
    let link = b
        .wait_for(
            "document.getElementById('req-link')?.getAttribute('href')",
            "the private link, once the request is sent",
        )
        .await;
    assert_eq!(proxy.answers_lost(), 1, "the first answer was lost");
    assert_eq!(stored().await, 1, "sent again, stored once");
    assert!(link.as_str().unwrap().contains("#token="), "{link}");
    b.wait_for(
        "!document.getElementById('outbox-pending')",
        "the outbox to empty",
    )
    .await;
    let notice = b.text("#outbox-notices").await;
    assert!(notice.contains("Enviado: Pedido de ayuda"), "{notice}");

    // The link works: it opens the request's status.
    let link = link.as_str().unwrap().replace(&proxy.base, "");
    b.client
        .goto(&format!("{}{link}", proxy.base))
        .await
        .unwrap();
    wait_for_app(&b).await;
    b.wait_for(
        "document.getElementById('request-body').textContent.length > 0 && !document.getElementById('req-form')",
        "the status view",
    )
    .await;
    assert_eq!(stored().await, 1);
    b.close().await;
}

#[sqlx::test]
async fn a_shift_sign_up_queued_offline_and_then_refused_says_why_in_spanish(pool: PgPool) {
    seed(&pool).await;
    let (_, organizer) = common::account(&pool, "olga@example.org", "organizer", true).await;
    common::account(&pool, "vera@example.org", "volunteer", true).await;
    let (_, other) = common::account(&pool, "otro@example.org", "volunteer", true).await;
    let client = common::untracked(pool.clone()).await;
    let (status, kitchen) = common::call(
        &client,
        rocket::http::Method::Post,
        "/api/places",
        Some(&organizer),
        Some(&json!({
            "kind": "kitchen", "category": "soup_kitchen", "name": "Comedor Sin Señal",
            "location": {"lat": -31.6335, "lon": -60.7015},
        })),
    )
    .await;
    assert_eq!(status, 201, "{kitchen}");
    let start = chrono::Utc::now() + chrono::Duration::days(1);
    let (status, shift) = common::call(
        &client,
        rocket::http::Method::Post,
        &format!("/api/places/{}/needs", kitchen["id"]),
        Some(&organizer),
        Some(&json!({
            "kind": "shift", "role": "cook", "slots": 1,
            "starts_at": start.to_rfc3339(),
            "ends_at": (start + chrono::Duration::hours(3)).to_rfc3339(),
        })),
    )
    .await;
    assert_eq!(status, 201, "{shift}");

    let server = serve(pool.clone(), test_config()).await;
    let proxy = Proxy::start(&server).await;
    let b = Browser::start("offline-shift", 360, 780).await;
    b.client
        .goto(&format!("{}/?place={}", proxy.base, kitchen["id"]))
        .await
        .unwrap();
    wait_for_app(&b).await;
    b.go("shifts").await;
    b.fill("#shifts-login-email", "vera@example.org").await;
    b.fill("#shifts-login-password", common::PASSWORD).await;
    b.click("#shifts-login-submit").await;
    b.wait_for("document.getElementById('shifts-logout')", "the log-in")
        .await;
    b.client
        .goto(&format!("{}/?place={}", proxy.base, kitchen["id"]))
        .await
        .unwrap();
    wait_for_app(&b).await;
    b.wait_for(
        "document.querySelector('.take-shift')",
        "the shift on the card",
    )
    .await;

    set_offline(&b, &proxy, true).await;
    b.click(".take-shift").await;
    b.wait_for(
        "document.getElementById('outbox-pending')?.textContent.includes('Anotación al turno')",
        "the queued sign-up",
    )
    .await;
    // Meanwhile someone else takes the only slot.
    let (status, body) = common::call(
        &client,
        rocket::http::Method::Post,
        &format!("/api/needs/{}/signup", shift["id"]),
        Some(&other),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");

    set_offline(&b, &proxy, false).await;
    let notice = b
        .wait_for(
            "document.querySelector('#outbox-notices .refused')?.textContent",
            "the refusal",
        )
        .await;
    let notice = notice.as_str().unwrap();
    assert!(
        notice.contains("No se pudo enviar Anotación al turno") && notice.contains("completo"),
        "{notice}"
    );
    b.screenshot("offline-shift-refused").await;
    let signups: i64 = sqlx::query_scalar("SELECT count(*) FROM shift_signups")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(signups, 1, "only the other volunteer's");
    b.close().await;
}
