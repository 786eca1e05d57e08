//! Browser tests: the real page in Debian's headless Chromium, served by the real app on a real
//! PostGIS database. Screenshots land in target/browser/.

mod common;

use common::{seed, serve, test_config, Browser};
use sqlx::PgPool;

/// Waits until the map has loaded and drawn our places layer, then is idle.
async fn wait_for_map(b: &Browser) {
    b.wait_for("document.body.dataset.ready === '1'", "the app to start")
        .await;
    b.wait_for(
        "window.antes.map.loaded() && window.antes.map.areTilesLoaded() && !window.antes.map.isMoving()",
        "the map to be idle",
    )
    .await;
}

#[sqlx::test]
async fn the_map_opens_on_santa_fe_with_its_places_and_stays_on_this_origin(pool: PgPool) {
    seed(&pool).await;
    let base = serve(pool, test_config()).await;
    let b = Browser::start("map", 1000, 760).await;
    b.client.goto(&base).await.unwrap();
    wait_for_map(&b).await;
    b.wait_for(
        "Number(document.body.dataset.placesLoads || 0) > 0",
        "places to load",
    )
    .await;

    let center = b.eval("window.antes.map.getCenter().toArray()").await;
    let (lon, lat) = (center[0].as_f64().unwrap(), center[1].as_f64().unwrap());
    assert!(
        (lon + 60.7).abs() < 0.05 && (lat + 31.633).abs() < 0.05,
        "{center}"
    );

    let rendered = b
        .wait_for(
            "window.antes.map.queryRenderedFeatures({layers: ['places']}).length",
            "places to be rendered",
        )
        .await;
    assert!(
        rendered.as_u64().unwrap() > 20,
        "{rendered} places rendered"
    );
    let names = b
        .eval("window.antes.map.queryRenderedFeatures({layers: ['places']}).map(f => f.properties.name)")
        .await;
    assert!(names
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("(demo)")));
    let listed = b
        .eval("document.querySelectorAll('#place-list li').length")
        .await;
    assert!(listed.as_u64().unwrap() > 20);
    assert_eq!(b.text("header h1").await, "Antes de Salir");
    assert_eq!(b.text("[data-screen=nearby] ").await.trim(), "Cerca mío");

    b.eval("(() => { const s = document.getElementById('lang-select'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true; })()").await;
    b.wait_for(
        "document.querySelector('.tabs [data-screen=nearby]').textContent === 'Near me'",
        "English",
    )
    .await;
    b.eval("(() => { const s = document.getElementById('lang-select'); s.value = 'es'; s.dispatchEvent(new Event('change')); return true; })()").await;
    b.wait_for(
        "document.querySelector('.tabs [data-screen=nearby]').textContent === 'Cerca mío'",
        "Spanish",
    )
    .await;

    let errors = b.console_errors().await;
    let shot = b.screenshot("map").await;
    let urls = b.close().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    assert!(shot.exists());
    assert!(
        urls.iter().any(|u| u.contains("/api/places?bbox=")),
        "{urls:?}"
    );
    assert!(urls.iter().any(|u| u.contains("/basemap/")), "{urls:?}");
    let outside: Vec<&String> = urls
        .iter()
        .filter(|u| !u.starts_with(&format!("{base}/")))
        .collect();
    assert!(
        outside.is_empty(),
        "requests left the app's origin: {outside:?}"
    );
}

#[sqlx::test]
async fn a_resident_on_a_phone_picks_a_point_and_filters_to_places_open_now(pool: PgPool) {
    seed(&pool).await;
    let base = serve(pool, test_config()).await;
    let b = Browser::start("nearby", 360, 740).await;
    b.client.goto(&base).await.unwrap();
    wait_for_map(&b).await;
    let too_wide = b
        .eval("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)")
        .await;
    assert_eq!(
        too_wide,
        serde_json::json!([]),
        "the page fits a 360 px screen"
    );

    // A real click on an empty spot of the map picks the search point.
    let (x, y) = b.empty_map_spot("places").await;
    b.click_at(x, y).await;
    b.wait_for(
        "Number(document.body.dataset.nearbyLoads || 0) >= 1",
        "the nearby search",
    )
    .await;
    wait_for_map(&b).await;
    let first: Vec<String> = serde_json::from_value(
        b.eval("[...document.querySelectorAll('#place-list li')].map(li => li.dataset.placeId)")
            .await,
    )
    .unwrap();
    assert!(first.len() > 5, "{first:?}");
    let meta = b.text("#place-list li .meta").await;
    assert!(
        meta.contains(" m") || meta.contains(" km"),
        "the list shows a distance: {meta}"
    );
    assert!(
        b.text("#place-list li .badge").await.len() > 3,
        "the list shows open/closed"
    );
    let markers = b
        .wait_for(
            "window.antes.map.queryRenderedFeatures({layers: ['places']}).length",
            "markers",
        )
        .await;
    assert!(markers.as_u64().unwrap() > 5);
    let radius = b
        .eval("window.antes.map.queryRenderedFeatures({layers: ['radius-line']}).length")
        .await;
    assert!(radius.as_u64().unwrap() > 0, "the search radius is drawn");
    b.screenshot("nearby-point").await;

    // "Abierto ahora" drops every place not known to be open.
    b.click("#open-now").await;
    b.wait_for(
        "Number(document.body.dataset.nearbyLoads) >= 2",
        "the filtered search",
    )
    .await;
    let second: Vec<String> = serde_json::from_value(
        b.eval("[...document.querySelectorAll('#place-list li')].map(li => li.dataset.placeId)")
            .await,
    )
    .unwrap();
    assert_ne!(first, second, "the list changes with the toggle");
    let badges = b.eval("[...document.querySelectorAll('#place-list li .badge')].every(x => x.classList.contains('open'))").await;
    assert_eq!(badges, true);

    // The detail card shows the hours, a tel: link and the address.
    b.click("#place-list li[data-place-id] button").await;
    b.wait_for(
        "!document.getElementById('place-detail').hidden",
        "the detail card",
    )
    .await;
    b.screenshot("nearby-open-now").await;

    let errors = b.console_errors().await;
    let urls = b.close().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    assert!(
        urls.iter().any(|u| u.contains("/api/places/nearby?")),
        "{urls:?}"
    );
    let outside: Vec<&String> = urls
        .iter()
        .filter(|u| !u.starts_with(&format!("{base}/")))
        .collect();
    assert!(
        outside.is_empty(),
        "requests left the app's origin: {outside:?}"
    );
}
