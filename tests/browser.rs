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

/// Signs the browser in through the real login endpoint (accounts from `common::person`).
async fn sign_in_as(b: &Browser, base: &str, name: &str) {
    let email = format!("{}@example.org", name.to_lowercase().replace(' ', "."));
    let status = b
        .client
        .execute_async(
            "const [email, done] = arguments;
             fetch('/api/auth/logout', {method: 'POST'})
               .then(() => fetch('/api/auth/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
                 body: JSON.stringify({email, password: 'correct horse battery'})}))
               .then(r => done(r.status));",
            vec![serde_json::Value::from(email)],
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "login as {name}");
    b.client.goto(base).await.unwrap();
    wait_for_map(b).await;
}

#[sqlx::test]
async fn an_organizer_posts_a_shift_a_volunteer_takes_it_and_the_organizer_sees_who(pool: PgPool) {
    seed(&pool).await;
    let (organizer_id, _) = common::person(&pool, "Olga Organiza", "organizer", true).await;
    common::person(&pool, "Vicente Voluntario", "volunteer", true).await;
    // Her kitchen sits where the map opens, so it is in the list of places in view.
    let point = antes::domain::geo::LatLon::new(-31.6335, -60.7005).unwrap();
    let place = antes::db::places::NewPlace {
        kind: "kitchen",
        name: "Comedor La Esperanza".into(),
        category: "soup_kitchen",
        point,
        cell: antes::domain::cells::Cell::at(point, antes::domain::cells::STORED_RES).to_db(),
        opening_hours: Some("Mo-Fr 11:30-14:00".into()),
        address: None,
        phone: None,
        description: None,
        source: None,
        meals_per_day: Some(90),
    };
    let kitchen = antes::db::places::insert_by_hand(&pool, &place, "active", organizer_id)
        .await
        .unwrap();
    antes::db::kitchens::add_organizer(&pool, kitchen, organizer_id)
        .await
        .unwrap();
    let base = serve(pool, test_config()).await;
    let b = Browser::start("kitchen", 1000, 800).await;
    b.client.goto(&base).await.unwrap();
    wait_for_map(&b).await;

    // The organizer posts a cooking shift with two slots for tomorrow.
    sign_in_as(&b, &base, "Olga Organiza").await;
    b.click(".tabs [data-screen=organizer]").await;
    b.wait_for(
        "document.querySelector('#my-kitchen option')",
        "the organizer's kitchen",
    )
    .await;
    let kitchens = b.text("#my-kitchen").await;
    assert!(kitchens.contains("Comedor La Esperanza"), "{kitchens}");
    let tomorrow = (chrono::Local::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    b.eval(&format!(
        "(() => {{ const f = document.getElementById('shift-form').elements;
           f.role.value = 'cook'; f.starts_at.value = '{tomorrow}T10:00'; f.ends_at.value = '{tomorrow}T13:00';
           f.slots.value = '2'; return true; }})()"
    ))
    .await;
    b.click("#shift-form button[type=submit]").await;
    b.wait_for(
        "document.querySelector('#organizer-needs li[data-need-id]')",
        "the posted shift",
    )
    .await;
    b.screenshot("kitchen-organizer-posted").await;

    // A volunteer opens the kitchen from the list and takes the shift.
    sign_in_as(&b, &base, "Vicente Voluntario").await;
    b.wait_for(
        &format!("document.querySelector('#place-list li[data-place-id=\"{kitchen}\"]')"),
        "the kitchen in the list",
    )
    .await;
    b.click(&format!(
        "#place-list li[data-place-id=\"{kitchen}\"] button"
    ))
    .await;
    b.wait_for(
        "document.querySelector('#place-extra .take-shift')",
        "the kitchen's open needs",
    )
    .await;
    assert!(b
        .text("#place-extra")
        .await
        .contains("2 de 2 lugares libres"));
    b.click("#place-extra .take-shift").await;
    b.wait_for(
        "document.querySelector('#place-extra').textContent.includes('1 de 2 lugares libres')",
        "the slot taken",
    )
    .await;
    b.screenshot("kitchen-volunteer-took-shift").await;
    b.click(".tabs [data-screen=shifts]").await;
    b.wait_for("document.querySelector('#my-shift-list li')", "my shifts")
        .await;
    assert!(b
        .text("#my-shift-list")
        .await
        .contains("Comedor La Esperanza"));

    // The organizer sees who signed up.
    sign_in_as(&b, &base, "Olga Organiza").await;
    b.click(".tabs [data-screen=organizer]").await;
    b.wait_for(
        "document.querySelector('#organizer-needs .signup')",
        "the sign-up",
    )
    .await;
    assert!(b
        .text("#organizer-needs .signup")
        .await
        .contains("Vicente Voluntario"));
    b.eval("document.querySelector('#organizer-needs .signup').scrollIntoView({block: 'center'})")
        .await;
    b.screenshot("kitchen-organizer-sees-volunteer").await;

    let errors = b.console_errors().await;
    let urls = b.close().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    let outside: Vec<&String> = urls
        .iter()
        .filter(|u| !u.starts_with(&format!("{base}/")))
        .collect();
    assert!(
        outside.is_empty(),
        "requests left the app's origin: {outside:?}"
    );
}
